"""The layering rule of ARCHITECTURE.md, checked on the imports of every module: what each
layer may import, and how the bounded contexts inside the layers may import each other."""

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
    "api": {
        "api",
        "application",
        "domain",
        "projections",
        "adapters",
        "fastapi",
        "fastapi_offline",
        "rich",
        "jinja2",
        "babel",
        "starlette",
        "uvicorn",
        "pydantic",
        "structlog",
    },
}
THIRD_PARTY_HINTS = {
    "cryptography",
    "fastapi",
    "fastapi_offline",
    "rich",
    "jinja2",
    "babel",
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


# A context imports another only through what that context exports (``layer.context``),
# and only where it reads the other by design. Every context may import ``shared`` and
# ``staff`` (roles and the current user guard every route).
EVERYONE = {"shared", "staff"}
CROSS: dict[str, set[str]] = {
    # a client's page lists their open tickets, and their purchases with their outcome
    "clients": {"service_desk", "suitability", "holdings"},
    # a purchase is decided on the assessment and fund; holders of a fund are reviewed
    "suitability": {"clients", "funds", "holdings"},
    "holdings": {"clients", "funds"},  # positions are a client's, in funds, valued at NAV
    "service_desk": {"clients"},  # a ticket is for a client; statistics count clients
    "cqp": {"suppliers"},  # a plan is for a supplier and its categories
    # an article answers ticket types and is linked to tickets; a draft from a solved
    # ticket leaves out its client's name
    "knowledge": {"service_desk", "clients"},
    # every reminder and warning becomes a notification for the people it concerns
    "inbox": {"clients", "suitability", "service_desk", "suppliers", "cqp"},
    "compliance": {"clients", "funds", "suitability", "service_desk", "suppliers", "cqp"},
    "demo": {
        "clients",
        "funds",
        "holdings",
        "suitability",
        "service_desk",
        "suppliers",
        "cqp",
        "knowledge",
    },
    # The settings hold every context's policy; the composition root builds everything.
    "shared": {"clients", "funds", "suitability", "service_desk", "suppliers", "cqp"},
}
# The API of any context may answer ``?as_of=`` through compliance's time travel.
API_CROSS = {"compliance"}


def context_of(module: str) -> str | None:
    """The context a dotted module belongs to (None for a layer's own top modules)."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] in PROJECT and (ROOT / parts[0] / parts[1]).is_dir():
        return parts[1]
    return None


def context_rule(path: Path, module: str) -> str | None:
    """Why importing ``module`` from ``path`` breaks the contexts' rule (None if it does not)."""
    mine, theirs = context_of(_dotted(path)), context_of(module)
    if mine is None or theirs is None or theirs in (mine, "shared"):
        return None
    if module.count(".") > 1:
        return "imports inside another context: import what the context exports"
    allowed = EVERYONE | CROSS.get(mine, set())
    if path.parts[len(ROOT.parts)] == "api":
        allowed |= API_CROSS
    if mine == "shared" and path.name != "settings.py":
        allowed = EVERYONE
    if theirs not in allowed:
        return f"{mine} may not read {theirs}"
    return None


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


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


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_contexts_import_each_other_only_through_their_exports_and_as_named(
    layer: str,
) -> None:
    bad = [
        f"{path.relative_to(ROOT)}: {module}: {why}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for module in imports(path)
        if (why := context_rule(path, module)) is not None
    ]
    assert bad == []


def test_the_contexts_rule_catches_a_deep_or_unnamed_import() -> None:
    tickets = ROOT / "domain" / "service_desk" / "tickets.py"
    assert context_rule(tickets, "domain.clients.registry") is not None
    assert context_rule(tickets, "domain.suppliers") == "service_desk may not read suppliers"
    assert context_rule(tickets, "domain.clients") is None
    assert context_rule(tickets, "domain.shared.base") is None
    assert context_rule(ROOT / "api" / "funds" / "routes.py", "api.compliance") is None
    assert context_rule(ROOT / "domain" / "funds" / "fund.py", "domain.cqp") is not None


def test_the_rule_catches_a_forbidden_import() -> None:
    assert not allowed("domain", "adapters.sql")
    assert not allowed("domain", "fastapi")
    assert not allowed("application", "psycopg")
    assert not allowed("projections", "api.engine")
    assert not allowed("api", "psycopg")
    assert allowed("domain", "datetime")


def test_domain_never_reads_the_clock() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "domain").rglob("*.py")
        for needle in ("datetime.now(", "utcnow(", "time.time(", "date.today(")
        if needle in path.read_text()
    ]
    assert offenders == []
