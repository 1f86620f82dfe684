"""Fixtures: every application, view and HTTP test runs on SQLite and on PostgreSQL.

The PostgreSQL runs use a real server (``ASSURE_TEST_DATABASE_URL``, by default the local
one) and a schema of their own, dropped afterwards. They fail, never skip, without it.
"""

from __future__ import annotations

import dataclasses
import os
import time as time_module
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from psycopg import sql

from adapters.shared.settings import Settings
from api.contexts import build_engine
from api.engine import Engine
from application.demo.load import BRANCH_NAMES
from application.staff import BranchCommands, StaffCommands
from domain.shared.base import Context
from domain.staff import Role
from projections.shared.base import View
from projections.shared.worker import ProjectionWorker
from tests import faketime


def pytest_configure(config: pytest.Config) -> None:
    faketime.start()  # TESTS_FAKE_NOW=...: the whole suite on another day


PG_URL = os.environ.get("ASSURE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def make_settings(kind: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "data_dir": tmp_path / "var",
        "run_scheduler": False,
        "run_workers": False,
        "demo_on_empty": False,
        "projection_poll_interval": 0.05,
        "projection_backoff": 0.0,
        # A read waiting for the views waits on the views, not on the clock: long enough
        # that a loaded machine never turns a slow catch-up into a 503.
        "read_wait_timeout": 120.0,
        "secret_key": "test-secret-key-not-for-production-use-0123456789",
    }
    if kind == "postgres":
        values["database_url"] = PG_URL
        values["database_schema"] = f"t_{uuid.uuid4().hex[:12]}"
    values.update(overrides)
    return Settings(_env_file=None, **values)


def drop_schema(settings: Settings) -> None:
    if not settings.is_postgres:
        return
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(settings.database_schema)
            )
        )


@pytest.fixture(params=["America/New_York", "Pacific/Kiritimati"])
def host_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The machine's own time zone set far from UTC, then restored."""
    monkeypatch.setenv("TZ", str(request.param))
    time_module.tzset()
    yield str(request.param)
    monkeypatch.undo()
    time_module.tzset()


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(store_kind: str, tmp_path: Path) -> Iterator[Settings]:
    s = make_settings(store_kind, tmp_path)
    yield s
    drop_schema(s)


def open_branches(engine: Engine) -> Engine:
    """Given the firm's branches (the demo's six): clients and advisors belong to one."""
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="branches")
    branches = engine.handler(BranchCommands)
    for code, name in BRANCH_NAMES.items():
        if not branches.known(code):
            branches.open(ctx, code, name)
    return engine


def staff_account(engine: Engine, username: str, role: Role = Role.AGENT) -> uuid.UUID:
    """Given an account (an agent unless told), its id."""
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="staff")
    password = "correct horse battery staple"
    return engine.handler(StaffCommands).add_user(ctx, username, role, password).id


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    e = open_branches(build_engine(settings))
    yield e
    e.close()


@pytest.fixture
def bare_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on an empty store: not even the branches."""
    e = build_engine(settings)
    yield e
    e.close()


@pytest.fixture
def ctx() -> Context:
    return Context(actor=str(uuid.uuid4()), at=datetime.now(UTC), correlation_id="test")


CLIENT = {
    "name": "Chen Jing",
    "id_number": "310101198805061234",
    "phone": "+86 13812345678",
    "email": "chen.jing@example.cn",
    "address": "88 Century Avenue, Shanghai",
    "branch": "SH-LUJIAZUI",
    "investor_type": "ordinary",
}


def client_fields(**overrides: Any) -> dict[str, Any]:
    fields = dict(CLIENT)
    fields["id_number"] = f"3101011988{uuid.uuid4().int % 10**8:08d}"
    fields.update(overrides)
    return fields


V = TypeVar("V", bound=View)


def table_rows(engine: Engine, table: str) -> list[str]:
    """A table's rows, each as text, in an order that does not depend on the store's."""
    with engine.db.read() as tx:
        return sorted(repr(sorted(r.items())) for r in tx.query(f"SELECT * FROM {table}"))


def built_by_batches(engine: Engine, copy: Callable[[str], V]) -> tuple[V, V]:
    """Two copies of a view caught up over the whole store: one applied one event a batch
    (suffix ``_one``), the other all in one batch (``_all``)."""
    built = []
    for suffix, size in (("_one", 1), ("_all", 10_000)):
        view = copy(suffix)
        view.create(engine.db)
        config = dataclasses.replace(engine.worker_config, batch_size=size)
        ProjectionWorker(engine.store, engine.db, view, config).catch_up()
        built.append(view)
    return built[0], built[1]
