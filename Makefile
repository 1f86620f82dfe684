# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_ID := $(shell sha1sum pyproject.toml | cut -c1-12)
STAMP := $(VENV)/.installed-$(STAMP_ID)
# Tests run in two processes, a file each at a time: every test makes its own store, and
# two keep this machine's two cores busy (more would open more PostgreSQL connections).
PYTEST := $(BIN)/pytest -q -n $(or $(TEST_WORKERS),2) --dist loadfile

.PHONY: install run test test-calendar mutants lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install  ## serve the API on http://127.0.0.1:8000 (SQLite under ./var, demo data); PORT=8080 for another port
	$(BIN)/assure serve $(if $(PORT),--port $(PORT))

lint: install  ## ruff and mypy (strict)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint  ## the whole suite, PostgreSQL and the browser (Debian's chromium) included
	./scripts/ensure-postgres.sh
	./scripts/ensure-browser.sh
	$(PYTEST)

test-calendar: install  ## the whole suite far east of UTC, then on a leap day crossing midnight
	./scripts/ensure-postgres.sh
	./scripts/ensure-browser.sh
	TZ=Pacific/Kiritimati $(PYTEST)
	TESTS_FAKE_NOW=2028-02-29T23:57:00+00:00 $(PYTEST)

$(VENV)/.mutants-$(STAMP_ID): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,mutants]"
	rm -f $(VENV)/.mutants-*
	touch $@

mutants: $(VENV)/.mutants-$(STAMP_ID)  ## mutation testing of the rules (not part of make test)
	$(BIN)/python scripts/mutants/run.py

bench: install  ## the performance figures, as ratios to baselines, on PostgreSQL
	./scripts/ensure-postgres.sh
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
