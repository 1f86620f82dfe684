"""The layering rule of ARCHITECTURE.md, checked on the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"domain", "application", "projections", "adapters", "api"}

# What each layer may import, besides the standard library.
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain", "pydantic", "eventsourcing.domain", "eventsourcing.utils"},
    "application": {"application", "domain", "pydantic", "eventsourcing"},
    "projections": {
        "projections",
        "domain",
        "adapters",
        "eventsourcing",
        "structlog",
        "psycopg",
        "pydantic",
        "orjson",
    },
    "adapters": {
        "adapters",
        "domain",
        "eventsourcing",
        "pydantic",
        "pydantic_settings",
        "psycopg",
        "psycopg_pool",
        "orjson",
        "jwt",
        "argon2",
        "structlog",
        "apscheduler",
        "cryptography",
    },
}
THIRD_PARTY_HINTS = {
    "cryptography",
    "fastapi",
    "starlette",
    "uvicorn",
    "psycopg",
    "psycopg_pool",
    "sqlite3",
    "structlog",
    "apscheduler",
    "httpx",
    "requests",
    "orjson",
    "jwt",
    "argon2",
    "pydantic",
    "pydantic_settings",
    "eventsourcing",
}


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def allowed(layer: str, module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    if top not in PROJECT | THIRD_PARTY_HINTS:
        return True  # the standard library
    if module == "sqlite3":
        return layer == "adapters"
    return any(module == a or module.startswith(a + ".") for a in ALLOWED[layer])


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for module in imports(path)
        if not allowed(layer, module)
    ]
    assert bad == []


def test_the_rule_catches_a_forbidden_import() -> None:
    assert not allowed("domain", "adapters.sql")
    assert not allowed("domain", "fastapi")
    assert not allowed("application", "psycopg")
    assert not allowed("projections", "api.engine")
    assert allowed("domain", "datetime")


def test_domain_never_reads_the_clock() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "domain").rglob("*.py")
        for needle in ("datetime.now(", "utcnow(", "time.time(", "date.today(")
        if needle in path.read_text()
    ]
    assert offenders == []
