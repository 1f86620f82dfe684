"""The service desk on the console over HTTP, on each store: the queue's views with their
counts and filters, a new ticket for a client found by name with its due times, the
ticket's page offering only the allowed moves (a forced one refused on the page), the
other commands and their refusals, and the statistics with their CSV."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import client_fields
from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in
from tests.e2e.test_console_clients import wait_for
from tests.e2e.test_http_tickets import opened, post

HX = {**EN, "HX-Request": "true"}


def client(api: Api, name: str = "Chen Jing", branch: str = "SH-LUJIAZUI") -> str:
    done = api.created(client_fields(name=name, branch=branch), role="admin")
    wait_for(api, done["position"])
    return str(done["id"])


def page_of(api: Api, ticket: dict[str, Any], headers: dict[str, str] = EN) -> Any:
    return api.http.get(f"/tickets/{ticket['id']}?after={ticket['position']}", headers=headers)


def act(api: Api, ticket: dict[str, Any], action: str, data: dict[str, str]) -> Any:
    """Post one of the ticket page's forms as the browser would, from the page as it
    stands once the views have the ticket."""
    path = f"/tickets/{ticket['id']}"
    return post_form(api, f"{path}?after={ticket['position']}", f"{path}/{action}", data)


def forced(api: Api, ticket: dict[str, Any], action: str, data: dict[str, str]) -> Any:
    """Post a form the page does not offer, with the session's tokens (as a tampered page
    or one left open in another tab would)."""
    path = f"/tickets/{ticket['id']}"
    page = api.http.get(f"{path}?after={ticket['position']}", headers=EN)
    tokens = hidden(page.text, f"{path}/comment")
    return api.http.post(f"{path}/{action}", data={**tokens, **data}, headers=EN)


def test_given_a_client_when_the_agent_opens_a_ticket_then_its_due_times_show(api: Api) -> None:
    chen = client(api)
    sign_in(api, "agent")
    # The form finds the client by name and shows the due times for the chosen priority
    found = api.http.get("/tickets/new/clients?q=Chen", headers=HX)
    assert f'value="{chen}"' in found.text
    due = api.http.get("/tickets/new/due?priority=P1", headers=HX)
    assert "the first response is due" in due.text
    # A form without type or subject is refused field by field, nothing written
    refused = post_form(
        api, "/tickets/new", "/tickets/new", {"client_id": chen, "priority": "P2", "q": "Chen"}
    )
    assert refused.status_code == 422
    for name in ("type", "channel", "subject", "description"):
        assert f'id="{name}-error"' in refused.text
    unknown = post_form(
        api,
        "/tickets/new",
        "/tickets/new",
        {"client_id": "not-an-id", "type": "inquiry", "priority": "P2", "channel": "phone"},
    )
    assert unknown.status_code == 422
    assert 'id="client_id-error"' in unknown.text
    done = post_form(
        api,
        "/tickets/new",
        "/tickets/new",
        {
            "client_id": chen,
            "type": "complaint",
            "priority": "P2",
            "channel": "phone",
            "subject": "Statement missing",
            "description": "The March statement never came.",
        },
    )
    assert done.status_code == 303, done.text
    page = api.http.get(done.headers["location"], headers=EN)
    assert page.status_code == 200
    assert re.search(r"T-\d{4}-\d{6} · Statement missing", page.text)
    assert page.text.count("left</span>") == 2  # both clocks running, time left shown
    assert "Chen Jing" in page.text  # the client's panel
    assert "due " in page.text
    ticket_id = done.headers["location"].split("?")[0].rsplit("/", 1)[1]
    position = done.headers["location"].split("after=")[1]
    client_page = api.http.get(f"/clients/{chen}?after={position}", headers=EN).text
    assert f'href="/tickets/{ticket_id}"' in client_page
    assert f'href="/tickets/new?client_id={chen}"' in client_page


def test_given_a_new_ticket_then_only_its_allowed_moves_are_offered_and_a_forced_one_refused(
    api: Api,
) -> None:
    ticket = opened(api)
    sign_in(api, "agent")
    page = page_of(api, ticket)
    assert re.findall(r'name="to" value="(\w+)"', page.text) == ["in_progress"]
    assert "/reopen" not in page.text
    assert "/satisfaction" not in page.text
    illegal = act(api, ticket, "move", {"to": "resolved"})
    assert illegal.status_code == 409
    assert 'id="refusal"' in illegal.text
    assert "cannot move to resolved" in illegal.text.lower()
    zh = post_form(
        api,
        f"/tickets/{ticket['id']}",
        f"/tickets/{ticket['id']}/move",
        {"to": "closed"},
        headers=ZH,
    )
    assert zh.status_code == 409
    assert "不能" in zh.text
    assert act(api, ticket, "move", {"to": "in_progress"}).status_code == 303
    moved = act(api, ticket, "move", {"to": "resolved", "note": "statement re-sent"})
    assert moved.status_code == 303
    resolved = api.http.get(moved.headers["location"], headers=EN)
    assert re.findall(r'name="to" value="(\w+)"', resolved.text) == ["closed"]
    assert "/reopen" in resolved.text
    assert "/satisfaction" in resolved.text
    rated = act(api, ticket, "satisfaction", {"score": "4"})
    assert rated.status_code == 303
    closed = act(api, ticket, "move", {"to": "closed"})
    shown = api.http.get(closed.headers["location"], headers=EN).text
    assert "4 / 5" in shown
    assert "<strong>Status changed</strong>: Resolved → Closed" in shown
    assert "/satisfaction" not in shown  # rated once
    assert "/assign" not in shown  # a closed ticket is not worked on
    refused = forced(api, ticket, "satisfaction", {"score": "5"})
    assert refused.status_code == 409
    assert "rated already" in refused.text


def test_comments_assignment_priority_escalation_and_merge_on_the_page(api: Api) -> None:
    ticket, other = opened(api), opened(api, subject="Second letter")
    sign_in(api, "agent")
    act(api, ticket, "comment", {"body": "Checked the print run", "public": "no"})
    act(api, ticket, "comment", {"body": "We re-sent it today", "public": "yes"})
    empty = act(api, ticket, "comment", {"body": "  "})
    assert empty.status_code == 422
    assert 'id="body-error"' in empty.text
    assigned = act(api, ticket, "assign", {"assignee": "agent", "group": "client_centre"})
    assert assigned.status_code == 303
    nobody = act(api, ticket, "assign", {"assignee": "no.such.person"})
    assert nobody.status_code == 422
    assert 'id="assignee-error"' in nobody.text
    compliance = act(api, ticket, "assign", {"assignee": "compliance"})
    assert compliance.status_code == 422  # that role does not work tickets
    unexplained = act(api, ticket, "priority", {"priority": "P1"})
    assert unexplained.status_code == 422
    assert 'id="priority_reason-error"' in unexplained.text
    act(api, ticket, "priority", {"priority": "P1", "priority_reason": "a VIP"})
    escalated = act(api, ticket, "escalate", {"escalate_reason": "needs the branch"})
    page = api.http.get(escalated.headers["location"], headers=EN).text
    assert '<li class="comment internal">' in page
    assert '<li class="comment public">' in page
    assert "Checked the print run" in page
    assert "P3 → P1" in page
    assert "Client centre → Branch" in page
    assert "<dd>agent</dd>" in page
    unknown = act(api, ticket, "merge", {"into_number": "T-1999-000001"})
    assert unknown.status_code == 422
    assert 'id="into_number-error"' in unknown.text
    merged = act(api, ticket, "merge", {"into_number": other["number"]})
    assert merged.status_code == 303
    gone = api.http.get(merged.headers["location"], headers=EN).text
    assert f'href="/tickets/{other["id"]}"' in gone
    assert 'name="to"' not in gone  # a merged ticket moves no more
    target = page_of(api, {**other, "position": ticket["position"]}).text
    assert "We re-sent it today" in target
    assert "from a merged ticket" in target


def test_the_queue_has_views_with_counts_filters_and_refreshes_in_place(api: Api) -> None:
    first = opened(api, priority="P1", type="complaint")
    second = opened(api, priority="P4", channel="email")
    post(api, second, "transition", {"to": "in_progress"})
    moved = post(api, second, "assign", {"assignee": "agent"}).json()
    sign_in(api, "agent")
    queue = api.http.get(f"/tickets?after={moved['position']}", headers=EN)
    assert queue.status_code == 200
    counts = dict(re.findall(r'view=(\w+)[^>]*>[^<]*<span class="count">(\d+)</span>', queue.text))
    assert counts["open"] == "2"
    assert counts["new"] == "1"
    assert counts["mine"] == "1"
    assert counts["group"] == "2"  # both in the client centre, the agent's layer
    assert counts["breached"] == "0"
    assert first["number"] in queue.text
    assert second["number"] in queue.text
    mine = api.http.get("/tickets?view=mine", headers=HX)
    assert second["number"] in mine.text
    assert first["number"] not in mine.text
    assert 'hx-get="/tickets?view=mine' in mine.text  # it asks again with its own view
    assert 'hx-trigger="every' in mine.text
    by_channel = api.http.get("/tickets?channel=email&type=", headers=HX)
    assert second["number"] in by_channel.text
    assert first["number"] not in by_channel.text
    assert 'hx-get="/tickets?view=open&amp;channel=email' in by_channel.text
    assert api.http.get("/tickets?view=everything", headers=EN).status_code == 422
    assert api.http.get("/tickets?priority=P9", headers=EN).status_code == 422
    chinese = api.http.get("/tickets", headers=ZH)
    assert "待处理" in chinese.text or "新建" in chinese.text


def test_an_advisor_sees_only_the_tickets_of_their_branch(api: Api) -> None:
    theirs = client(api, "Wang Fang", "BJ-JINRONGJIE")
    mine = client(api)
    other = opened(api, client_id=theirs)
    own = opened(api, client_id=mine)
    sign_in(api, "advisor")
    queue = api.http.get(f"/tickets?after={own['position']}", headers=EN)
    assert own["number"] in queue.text
    assert other["number"] not in queue.text
    assert page_of(api, other).status_code == 404
    assert page_of(api, own).status_code == 200
    # An advisor's ticket is for a client of their branch
    without = post_form(
        api,
        "/tickets/new",
        "/tickets/new",
        {
            "type": "inquiry",
            "priority": "P3",
            "channel": "branch",
            "subject": "A question",
            "description": "About fees",
        },
    )
    assert without.status_code == 422
    assert 'id="client_id-error"' in without.text
    assert api.http.get("/tickets/new/clients?q=Wang", headers=HX).text.count("Wang Fang") == 0


def test_the_statistics_show_figures_charts_and_a_csv(api: Api) -> None:
    ticket = opened(api, type="complaint")
    post(api, ticket, "transition", {"to": "in_progress"})
    done = post(api, ticket, "transition", {"to": "resolved"}).json()
    sign_in(api, "agent")
    page = api.http.get(f"/tickets/stats?group_by=type&after={done['position']}", headers=EN)
    assert page.status_code == 200
    assert page.text.count("<svg") == 2
    assert re.search(r'<th scope="row">Complaint</th><td>1</td>', page.text)
    assert re.search(r'<th scope="row">Total</th><td>1</td>', page.text)
    csv = api.http.get("/tickets/stats.csv?group_by=priority", headers=EN)
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("priority,count,")
    assert lines[1].startswith("P3,1,")
    assert lines[-1].startswith("total,1,")
    assert api.http.get("/tickets/stats?from=yesterday", headers=EN).status_code == 422
    backwards = api.http.get("/tickets/stats?from=2026-02-01&to=2026-01-01", headers=EN)
    assert backwards.status_code == 422
    zh = api.http.get("/tickets/stats", headers=ZH)
    assert "投诉" in zh.text


def test_the_forms_carry_their_tokens(api: Api) -> None:
    ticket = opened(api)
    sign_in(api, "agent")
    page = page_of(api, ticket).text
    fields = hidden(page, f"/tickets/{ticket['id']}/comment")
    assert set(fields) == {"csrf", "form_key"}
    forged = api.http.post(
        f"/tickets/{ticket['id']}/comment", data={"body": "x", "public": "no"}, headers=EN
    )
    assert forged.status_code == 403


def test_a_later_page_of_the_queue_refreshes_itself_in_place(api: Api) -> None:
    tickets = [opened(api, subject=f"Letter {n}") for n in range(26)]
    sign_in(api, "agent")
    first = api.http.get(f"/tickets?after={tickets[-1]['position']}", headers=EN).text
    more = re.search(r'<a class="more" href="([^"]+)"', first)
    assert more
    second = api.http.get(more.group(1).replace("&amp;", "&"), headers=HX).text
    assert second.count("<tr>") == 1 + 1  # the header row and the 26th ticket
    polled = re.search(r'<div id="queue" hx-get="([^"]+)"', second)
    assert polled
    assert "cursor=" in polled.group(1)  # it asks for the same page again
    assert "First page" in second
