"""Login abuse: failed logins wait, growing; every failure and throttle is on record; a hash
of older parameters is replaced at a login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

from adapters.shared.clock import Clock
from adapters.staff.auth import Argon2Hasher, TokenClaims
from application.staff.commands import StaffCommands
from domain.shared.base import Context
from domain.staff.users import Role, StaffUser
from tests.e2e.conftest import PASSWORD, Api

WRONG = "not the password at all"


class Moving:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Moving()


def attempt(api: Api, username: str, password: str) -> Any:
    return api.http.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_after_five_failures_a_user_waits_longer_with_each_further_failure(
    api: Api, clock: Moving
) -> None:
    # Given five wrong passwords for one user
    assert [attempt(api, "agent", WRONG).status_code for _ in range(5)] == [401] * 5
    # When a sixth attempt comes, even with the right password
    throttled = attempt(api, "agent", PASSWORD)
    # Then it waits a minute, told so by a 429 problem with Retry-After
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "60"
    assert throttled.json()["retry_after"] == 60
    # And after the minute a further failure doubles the wait
    clock.wait(60)
    assert attempt(api, "agent", WRONG).status_code == 401
    again = attempt(api, "agent", PASSWORD)
    assert (again.status_code, again.headers["Retry-After"]) == (429, "120")
    # And once waited out, the right password logs in
    clock.wait(120)
    assert attempt(api, "agent", PASSWORD).status_code == 200


def test_five_failures_from_one_address_make_every_username_wait(api: Api) -> None:
    for name in ("admin", "agent", "advisor", "nobody", "compliance"):
        assert attempt(api, name, WRONG).status_code == 401
    assert attempt(api, "quality", PASSWORD).status_code == 429


def test_failures_and_throttles_are_on_record_for_compliance_without_the_password(
    api: Api, clock: Moving
) -> None:
    # Given five failures (one for a user who does not exist) and a throttled attempt
    for name in ("agent", "agent", "agent", "agent", "ghost"):
        attempt(api, name, WRONG)
    attempt(api, "agent", WRONG)
    # When compliance reads the login record
    wait = f"min_position={api.engine.store.head()}"
    records = api.call("GET", f"/api/v1/logins?{wait}", "compliance")
    # Then each failure and the throttle are there: who, from where, when, why
    assert records.status_code == 200, records.text
    rows = records.json()["items"]
    assert [(r["username"], r["outcome"], r["reason"]) for r in rows] == [
        ("agent", "throttled", None),
        ("ghost", "failed", "unknown user"),
        *[("agent", "failed", "wrong password")] * 4,
    ]
    assert {r["address"] for r in rows} == {"testclient"}
    assert rows[0]["retry_after"] == 60
    assert datetime.fromisoformat(rows[0]["at"]) == clock.now
    filtered = api.call("GET", f"/api/v1/logins?username=ghost&{wait}", "compliance").json()
    assert [r["username"] for r in filtered["items"]] == ["ghost"]
    assert api.call("GET", "/api/v1/logins", "advisor").status_code == 403
    # And the password tried is nowhere in the store
    stored = api.engine.store.recorder.select_notifications(1, 10_000)
    assert not any(WRONG.encode() in n.state for n in stored)


def test_a_hash_of_older_parameters_is_replaced_at_login_and_tokens_stay_good(api: Api) -> None:
    # Given an account whose hash was made with other argon2 parameters than today's
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="old")
    older = StaffCommands(api.engine.store, OldHasher())
    user = older.add_user(ctx, "veteran", Role.AGENT, PASSWORD).id
    claims = TokenClaims(user_id=str(user), username="veteran", role="agent")
    token = api.engine.tokens.issue(claims, datetime.now(UTC))
    # When the user logs in
    assert attempt(api, "veteran", PASSWORD).status_code == 200
    # Then the hash is today's, the password the same, and the token of before still works
    staff = api.engine.handler(StaffCommands)
    account = staff.load(StaffUser, user)
    assert not staff.hasher.needs_rehash(account.password_hash)
    assert staff.hasher.verify(account.password_hash, PASSWORD)
    assert isinstance(
        staff.event_at(user, 2, StaffUser.PasswordRehashed), StaffUser.PasswordRehashed
    )
    assert account.token_version == 0
    response = api.http.get("/api/v1/branches", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert attempt(api, "veteran", PASSWORD).status_code == 200


class OldHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__(fast=True)
        self._hasher = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1)


def test_a_username_is_recorded_printable_and_at_most_64_characters(api: Api) -> None:
    assert attempt(api, "\x1b[2J" + "y" * 5_000, WRONG).status_code == 401
    wait = f"min_position={api.engine.store.head()}"
    [row] = api.call("GET", f"/api/v1/logins?{wait}", "compliance").json()["items"]
    assert row["username"] == "[2J" + "y" * 61
