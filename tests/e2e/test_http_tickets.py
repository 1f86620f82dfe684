"""The service desk over HTTP, on each store: queue, detail, merge, reopen, stats, errors."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.shared.schemas import duration_text
from application.service_desk.tickets import TicketCommands
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import Status, TicketChannel, TicketType
from domain.shared.base import Context
from tests.conftest import client_fields
from tests.e2e.conftest import PASSWORD, Api, invalid_fields

TICKET = {
    "type": "inquiry",
    "priority": "P3",
    "channel": "phone",
    "subject": "Statement missing",
    "description": "The March statement never came.",
}


def opened(api: Api, role: str = "agent", **fields: Any) -> dict[str, Any]:
    response = api.call("POST", "/api/v1/tickets", role, json={**TICKET, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def post(
    api: Api, ticket: dict[str, Any], action: str, body: Any = None, role: str = "agent"
) -> Any:
    return api.call("POST", f"/api/v1/tickets/{ticket['id']}/{action}", role, json=body)


def test_when_opened_then_numbered_with_due_times_and_shown_with_history(api: Api) -> None:
    first, second = opened(api), opened(api, priority="P1")
    assert re.fullmatch(r"T-\d{4}-\d{6}", first["number"])
    assert int(second["number"][-6:]) == int(first["number"][-6:]) + 1
    created = datetime.fromisoformat(second["first_response_due_at"]) - timedelta(hours=1)
    assert datetime.fromisoformat(second["resolution_due_at"]) == created + timedelta(hours=8)
    post(api, first, "comments", {"body": "Looking into it", "public": True})
    moved = post(api, first, "transition", {"to": "in_progress"}).json()
    detail = api.call("GET", f"/api/v1/tickets/{first['id']}?min_position={moved['position']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "in_progress"
    assert [h["event"] for h in body["history"]] == ["Opened", "Commented", "StatusChanged"]
    assert {(h["actor"], h["actor_id"]) for h in body["history"]} == {
        ("agent", str(api.users["agent"]))
    }
    assert body["sla"]["first_response"]["state"] == "met"
    assert body["comments"][0]["body"] == "Looking into it"


def test_an_illegal_transition_is_409_naming_the_status_and_the_allowed_ones(api: Api) -> None:
    ticket = opened(api)
    response = post(api, ticket, "transition", {"to": "closed"})
    assert response.status_code == 409
    assert response.json()["detail"] == "a new ticket cannot move to closed; allowed: in_progress"
    assert post(api, ticket, "transition", {"to": "lost"}).status_code == 422


def test_ticket_errors(api: Api) -> None:
    missing = uuid.uuid4()
    assert api.call("GET", f"/api/v1/tickets/{missing}").status_code == 404
    assert (
        api.call("POST", f"/api/v1/tickets/{missing}/escalate", json={"reason": "x"}).status_code
        == 404
    )
    bad = api.call("POST", "/api/v1/tickets", json={**TICKET, "priority": "P9", "subject": ""})
    assert {e["field"] for e in bad.json()["errors"]} == {"priority", "subject"}
    unknown_client = api.call("POST", "/api/v1/tickets", json={**TICKET, "client_id": str(missing)})
    assert unknown_client.status_code == 422
    assert api.call("GET", "/api/v1/tickets", "compliance").status_code == 403
    ticket = opened(api)
    assert post(api, ticket, "satisfaction", {"score": 5}).status_code == 409
    post(api, ticket, "escalate", {"reason": "hard"})
    post(api, ticket, "escalate", {"reason": "harder"})
    assert post(api, ticket, "escalate", {"reason": "hardest"}).status_code == 409


def test_merge_links_comments_and_closes_the_duplicate(api: Api) -> None:
    original, duplicate = opened(api), opened(api)
    post(api, duplicate, "comments", {"body": "Same problem here", "public": False})
    merged = post(api, duplicate, "merge", {"into": original["id"]})
    assert merged.status_code == 200
    wait = f"min_position={merged.json()['position']}"
    target = api.call("GET", f"/api/v1/tickets/{original['id']}?{wait}").json()
    assert [c["from_ticket"] for c in target["comments"]] == [duplicate["id"]]
    assert target["history"][-1]["event"] == "MergeReceived"
    source = api.call("GET", f"/api/v1/tickets/{duplicate['id']}?{wait}").json()
    assert (source["status"], source["merged_into"]) == ("closed", original["id"])
    assert post(api, duplicate, "merge", {"into": original["id"]}).status_code == 409
    assert post(api, original, "merge", {"into": original["id"]}).status_code == 422


def test_reopen_inside_and_outside_the_window(api: Api) -> None:
    def closed_days_ago(days: int) -> uuid.UUID:
        ctx = Context(
            actor="agent",
            at=datetime.now(UTC) - timedelta(days=days, hours=2),
            correlation_id="old",
        )
        ticket_id = (
            api.engine.handler(TicketCommands)
            .open(
                ctx,
                client_id=None,
                type=TicketType.FAULT,
                priority=Priority.P4,
                channel=TicketChannel.EMAIL,
                subject="old",
                description="old",
            )
            .result.id
        )
        for step, status in enumerate((Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)):
            later = Context(
                actor="agent", at=ctx.at + timedelta(minutes=step + 1), correlation_id="old"
            )
            api.engine.handler(TicketCommands).transition(later, ticket_id, status, None)
        return ticket_id

    recent, old = closed_days_ago(3), closed_days_ago(20)
    ok = api.call("POST", f"/api/v1/tickets/{recent}/reopen", json={"reason": "again"})
    assert ok.status_code == 200
    reopened = api.call("GET", f"/api/v1/tickets/{recent}?min_position={ok.json()['position']}")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "in_progress"  # back with the agent who had it
    late = api.call("POST", f"/api/v1/tickets/{old}/reopen", json={"reason": "again"})
    assert late.status_code == 409
    assert "14 days" in late.json()["detail"]
    still = api.call("GET", f"/api/v1/tickets/{old}")
    assert still.json()["status"] == "closed"


def test_tickets_are_given_to_accounts_and_shown_with_names(api: Api) -> None:
    # Given a client's ticket, assigned to the agent by username
    client = api.created(client_fields(name="Wang Fang"))
    ticket = opened(api, client_id=client["id"])
    post(api, ticket, "assign", {"assignee": "agent"})
    last = post(api, ticket, "comments", {"body": "We are on it", "public": True}).json()
    wait = {"min_position": last["position"]}
    # When the agent lists their own tickets
    mine = api.call("GET", "/api/v1/tickets", "agent", params={**wait, "assignee": "me"})
    # Then the row names the client and the assignee, with the account id beside it,
    # and its SLA's remaining time in words
    assert mine.status_code == 200, mine.text
    [row] = mine.json()["items"]
    assert (row["client_name"], row["assignee"], row["assignee_id"]) == (
        "Wang Fang",
        "agent",
        str(api.users["agent"]),
    )
    first = row["sla"]["first_response"]
    assert first["remaining"] == duration_text(first["remaining_seconds"])
    # And the ticket shows its comment's author and its history's actors by username
    detail = api.call("GET", f"/api/v1/tickets/{ticket['id']}", "agent").json()
    assert [(c["author"], c["author_id"]) for c in detail["comments"]] == [
        ("agent", str(api.users["agent"]))
    ]
    assert {h["actor"] for h in detail["history"]} == {"agent"}
    # And nobody else's tickets are the agent's
    others = api.call("GET", "/api/v1/tickets", "advisor", params={**wait, "assignee": "me"})
    assert others.json()["items"] == []


def test_a_ticket_goes_only_to_an_enabled_account_that_works_tickets(api: Api) -> None:
    ticket = opened(api)
    path = f"/api/v1/tickets/{ticket['id']}/assign"
    # A username nobody has, an unknown id, and a role that does not work tickets
    for assignee in ("agent.nobody", str(uuid.uuid4()), "compliance", "quality"):
        refused = api.call("POST", path, json={"assignee": assignee})
        assert invalid_fields(refused) == ["assignee"], assignee
    # A disabled account
    disabled = api.call(
        "POST", f"/api/v1/users/{api.users['agent']}/disable", json={"reason": "left"}
    )
    assert disabled.status_code == 200, disabled.text
    assert invalid_fields(api.call("POST", path, json={"assignee": "agent"})) == ["assignee"]
    # An advisor and an admin may have it; null gives it back to the group
    for taker in ["advisor", str(api.users["admin"]), None]:
        given = api.call("POST", path, json={"assignee": taker})
        assert given.status_code == 200, given.text
    # And a queue filter naming nobody is a 422, not an empty list
    assert invalid_fields(api.call("GET", "/api/v1/tickets?assignee=nobody")) == ["assignee"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 min"),
        (59, "0 min"),
        (5 * 60, "5 min"),
        (3 * 3600 + 20 * 60, "3 h 20 min"),
        (2 * 3600, "2 h"),
        (26 * 3600 + 60, "1 d 2 h"),
        (3 * 86400, "3 d"),
        (-(65 * 60), "overdue 1 h 5 min"),
    ],
)
def test_remaining_time_in_words(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_the_queue_filters_and_sorts(api: Api) -> None:
    client = api.created(client_fields())
    low = opened(api, priority="P4", client_id=client["id"])
    urgent = opened(api, priority="P1", type="complaint")
    mid = opened(api, priority="P2")
    post(api, mid, "assign", {"assignee": "agent", "group": "branch"})
    last = post(api, mid, "transition", {"to": "in_progress"}).json()
    wait = f"min_position={last['position']}"

    def numbers(query: str) -> list[str]:
        response = api.call("GET", f"/api/v1/tickets?{query}&{wait}")
        assert response.status_code == 200, response.text
        return [t["number"] for t in response.json()["items"]]

    assert numbers("sort=priority") == [urgent["number"], mid["number"], low["number"]]
    assert numbers("sort=created") == [mid["number"], urgent["number"], low["number"]]
    assert numbers("sort=due")[0] == urgent["number"]
    assert numbers("type=complaint") == [urgent["number"]]
    assert numbers("status=in_progress") == [mid["number"]]
    assert numbers("assignee=agent&group=branch") == [mid["number"]]
    assert numbers(f"assignee={api.users['agent']}") == [mid["number"]]
    assert numbers("assignee=none") == [urgent["number"], low["number"]]
    assert numbers(f"client_id={client['id']}") == [low["number"]]
    assert numbers("breached=true") == []
    page = api.call("GET", f"/api/v1/tickets?limit=2&{wait}").json()
    rest = api.call("GET", f"/api/v1/tickets?limit=2&cursor={page['next_cursor']}").json()
    assert len(page["items"]) + len(rest["items"]) == 3
    assert {t["sla_state"] for t in page["items"]} == {"ok"}


def test_a_breached_ticket_shows_in_the_breached_queue(api: Api) -> None:
    ctx = Context(actor="agent", at=datetime.now(UTC) - timedelta(hours=3), correlation_id="c")
    late = api.engine.handler(TicketCommands).open(
        ctx,
        client_id=None,
        type=TicketType.FAULT,
        priority=Priority.P1,
        channel=TicketChannel.PHONE,
        subject="down",
        description="all down",
    )
    wait = f"min_position={late.result.position}"
    queue = api.call("GET", f"/api/v1/tickets?breached=true&{wait}").json()["items"]
    assert [t["number"] for t in queue] == [late.opened.number]
    assert queue[0]["sla_state"] == "breached"
    assert (
        api.engine.handler(TicketCommands)
        .record_breach(
            ctx.model_copy(update={"at": datetime.now(UTC)}), late.result.id, "first_response"
        )
        .version
        == 3  # opened, breach recorded, escalated
    )


def test_an_advisor_handles_only_the_tickets_of_their_branch(api: Api) -> None:
    # Given an advisor of SH-LUJIAZUI (logged in), a client there and one in Beijing
    token = api.http.post(
        "/api/v1/auth/token", data={"username": "advisor", "password": PASSWORD}
    ).json()
    own = {"Authorization": f"Bearer {token['access_token']}"}
    here = api.created(client_fields(branch="SH-LUJIAZUI"))
    there = api.created(client_fields(branch="BJ-JINRONGJIE"), "admin")
    # Then tickets open for the client here; the one in Beijing is not found
    mine = api.http.post("/api/v1/tickets", headers=own, json={**TICKET, "client_id": here["id"]})
    assert mine.status_code == 201
    assert (
        api.http.post(
            "/api/v1/tickets", headers=own, json={**TICKET, "client_id": there["id"]}
        ).status_code
        == 404
    )
    other = opened(api, client_id=there["id"])
    wait = f"min_position={other['position']}"
    queue = api.http.get(f"/api/v1/tickets?{wait}", headers=own).json()["items"]
    assert [t["id"] for t in queue] == [mine.json()["id"]]
    assert api.http.get(f"/api/v1/tickets/{other['id']}", headers=own).status_code == 404
    assert (
        api.http.post(
            f"/api/v1/tickets/{other['id']}/escalate", headers=own, json={"reason": "x"}
        ).status_code
        == 404
    )


def test_stats_match_a_hand_computed_example(api: Api) -> None:
    for _ in range(4):
        api.created(client_fields())
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)

    def ctx(hours: float) -> Context:
        return Context(actor="agent", at=t0 + timedelta(hours=hours), correlation_id="s")

    def ticket(kind: TicketType, priority: Priority) -> uuid.UUID:
        return (
            api.engine.handler(TicketCommands)
            .open(
                ctx(0),
                client_id=None,
                type=kind,
                priority=priority,
                channel=TicketChannel.PHONE,
                subject="s",
                description="d",
            )
            .result.id
        )

    def handle(ticket_id: uuid.UUID, respond: float, resolve: float, score: int) -> None:
        desk = api.engine.handler(TicketCommands)
        desk.transition(ctx(0.5), ticket_id, Status.IN_PROGRESS, None)
        desk.comment(ctx(respond), ticket_id, "We are on it", True)
        desk.transition(ctx(resolve), ticket_id, Status.RESOLVED, None)
        desk.rate(ctx(resolve + 1), ticket_id, score, None)

    handle(ticket(TicketType.INQUIRY, Priority.P3), respond=2, resolve=10, score=4)
    handle(ticket(TicketType.COMPLAINT, Priority.P1), respond=3, resolve=5, score=2)
    last = api.engine.handler(TicketCommands).open(
        ctx(0),
        client_id=None,
        type=TicketType.COMPLAINT,
        priority=Priority.P2,
        channel=TicketChannel.EMAIL,
        subject="s",
        description="d",
    )
    wait = f"min_position={last.result.position}"
    stats = api.call("GET", f"/api/v1/tickets/stats?group_by=type&{wait}")
    assert stats.status_code == 200, stats.text
    body = stats.json()
    by_key = {g["key"]: g for g in body["groups"]}
    assert by_key["complaint"] == {
        "key": "complaint",
        "count": 2,
        "first_response_hours_mean": 3.0,
        "first_response_hours_p90": 3.0,
        "resolution_hours_mean": 5.0,
        "resolution_hours_p90": 5.0,
        "sla_attainment_pct": 0.0,
        "satisfaction_mean": 2.0,
        "complaints": 2,
        "complaints_per_1000_clients": 500.0,
    }
    assert by_key["inquiry"]["sla_attainment_pct"] == 100.0
    total = body["total"]
    assert (
        total["count"],
        total["first_response_hours_mean"],
        total["first_response_hours_p90"],
        total["resolution_hours_mean"],
        total["resolution_hours_p90"],
        total["sla_attainment_pct"],
        total["satisfaction_mean"],
    ) == (3, 2.5, 3.0, 7.5, 10.0, 50.0, 3.0)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    empty = api.call("GET", f"/api/v1/tickets/stats?from={future}").json()
    assert empty["total"]["count"] == 0
    assert api.call("GET", "/api/v1/tickets/stats?group_by=colour").status_code == 422


def test_the_client_page_shows_open_tickets_and_latest_interactions(api: Api) -> None:
    client = api.created(client_fields())
    for n in range(7):
        api.call(
            "POST",
            f"/api/v1/clients/{client['id']}/interactions",
            "agent",
            json={"channel": "call", "summary": f"call {n}"},
        )
    still_open = opened(api, client_id=client["id"])
    done = opened(api, client_id=client["id"])
    post(api, done, "transition", {"to": "in_progress"})
    last = post(api, done, "transition", {"to": "resolved"}).json()
    api.call("GET", f"/api/v1/tickets?min_position={last['position']}")
    page = api.call("GET", f"/api/v1/clients/{client['id']}?min_position={last['position']}")
    body = page.json()
    assert [t["number"] for t in body["open_tickets"]] == [still_open["number"]]
    assert [i["summary"] for i in body["latest_interactions"]] == [
        "call 6",
        "call 5",
        "call 4",
        "call 3",
        "call 2",
    ]
