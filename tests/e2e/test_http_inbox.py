"""The staff inbox over HTTP on each store: every reminder and warning the scheduler
records reaches the people it concerns (an account, or a role in a branch), once; the
unread count, marking read one or all, and the console's inbox and header count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.shared.clock import Clock
from application.clients.commands import ClientCommands
from application.service_desk.tickets import TicketCommands
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import TicketChannel, TicketType
from domain.shared.base import Context
from projections.inbox import InboxView
from projections.shared.worker import ProjectionWorker
from tests.conftest import client_fields
from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, sign_in
from tests.e2e.test_scheduler_jobs import given_a_bit_of_everything

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


def given_everything_due(api: Api) -> dict[str, Any]:
    """A purchase 3 hours from lapsing, two P1 tickets past both clocks (escalated twice),
    one of no client, the other of a client of the advisor's branch, never contacted in 200
    days; and, 3 days on, a CQP milestone overdue."""
    given = given_a_bit_of_everything(api)
    clients = api.engine.handler(ClientCommands)
    ctx = Context(actor="system:test", at=NOW - timedelta(days=200), correlation_id="given")
    given["quiet"] = clients.register(ctx, **client_fields()).id
    api.engine.handler(TicketCommands).open(
        ctx.model_copy(update={"at": NOW}),
        client_id=given["quiet"],
        type=TicketType.COMPLAINT,
        priority=Priority.P1,
        channel=TicketChannel.PHONE,
        subject="s",
        description="d",
    )
    done = api.engine.tick(NOW + timedelta(hours=21))
    assert done["purchase_lapses"] == 1  # warned, not lapsed
    assert done["contacts"] == 1
    assert done["ticket_breaches"] == 4
    api.engine.tick(NOW + timedelta(days=3))
    api.engine.projector.catch_up()
    return given


def inbox(api: Api, role: str, query: str = "") -> list[dict[str, Any]]:
    body = api.call("GET", f"/api/v1/inbox{query}", role).json()
    return list(body["items"])


def kinds(api: Api, role: str) -> list[str]:
    return [n["kind"] for n in inbox(api, role)]


def test_each_reminder_reaches_the_people_it_concerns_once(api: Api) -> None:
    given = given_everything_due(api)
    # Then the branch's advisor hears of their client's contact, and of their client's
    # ticket at the branch layer (escalated there, then breached there)
    assert sorted(kinds(api, "advisor")) == [
        "contact_due",
        "contact_overdue",
        "sla_breached",
        "ticket_escalated",
    ]
    # The agents (client centre) hear of both first breaches; the administrators of both
    # escalations to headquarters, of the ticket of no branch at the branch layer, and of
    # the purchase they requested, about to lapse
    assert kinds(api, "agent") == ["sla_breached", "sla_breached"]
    assert sorted(kinds(api, "admin")) == [
        "purchase_lapsing",
        "sla_breached",
        "ticket_escalated",
        "ticket_escalated",
        "ticket_escalated",
    ]
    # The MPLs hear of the overdue milestone (the plan's MPL, Wang, has no account)
    assert kinds(api, "mpl") == ["milestone_overdue"]
    assert kinds(api, "quality") == []
    assert kinds(api, "compliance") == []
    # And each in words, with a link to what it is about
    [lapsing] = [n for n in inbox(api, "admin") if n["kind"] == "purchase_lapsing"]
    assert lapsing["link"] == f"/purchases/{given['purchase']['id']}"
    assert "700001 lapses at" in lapsing["text"]
    [overdue] = [n for n in inbox(api, "advisor") if n["kind"] == "contact_overdue"]
    assert overdue["text"].startswith("Chen Jing was due for contact on ")
    assert overdue["link"] == f"/clients/{given['quiet']}"
    # And the same ticks again tell no one anything new
    before = {role: len(inbox(api, role)) for role in ("advisor", "agent", "admin", "mpl")}
    api.engine.tick(NOW + timedelta(days=3, minutes=1))
    api.engine.projector.catch_up()
    assert {role: len(inbox(api, role)) for role in before} == before


def test_marking_read_one_and_all_and_the_unread_count(api: Api) -> None:
    given_everything_due(api)

    def unread(role: str = "advisor") -> int:
        return int(api.call("GET", "/api/v1/inbox/count", role).json()["unread"])

    assert unread() == 4
    first, *_ = inbox(api, "advisor")
    # When the advisor reads one
    done = api.call("POST", f"/api/v1/inbox/{first['id']}/read", "advisor")
    assert done.status_code == 200, done.text
    wait = f"?min_position={done.json()['position']}"
    # Then it is read, the count falls, and the unread list leaves it out
    assert inbox(api, "advisor", wait)[0]["read"] is True
    assert unread() == 3
    assert first["id"] not in [n["id"] for n in inbox(api, "advisor", "?unread=true")]
    # And reading it again records nothing
    again = api.call("POST", f"/api/v1/inbox/{first['id']}/read", "advisor").json()
    assert again["position"] <= done.json()["position"]
    # Another person's notification, or none, is not found
    agents, _ = inbox(api, "agent")
    assert api.call("POST", f"/api/v1/inbox/{agents['id']}/read", "advisor").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.call("POST", f"/api/v1/inbox/{missing}/read", "advisor").status_code == 404
    # When they mark all read, nothing is unread; the agent's inbox is untouched
    everything = api.call("POST", "/api/v1/inbox/read-all", "advisor")
    assert everything.status_code == 200, everything.text
    api.engine.projector.catch_up()
    assert unread() == 0
    assert unread("agent") == 2
    assert inbox(api, "advisor", "?unread=true") == []
    bad = api.call("POST", "/api/v1/inbox/read-all", "advisor", json={"up_to": -1})
    assert bad.status_code == 422


def test_a_rebuilt_inbox_has_the_same_notifications_and_marks(api: Api) -> None:
    given_everything_due(api)
    [first, *_] = inbox(api, "advisor")
    api.call("POST", f"/api/v1/inbox/{first['id']}/read", "advisor")
    api.engine.projector.catch_up()
    engine = api.engine
    copy = InboxView("_copy", engine.view(InboxView).warn_segments)
    copy.create(engine.db)
    ProjectionWorker(engine.store, engine.db, copy, engine.worker_config).catch_up()
    for table in InboxView.tables:
        with engine.db.read() as tx:
            old = tx.query(f"SELECT * FROM {engine.view(InboxView).t(table)}")
            new = tx.query(f"SELECT * FROM {copy.t(table)}")
        assert sorted(map(str, old)) == sorted(map(str, new)), table


def test_the_console_inbox_and_the_header_count(api: Api) -> None:
    given_everything_due(api)
    sign_in(api, "advisor")
    home = api.http.get("/today", headers=EN).text
    assert 'hx-get="/inbox/badge"' in home
    badge = api.http.get("/inbox/badge", headers=EN).text
    assert ">4</span>" in badge
    page = api.http.get("/inbox", headers=EN).text
    assert "Chen Jing was due for contact on" in page
    assert "Mark all read" in page
    zh = api.http.get("/inbox", headers=ZH).text
    assert "收件箱" in zh
    assert "Chen Jing 应于" in zh
    # Opening a notification marks it read and goes to what it is about
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    action = page.split('action="/inbox/')[2].split('"')[0]  # the newest (after the read-all form)
    opened = api.http.post(
        f"/inbox/{action}", data={"csrf": csrf}, headers=EN, follow_redirects=False
    )
    assert opened.status_code == 303, opened.text
    api.engine.projector.catch_up()
    newest = inbox(api, "advisor")[0]
    assert opened.headers["location"] == newest["link"]
    assert newest["read"] is True
    assert ">3</span>" in api.http.get("/inbox/badge", headers=EN).text


def test_the_days_page_loads_the_newest_unread(api: Api) -> None:
    given_everything_due(api)
    sign_in(api, "advisor")
    day = api.http.get("/today", headers=EN).text
    assert 'hx-get="/inbox/latest"' in day
    latest = api.http.get("/inbox/latest", headers=EN).text
    assert latest.count('action="/inbox/') == 4
    assert '<span class="badge">4</span>' in latest
    assert "Chen Jing was due for contact on" in latest


def test_assessments_and_re_audits_reach_the_advisors_and_quality(api: Api) -> None:
    given_a_bit_of_everything(api)  # a client assessed now (SH-LUJIAZUI), an audited supplier
    for days in (215, 350, 400):  # review due; re-audit due; expired and re-audit overdue
        api.engine.tick(NOW + timedelta(days=days))
    api.engine.projector.catch_up()
    advisor = kinds(api, "advisor")
    assert advisor.count("assessment_review_due") == 1
    assert advisor.count("assessment_expired") == 1
    assert kinds(api, "quality") == ["reaudit_overdue", "reaudit_due"]
    [overdue, _] = inbox(api, "quality")
    assert overdue["text"].startswith("Delta: the re-audit was due on ")
    assert overdue["link"].startswith("/suppliers/")
