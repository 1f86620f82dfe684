"""An API client over a running app (workers on) on each store, with one user per role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.shared.clock import Clock, system_clock
from adapters.shared.settings import Settings
from adapters.staff.auth import TokenClaims
from api.app import create_app
from api.contexts import build_engine
from api.engine import Engine
from application.staff.commands import StaffCommands
from domain.shared.base import Context
from domain.staff.users import Role
from tests.conftest import open_branches

PASSWORD = "correct horse battery staple"
BRANCHES = {Role.ADVISOR: "SH-LUJIAZUI"}  # the advisor's branch; other roles serve the firm


@dataclass
class Api:
    http: TestClient
    engine: Engine
    users: dict[str, uuid.UUID] = field(default_factory=dict)

    def token(self, role: str) -> str:
        claims = TokenClaims(user_id=str(self.users[role]), username=role, role=role)
        return self.engine.tokens.issue(claims, datetime.now(UTC))

    def as_(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}

    def call(
        self, method: str, path: str, role: str = "admin", *, stale_ok: bool = False, **kwargs: Any
    ) -> Any:
        """One request as ``role``. A read that waits for a position (``min_position``)
        must reach it: a 503 fails the test here unless ``stale_ok``."""
        headers = {**self.as_(role), **kwargs.pop("headers", {})}
        response = self.http.request(method, path, headers=headers, **kwargs)
        waited = "min_position=" in path or "min_position" in (kwargs.get("params") or {})
        if waited and not stale_ok:
            assert response.status_code != 503, f"the views never reached it: {path}"
        return response

    def created(self, body: dict[str, Any], role: str = "advisor") -> dict[str, Any]:
        response = self.call("POST", "/api/v1/clients", role, json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


def invalid_fields(response: Any) -> list[str]:
    """The fields a 422 problem names (``errors[].field``), in order."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


@pytest.fixture
def clock() -> Clock:
    """The engine's clock; a test module that needs a fixed "now" overrides this fixture."""
    return system_clock


@pytest.fixture
def api(settings: Settings, clock: Clock) -> Iterator[Api]:
    engine = build_engine(settings.model_copy(update={"run_workers": True}), clock)
    open_branches(engine)
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="setup")
    staff = engine.handler(StaffCommands)
    users = {
        role.value: staff.add_user(ctx, role.value, role, PASSWORD, branch=BRANCHES.get(role)).id
        for role in Role
    }
    with TestClient(create_app(engine), raise_server_exceptions=False) as http:
        yield Api(http=http, engine=engine, users=users)
