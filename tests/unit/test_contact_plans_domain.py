"""The communication plan's rules: a cadence per tier, the notice period, and each reminder
recorded once per due day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from domain.clients import Client, ClientPolicy, ContactPolicy, InvestorType
from domain.shared.base import Context

POLICY = ContactPolicy()
DUE = date(2026, 7, 1)


def test_the_default_cadence_is_monthly_quarterly_and_half_yearly() -> None:
    assert [POLICY.cadence(t) for t in ("platinum", "gold", "standard")] == [30, 91, 182]
    assert POLICY.cadence("unknown") == 182  # the longest
    assert POLICY.due_on(date(2026, 1, 1), "platinum") == date(2026, 1, 31)


def test_a_contact_falls_due_within_the_notice_period_and_is_overdue_the_day_after() -> None:
    assert POLICY.stage(DUE, DUE - timedelta(days=8)) is None
    assert POLICY.stage(DUE, DUE - timedelta(days=7)) == "due"
    assert POLICY.stage(DUE, DUE) == "due"
    assert POLICY.stage(DUE, DUE + timedelta(days=1)) == "overdue"


def given_client() -> Client:
    ctx = Context(actor="a", at=datetime(2026, 1, 1, tzinfo=UTC), correlation_id="c")
    client = Client.register(
        ctx,
        uuid.uuid4(),
        name="n",
        id_number="310101198805061234",
        phone="p",
        email="e",
        address="a",
        branch="SH",
        investor_type=InvestorType.ORDINARY,
        tier="gold",
        policy=ClientPolicy(),
    )
    client.collect_events()
    return client


def flagged(client: Client, today: date) -> list[str]:
    ctx = Context(actor="s", at=datetime(2026, 7, 1, tzinfo=UTC), correlation_id="c")
    client.flag_contact(ctx, DUE, today, POLICY)
    return [type(e).__name__ for e in client.collect_events()]


def test_each_reminder_is_recorded_once_per_due_day() -> None:
    client = given_client()
    assert flagged(client, DUE - timedelta(days=10)) == []
    assert flagged(client, DUE - timedelta(days=3)) == ["ContactFellDue"]
    assert flagged(client, DUE) == []
    assert flagged(client, DUE + timedelta(days=1)) == ["ContactBecameOverdue"]
    assert flagged(client, DUE + timedelta(days=9)) == []


def test_a_client_found_overdue_first_gets_both_reminders_in_order() -> None:
    client = given_client()
    assert flagged(client, DUE + timedelta(days=30)) == ["ContactFellDue", "ContactBecameOverdue"]


def test_an_erased_client_gets_no_reminder() -> None:
    client = given_client()
    ctx = Context(actor="a", at=datetime(2026, 2, 1, tzinfo=UTC), correlation_id="c")
    client.erase_personal_data(ctx, "asked")
    client.collect_events()
    assert flagged(client, DUE + timedelta(days=1)) == []
