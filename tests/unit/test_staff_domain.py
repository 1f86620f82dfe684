"""Given events, when a command, then events (or an error): staff accounts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.shared.base import Context
from domain.shared.errors import InvalidField
from domain.staff.users import Role, StaffUser

CTX = Context(actor="admin-1", at=datetime(2026, 1, 5, tzinfo=UTC), correlation_id="c")


def test_when_registered_then_username_is_lowercase_and_enabled() -> None:
    user = StaffUser.register(CTX, uuid.uuid4(), "Advisor.Wang", Role.ADVISOR, "hash")
    assert user.username == "advisor.wang"
    assert user.enabled


def test_when_username_has_spaces_then_refused() -> None:
    with pytest.raises(InvalidField) as err:
        StaffUser.register(CTX, uuid.uuid4(), "bad name", Role.AGENT, "hash")
    assert err.value.field == "username"


def test_given_user_when_disabled_twice_then_one_event() -> None:
    user = StaffUser.register(CTX, uuid.uuid4(), "agent.sun", Role.AGENT, "hash")
    user.disable(CTX, "left the company")
    user.disable(CTX, "again")
    events = user.collect_events()
    assert [type(e).__name__ for e in events] == ["Registered", "Disabled"]
    assert not user.enabled


def test_given_user_when_disabling_itself_then_refused() -> None:
    user_id = uuid.uuid4()
    user = StaffUser.register(CTX, user_id, "admin2", Role.ADMIN, "hash")
    own = Context(actor=str(user_id), at=CTX.at, correlation_id="c")
    with pytest.raises(InvalidField):
        user.disable(own, "oops")
