"""Communication plans over HTTP on each store: the clients due for contact by their tier's
cadence, the scheduler's reminders recorded once, a logged contact satisfying the plan, and
the plan's adherence by branch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from adapters.shared.clock import Clock
from application.clients.commands import ClientCommands
from domain.clients import Channel
from domain.shared.base import Context
from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields
from tests.e2e.console import EN, ZH, sign_in

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)  # noon in Shanghai


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


def at(days_ago: int, actor: str = "system:test") -> Context:
    return Context(actor=actor, at=NOW - timedelta(days=days_ago), correlation_id="given")


def given_clients(api: Api) -> dict[str, UUID]:
    """``standard`` registered 200 days ago and never contacted (due day 182: overdue 18
    days); ``platinum`` contacted by the advisor 26 days ago (due in 4 days); ``gold``
    contacted 10 days ago (due in 81); ``elsewhere`` of another branch, overdue."""
    clients = api.engine.handler(ClientCommands)
    ids = {
        "standard": clients.register(at(200), **client_fields()).id,
        "platinum": clients.register(at(100), **client_fields(tier="platinum")).id,
        "gold": clients.register(at(100), **client_fields(tier="gold")).id,
        "elsewhere": clients.register(at(400), **client_fields(branch="BJ-JINRONGJIE")).id,
    }
    advisor = str(api.users["advisor"])
    clients.log_interaction(at(26, advisor), ids["platinum"], Channel.CALL, "call", None)
    clients.log_interaction(at(10), ids["gold"], Channel.VISIT, "visit", None)
    return ids


def test_an_advisor_lists_their_branchs_clients_due_for_contact(api: Api) -> None:
    ids = {k: str(v) for k, v in given_clients(api).items()}
    api.engine.projector.catch_up()
    # When the advisor asks who is due within the notice period (7 days)
    body = api.call("GET", "/api/v1/contacts/due", "advisor").json()
    # Then their branch's overdue client comes first, then the one due in 4 days
    assert [(i["client_id"], i["state"], i["days_overdue"]) for i in body["items"]] == [
        (ids["standard"], "overdue", 18),
        (ids["platinum"], "due", 0),
    ]
    due = body["items"][1]
    assert (due["tier"], due["due_on"], due["last_contact_by"]) == (
        "platinum",
        str((NOW + timedelta(days=4)).date()),
        "advisor",
    )
    # And ``advisor=me`` keeps the clients they contacted last; ``before`` looks further
    mine = api.call("GET", "/api/v1/contacts/due?advisor=me", "advisor").json()["items"]
    assert [i["client_id"] for i in mine] == [ids["platinum"]]
    later = api.call("GET", f"/api/v1/contacts/due?before={(NOW + timedelta(days=90)).date()}")
    assert [i["client_id"] for i in later.json()["items"]] == [
        ids["elsewhere"],
        ids["standard"],
        ids["platinum"],
        ids["gold"],
    ]
    # And the client's detail carries their plan
    detail = api.call("GET", f"/api/v1/clients/{ids['standard']}", "advisor").json()
    assert detail["contact_plan"] == {
        "tier": "standard",
        "every_days": 182,
        "due_on": str((NOW - timedelta(days=18)).date()),
        "state": "overdue",
        "days_overdue": 18,
        "last_contact_at": None,
        "last_contact_by": None,
    }
    # And bad input is named; an agent may not read the plans
    assert invalid_fields(api.call("GET", "/api/v1/contacts/due?advisor=nobody")) == [
        "query.advisor"
    ]
    assert invalid_fields(api.call("GET", "/api/v1/contacts/due?before=tomorrow")) == [
        "query.before"
    ]
    assert api.call("GET", "/api/v1/contacts/due", "agent").status_code == 403


def test_the_scheduler_records_each_reminder_once_and_a_contact_satisfies_it(api: Api) -> None:
    ids = given_clients(api)
    # When the scheduler ticks, twice
    assert api.engine.tick(NOW)["contacts"] == 3  # standard and elsewhere overdue, platinum due
    assert api.engine.tick(NOW + timedelta(minutes=1))["contacts"] == 0
    history = api.call("GET", f"/api/v1/clients/{ids['standard']}/history").json()["events"]
    assert [e["type"] for e in history if "Contact" in e["type"]] == [
        "Client.ContactFellDue",
        "Client.ContactBecameOverdue",
    ]
    # When the advisor logs a call with the overdue client
    logged = api.call(
        "POST",
        f"/api/v1/clients/{ids['standard']}/interactions",
        "advisor",
        json={"channel": "call", "summary": "caught up"},
    )
    assert logged.status_code == 201, logged.text
    # Then they are no longer due, and the branch's adherence counts the late contact
    wait = f"min_position={logged.json()['position']}"
    due = api.call("GET", f"/api/v1/contacts/due?{wait}", "advisor").json()["items"]
    assert [i["client_id"] for i in due] == [str(ids["platinum"])]
    [branch] = api.call("GET", f"/api/v1/contacts/adherence?{wait}", "advisor").json()
    assert branch == {
        "branch": "SH-LUJIAZUI",
        "on_time": 1,  # gold: visited on day 90 of 91
        "late": 2,  # platinum: called on day 74 of 30; standard: just now, on day 200 of 182
        "overdue": 0,
        "share_on_time": pytest.approx(1 / 3),
    }
    every = api.call("GET", f"/api/v1/contacts/adherence?{wait}").json()
    assert [(b["branch"], b["overdue"]) for b in every] == [
        ("BJ-JINRONGJIE", 1),
        ("SH-LUJIAZUI", 0),
    ]
    assert invalid_fields(api.call("GET", "/api/v1/contacts/adherence?days=0")) == ["query.days"]


def test_the_console_shows_the_plan_on_the_day_the_client_the_list_and_the_dashboard(
    api: Api,
) -> None:
    ids = {k: str(v) for k, v in given_clients(api).items()}
    api.engine.projector.catch_up()
    sign_in(api, "advisor")
    # The day's page: the overdue client, then the one due in 4 days
    day = api.http.get("/today", headers=EN).text
    due = day.split('id="contacts-h"')[1].split("</section>")[0]
    assert due.index(ids["standard"]) < due.index(ids["platinum"])
    assert "18 days overdue" in due
    assert "never contacted" in due
    assert ids["gold"] not in due
    # The client's page: the plan, its cadence and the next contact due
    page = api.http.get(f"/clients/{ids['platinum']}", headers=EN).text
    plan = page.split('id="plan"')[1].split("</section>")[0]
    assert "30 days between contacts" in plan
    assert "due soon" in plan
    assert "advisor" in plan  # who made the last contact
    zh = api.http.get(f"/clients/{ids['standard']}", headers=ZH).text
    assert "沟通计划" in zh
    assert "逾期 18 天" in zh
    # The list: overdue only, or further ahead
    overdue = api.http.get("/contacts?ahead=0", headers=EN).text
    assert ids["standard"] in overdue
    assert ids["platinum"] not in overdue
    quarter = api.http.get("/contacts?ahead=90", headers=EN).text
    assert ids["gold"] in quarter
    assert ids["elsewhere"] not in quarter  # another branch
    assert api.http.get("/contacts?ahead=999", headers=EN).status_code == 422
    # The dashboard: the share of contacts on time (gold on time; platinum late; one overdue)
    board = api.http.get("/dashboard", headers=EN).text
    cell = board.split('id="on-time-SH-LUJIAZUI"')[1].split("</td>")[0]
    assert "33%" in cell
    assert "(1 / 3)" in cell
    sign_in(api, "agent")
    assert api.http.get("/contacts", headers=EN).status_code == 403
