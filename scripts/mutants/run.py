"""``make mutants``: mutation testing of the modules that hold the rules (mutmut 3).

Each group mutates some modules and runs the tests that cover each mutant (SQLite only:
the same code runs on both stores), in a copy of the working tree so the checkout is never
touched. A mutant the tests do not kill is a survivor: either a missing test, or a change
that cannot alter behaviour, marked ``# pragma: no mutate`` on its line with the reason
beside it (scripts/mutants/EQUIVALENT.md lists the kinds). Exit 1 while any survives.

    .venv/bin/python scripts/mutants/run.py [GROUP ...] [--children N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTMUT = Path(sys.executable).parent / "mutmut"
# A mutant that makes the tests hang past mutmut's timeout was caught by them too.
PASSING = {"killed", "caught by type check", "timeout"}
# SQL keywords and unquoted identifiers are case-insensitive on SQLite and PostgreSQL
# alike, so mutmut's upper/lower-casing of an SQL line cannot change what it does; every
# other mutation of such a line breaks the statement. Lines of SQL text are not mutated.
SQL_LINE = (
    r'f?"[^"]*\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|ORDER BY|ON CONFLICT|VALUES|'
    r"WHERE|LIMIT)\b|excluded\."
)
# Every mutant's status and, for those not killed, its diff (mutmut's own API, one process).
LIST_RESULTS = """
from mutmut.__main__ import (
    SourceFileMutationData, get_diff_for_mutant, status_by_exit_code, walk_mutatable_files,
)
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in data.exit_code_by_key.items():
        status = status_by_exit_code[code]
        print("@@@", name, status)
        if status not in {"killed", "caught by type check", "timeout"}:
            print(get_diff_for_mutant(name, path=path))
"""


@dataclass(frozen=True)
class Group:
    name: str
    sources: tuple[str, ...]
    tests: tuple[str, ...]


GROUPS = (
    Group(
        "rules",
        (
            "domain/suitability/rules.py",
            "domain/clients/risk.py",
            "domain/service_desk/sla.py",
            "domain/suppliers/supplier.py",
            "domain/suppliers/lifecycle.py",
            "domain/suppliers/audits.py",
            "domain/suppliers/avl.py",
            "domain/suppliers/sqs.py",
            "domain/suppliers/corrective.py",
            "domain/suppliers/policy.py",
            "domain/cqp/plan.py",
            "domain/cqp/measures.py",
            "domain/cqp/milestones.py",
            "domain/cqp/phases.py",
            "domain/cqp/policy.py",
            "domain/clients/registry.py",
            "domain/staff/logins.py",
        ),
        ("tests/unit",),
    ),
    Group(
        "views",
        (
            "projections/shared/worker.py",
            "projections/shared/base.py",
            "projections/compliance/audit.py",
        ),
        (
            "tests/integration/test_projections.py",
            "tests/integration/test_dead_letters.py",
            "tests/integration/test_view_lifecycle.py",
            "tests/integration/test_audit.py",
            "tests/integration/test_crash.py",
            "tests/integration/test_logging.py",
            "tests/e2e/test_http_audit.py",
        ),
    ),
    Group(
        "commands",
        (
            "application/shared/common.py",
            "application/clients/commands.py",
            "application/compliance/replay.py",
            "adapters/shared/personal.py",
        ),
        (
            "tests/unit/test_idempotency.py",
            "tests/unit/test_sealing.py",
            "tests/integration/test_commands.py",
            "tests/integration/test_client_commands.py",
            "tests/integration/test_erasure.py",
            "tests/integration/test_replay.py",
            "tests/integration/test_replay_reports.py",
            "tests/e2e/test_http_clients.py",
            "tests/e2e/test_http_erasure.py",
            "tests/e2e/test_http_replay.py",
        ),
    ),
)


def config(group: Group) -> str:
    quoted = ", ".join(f'"{p}"' for p in group.sources)
    tests = ", ".join(f'"{p}"' for p in group.tests)
    packages = '"domain", "application", "projections", "adapters", "api", "bench"'
    return (
        "\n[tool.mutmut]\n"
        f"source_paths = [{quoted}]\n"
        f"pytest_add_cli_args_test_selection = [{tests}]\n"
        'pytest_add_cli_args = ["-m", "not postgres", "-p", "no:cacheprovider"]\n'
        f"also_copy = [{packages}]\n"
        f"do_not_mutate_patterns = ['{SQL_LINE}']\n"  # a TOML literal string: no escapes
        # A mutant mypy (strict, as in make lint) refuses could never be deployed.
        'type_check_command = ["mypy", "--output", "json", "--no-warn-unused-ignores", '
        f"{quoted}]\n"
    )


def copy_tree(target: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def run_group(group: Group, children: int, work: Path) -> list[str]:
    """Run one group; its survivors (with their diffs) as lines of the report."""
    tree = work / group.name
    copy_tree(tree)
    with (tree / "pyproject.toml").open("a") as f:
        f.write(config(group))
    started = time.monotonic()
    # mutmut recognises mypy's output by the bare command name: find it on the PATH.
    env = {**os.environ, "PATH": f"{MUTMUT.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(children)],
        cwd=tree,
        check=False,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    listed = subprocess.run(
        [sys.executable, "-c", LIST_RESULTS], cwd=tree, check=False, capture_output=True, text=True
    ).stdout
    counts: dict[str, int] = {}
    report = []
    for block in listed.split("@@@ ")[1:]:
        name, status, diff = (*block.split("\n", 1)[0].split(" ", 1), block.split("\n", 1)[1])
        counts[status] = counts.get(status, 0) + 1
        if status not in PASSING:
            report.append(f"# {name}: {status}\n{diff.strip()}")
    minutes = (time.monotonic() - started) / 60
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"{group.name}: {summary or 'no mutants'} ({minutes:.1f} min)", flush=True)
    return [f"== {group.name}: {summary}", *report]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", choices=[[]] + [g.name for g in GROUPS])
    parser.add_argument("--children", type=int, default=2)
    args = parser.parse_args()
    chosen = [g for g in GROUPS if not args.groups or g.name in args.groups]
    named = subprocess.run([str(ROOT / "scripts/mutants/named.sh")], cwd=ROOT, check=False)
    report: list[str] = []
    with tempfile.TemporaryDirectory(prefix="assure-mutants-") as tmp:
        for group in chosen:
            report += run_group(group, args.children, Path(tmp))
    out = ROOT / "var" / "mutants-report.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n\n".join(report) + "\n")
    survivors = sum(1 for block in report if not block.startswith("== "))
    print(f"survivors: {survivors} (diffs in {out.relative_to(ROOT)})")
    return 1 if survivors or named.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
