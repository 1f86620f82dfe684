"""Every operation, fuzzed from its own OpenAPI document (schemathesis, property-based):
no server error, and every status, content type, header and body the service answers is
the one its document promises. On SQLite with the demo data, signed in as an administrator.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.staff.auth import TokenClaims
from api.app import create_app
from api.contexts import build_engine
from application.staff.commands import StaffCommands
from domain.shared.base import Context
from domain.staff.users import Role
from tests.conftest import make_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzzed(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """The app on SQLite with the demo data, and an administrator's token."""
    settings_ = make_settings("sqlite", tmp_path, run_workers=True, demo_on_empty=True)
    engine = build_engine(settings_)
    with TestClient(create_app(engine)) as client:
        ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="fuzz")
        admin = engine.handler(StaffCommands).add_user(
            ctx, "fuzz.admin", Role.ADMIN, "correct horse battery staple"
        )
        claims = TokenClaims(user_id=str(admin.id), username="fuzz.admin", role="admin")
        yield client.app, engine.tokens.issue(claims, datetime.now(UTC))


def test_every_operation_answers_as_documented(fuzzed: tuple[Any, str]) -> None:
    # Given the service's own OpenAPI document
    app, token = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    auth = {"Authorization": f"Bearer {token}"}
    findings: dict[str, str] = {}
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation's schema loads
        operations.append(result.ok())
    assert len(operations) > 80

    # When every operation is called with inputs generated from it, valid and not
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=auth, checks=CHECKS)

        try:
            call()
        except (AssertionError, BaseExceptionGroup) as failure:  # each finding, reported below
            findings[operation.label] = _text(failure)[:3000]

    # Then no answer departs from what the document says
    assert not findings, "\n\n".join(f"{k}:\n{v}" for k, v in findings.items())


def _text(failure: BaseException) -> str:
    if isinstance(failure, BaseExceptionGroup):
        return "\n".join(_text(e) for e in failure.exceptions)
    return f"{type(failure).__name__}: {failure}"
