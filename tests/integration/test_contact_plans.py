"""Communication plans on each store: a client falls due for contact by their tier's
cadence, the scheduler records due and overdue once per due day, a contact starts the next
period, and the plan's adherence counts contacts made on time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from api.clients.contacts import contacts_job
from api.engine import Engine
from api.shared.jobs import job_context
from application.clients.commands import ClientCommands
from domain.clients import Channel, Client
from domain.shared.base import Context
from projections.clients.contacts import ContactsView, share_on_time
from tests.conftest import built_by_batches, client_fields

T0 = datetime(2026, 1, 5, 4, tzinfo=UTC)  # noon in Shanghai


def on(day: int) -> Context:
    return Context(actor="advisor-1", at=T0 + timedelta(days=day), correlation_id="c")


def run_job(engine: Engine, day: int) -> int:
    engine.projector.catch_up()
    return contacts_job(engine, job_context("contacts", T0 + timedelta(days=day)))


def flags(engine: Engine, client_id: UUID) -> list[tuple[str, date]]:
    events = engine.store.events.get(client_id)
    return [
        (type(e).__name__, e.due_on)
        for e in events
        if isinstance(e, Client.ContactFellDue | Client.ContactBecameOverdue)
    ]


def test_a_platinum_client_falls_due_monthly_and_each_reminder_is_recorded_once(
    engine: Engine,
) -> None:
    # Given a platinum client and a standard one registered on day 0, and a gold one
    # contacted on day 10
    clients = engine.handler(ClientCommands)
    platinum = clients.register(on(0), **client_fields(tier="platinum")).id
    standard = clients.register(on(0), **client_fields(tier="standard")).id
    gold = clients.register(on(0), **client_fields(tier="gold")).id
    clients.log_interaction(on(10), gold, Channel.CALL, "quarterly review", None)
    day0 = T0.astimezone(ZoneInfo(engine.settings.time_zone)).date()
    # When the job runs on day 22, nothing is due yet (platinum: day 30, 7 days' notice)
    assert run_job(engine, 22) == 0
    # Then on day 23 the platinum client falls due, once however often the job runs
    assert run_job(engine, 23) == 1
    assert run_job(engine, 23) == 0
    assert flags(engine, platinum) == [("ContactFellDue", day0 + timedelta(days=30))]
    # And on day 31 they are overdue, once
    assert run_job(engine, 31) == 1
    assert run_job(engine, 32) == 0
    assert flags(engine, platinum)[-1] == ("ContactBecameOverdue", day0 + timedelta(days=30))
    # When an advisor calls them on day 32, the next contact is due on day 62
    clients.log_interaction(on(32), platinum, Channel.CALL, "monthly call", None)
    assert run_job(engine, 33) == 0
    engine.projector.catch_up()
    view, policy = engine.view(ContactsView), engine.settings.coverage_policy.contacts
    rows, _ = view.due(engine.db, policy, day0 + timedelta(days=400), None, None, 10, None)
    due = {r["client_id"]: date.fromordinal(r["due"]) for r in rows}
    assert due == {
        str(platinum): day0 + timedelta(days=62),
        str(gold): day0 + timedelta(days=101),
        str(standard): day0 + timedelta(days=182),
    }
    assert [r["client_id"] for r in rows] == [str(platinum), str(gold), str(standard)]
    # And only the advisor's contacts are theirs
    mine, _ = view.due(engine.db, policy, date.max, None, "advisor-1", 10, None)
    assert {r["client_id"] for r in mine} == {str(platinum), str(gold)}
    # And the plan's adherence: the gold call on time, the platinum call late, no one
    # overdue on day 33
    today = day0 + timedelta(days=33)
    counts = view.adherence(engine.db, policy, day0, today, None)
    assert counts == {"SH-LUJIAZUI": {"on_time": 1, "late": 1, "overdue": 0}}
    assert share_on_time(counts["SH-LUJIAZUI"]) == 0.5
    # And on day 190 all three are overdue (platinum day 62, gold 101, standard 182)
    later = view.adherence(engine.db, policy, day0, day0 + timedelta(days=190), None)
    assert later["SH-LUJIAZUI"]["overdue"] == 3


def test_a_tier_change_moves_the_due_day_and_an_erased_client_is_not_contacted(
    engine: Engine,
) -> None:
    # Given a standard client registered on day 0, and another to be erased
    clients = engine.handler(ClientCommands)
    client = clients.register(on(0), **client_fields()).id
    erased = clients.register(on(0), **client_fields(tier="platinum")).id
    clients.erase_personal_data(on(1), erased, "the client asked")
    # When the first becomes platinum on day 20
    clients.change_tier(on(20), client, "platinum", "assets")
    # Then by day 25 they are due by platinum's cadence (day 30), and the erased client is not
    assert run_job(engine, 25) == 1
    day0 = T0.astimezone(ZoneInfo(engine.settings.time_zone)).date()
    assert flags(engine, client) == [("ContactFellDue", day0 + timedelta(days=30))]
    assert flags(engine, erased) == []


def test_a_plan_view_built_in_one_batch_equals_one_built_event_by_event(engine: Engine) -> None:
    # Given clients contacted several times (one call logged late, for an earlier day),
    # a tier changed, reminders recorded, and a client erased after calls
    clients = engine.handler(ClientCommands)
    first = clients.register(on(0), **client_fields(tier="platinum")).id
    second = clients.register(on(0), **client_fields()).id
    gone = clients.register(on(0), **client_fields(tier="gold")).id
    for day, who in ((3, first), (5, second), (9, first), (9, gone), (12, first)):
        clients.log_interaction(on(day), who, Channel.CALL, "call", None)
    clients.log_interaction(on(14), first, Channel.CALL, "logged late", on(8).at)
    clients.change_tier(on(15), second, "platinum", "assets")
    assert run_job(engine, 40) >= 1
    clients.erase_personal_data(on(41), gone, "the client asked")
    clients.log_interaction(on(42), second, Channel.VISIT, "visit", None)
    # When one copy of the view applies them one event a batch, another all in one batch
    views = built_by_batches(engine, lambda suffix: ContactsView(suffix, engine.settings.time_zone))

    # Then both hold the same rows, as the live view does
    def rows(view: ContactsView, base: str) -> list[dict[str, Any]]:
        with engine.db.read() as tx:
            return tx.query(f"SELECT * FROM {view.t(base)} ORDER BY 1, 2")

    engine.projector.catch_up()
    for base in ContactsView.tables:
        one, whole, live = (rows(v, base) for v in (*views, engine.view(ContactsView)))
        assert one == whole == live, base
        assert one, base
    plans = {r["client_id"]: r for r in rows(views[0], "view_contact_plan")}
    assert set(plans) == {str(first), str(second)}  # the erased client's plan is gone
    zone = ZoneInfo(engine.settings.time_zone)
    assert plans[str(first)]["since_day"] == on(12).at.astimezone(zone).date().toordinal()
    assert (plans[str(second)]["tier"], plans[str(second)]["flagged"]) == ("platinum", None)
    assert len(rows(views[0], "view_contacts_made")) == 6  # the late call moved nothing
