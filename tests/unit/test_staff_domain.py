"""Given events, when a command, then events (or an error): staff accounts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.shared.base import Context
from domain.shared.errors import InvalidField
from domain.staff.logins import LoginAttempt, LoginPolicy, wait_after
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


def test_given_preferences_when_chosen_again_then_one_event() -> None:
    user = StaffUser.register(CTX, uuid.uuid4(), "advisor.li", Role.ADVISOR, "hash")
    assert (user.language, user.time_zone) == (None, None)
    user.prefer(CTX, "en", "Europe/London")
    user.prefer(CTX, "en", "Europe/London")
    user.prefer(CTX, None, "Europe/London")
    events = user.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Registered",
        "PreferencesChanged",
        "PreferencesChanged",
    ]
    assert (user.language, user.time_zone) == (None, "Europe/London")


def test_given_user_when_disabling_itself_then_refused() -> None:
    user_id = uuid.uuid4()
    user = StaffUser.register(CTX, user_id, "admin2", Role.ADMIN, "hash")
    own = Context(actor=str(user_id), at=CTX.at, correlation_id="c")
    with pytest.raises(InvalidField):
        user.disable(own, "oops")


T0 = datetime(2026, 12, 2, 9, tzinfo=UTC)
POLICY = LoginPolicy()


def failures(*seconds: float) -> list[datetime]:
    return [T0 + timedelta(seconds=s) for s in seconds]


def test_four_failures_in_the_window_let_the_next_attempt_through() -> None:
    assert wait_after(failures(0, 1, 2, 3), T0 + timedelta(seconds=4), POLICY) == timedelta(0)


def test_the_fifth_failure_makes_the_next_attempt_wait_a_minute_from_it() -> None:
    now = T0 + timedelta(seconds=10)
    assert wait_after(failures(0, 1, 2, 3, 4), now, POLICY) == timedelta(seconds=54)


def test_each_further_failure_doubles_the_wait_up_to_the_window() -> None:
    at = [0, 1, 2, 3, 4]
    waits = []
    for extra in range(5):
        last = T0 + timedelta(seconds=at[-1])
        waits.append(wait_after(failures(*at), last, POLICY).total_seconds())
        at.append(at[-1] + 1 + extra)
    assert waits == [60, 120, 240, 480, 900]


def test_failures_older_than_the_window_no_longer_count() -> None:
    now = T0 + timedelta(minutes=15, seconds=1)
    assert wait_after(failures(0, 1, 2, 3, 900.5), now, POLICY) == timedelta(0)
    assert wait_after(failures(2, 3, 4, 5, 900.5), now, POLICY) > timedelta(0)


def test_a_failure_exactly_a_window_old_no_longer_counts() -> None:
    now = T0 + timedelta(minutes=15, seconds=1)  # the failure at 1 s is 15 minutes old
    assert wait_after(failures(1, 2, 3, 4, 900), now, POLICY) == timedelta(0)
    assert wait_after(failures(1.5, 2, 3, 4, 900), now, POLICY) == timedelta(seconds=59)


def test_a_failed_and_a_throttled_login_record_who_from_where_and_why() -> None:
    ctx = Context(actor="login:10.0.0.7", at=T0, correlation_id="c")
    failed = LoginAttempt.failed(ctx, uuid.uuid4(), "agent.sun", "10.0.0.7", "wrong password")
    throttled = LoginAttempt.throttled(ctx, uuid.uuid4(), "agent.sun", "10.0.0.7", 60)
    [f] = failed.collect_events()
    [t] = throttled.collect_events()
    assert isinstance(f, LoginAttempt.Failed)
    assert isinstance(t, LoginAttempt.Throttled)
    assert (f.username, f.address, f.reason, f.timestamp) == (
        "agent.sun",
        "10.0.0.7",
        "wrong password",
        T0,
    )
    assert (t.username, t.address, t.retry_after, t.meta.actor) == (
        "agent.sun",
        "10.0.0.7",
        60,
        "login:10.0.0.7",
    )
    assert (failed.outcome, throttled.outcome) == ("failed", "throttled")
    assert failed.id != throttled.id
