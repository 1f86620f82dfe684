"""The service desk in Chromium, on each store and in both languages: the agent opens a
ticket for a client found by name (the due times follow the priority as it is chosen),
works it through the only moves offered, sees the queue count it and refresh itself with
the filters kept, and reads the statistics; an advisor sees their branch's tickets only."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.browser.test_console_purchases import CLIENT, api

WORDS = {
    "en-US": {"tickets": "Tickets", "start": "Start work", "resolve": "Resolve", "mine": "Mine"},
    "zh-CN": {"tickets": "工单", "start": "开始处理", "resolve": "解决", "mine": "我的"},
}


@STORE_AND_LANGUAGE
def test_an_agent_opens_works_and_closes_a_ticket(
    console: Console, browser: Browser, locale: str
) -> None:
    words = WORDS[locale]
    api(console, "admin").post("/api/v1/clients", json=CLIENT).raise_for_status()
    page = signed_in(browser, console, locale, "agent")
    # The agent's first page is the queue
    expect(page.get_by_role("heading", level=1)).to_have_text(words["tickets"])
    page.goto(f"{console.url}/tickets/new")
    before = page.locator("#dues").inner_text()
    page.select_option("#priority", "P1")
    expect(page.locator("#dues")).not_to_have_text(before)  # the due times follow the choice
    page.locator("#client-q").fill("Li N")
    page.locator("#client-choices input[type=radio]").first.check()
    page.select_option("#type", "complaint")
    page.select_option("#channel", "phone")
    page.locator("#subject").fill("Statement missing")
    page.locator("#description").fill("The March statement never came.")
    console.shot(page, f"ticket-new-{locale}")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statement missing")
    expect(page.locator("#client-h")).to_be_visible()
    # Only the allowed move is offered; the others are not on the page at all
    moves = page.locator("form.moves button")
    expect(moves).to_have_count(1)
    expect(moves).to_have_text(words["start"])
    moves.click()
    expect(page.locator("form.moves button")).to_have_count(2)
    page.locator("#body").fill("Looking into it")
    page.locator("input[name=public][value=no]").check()
    page.locator("#body").press("Tab")
    page.locator("form[action$='/comment'] button").click()
    expect(page.locator("li.comment.internal")).to_contain_text("Looking into it")
    page.get_by_role("button", name=words["resolve"]).click()
    expect(page.locator("form[action$='/satisfaction']")).to_be_visible()
    console.shot(page, f"ticket-resolved-{locale}")
    page.locator("input[name=score][value='5']").check()
    page.locator("form[action$='/satisfaction'] button").click()
    expect(page.locator("form[action$='/satisfaction']")).to_have_count(0)


@STORE_AND_LANGUAGE
def test_the_queue_counts_and_refreshes_itself_keeping_its_filters(
    console: Console, browser: Browser, locale: str
) -> None:
    agent = api(console, "agent")
    body = {
        "type": "inquiry",
        "priority": "P3",
        "channel": "email",
        "subject": "First letter",
        "description": "d",
    }
    agent.post("/api/v1/tickets", json=body).raise_for_status()
    page = signed_in(browser, console, locale, "agent")
    page.goto(f"{console.url}/tickets")
    page.select_option("#channel", "email")
    expect(page).to_have_url(re.compile(r"channel=email"))
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    # Tickets opened elsewhere appear without a reload; the filter still applies
    agent.post("/api/v1/tickets", json={**body, "subject": "Second letter"}).raise_for_status()
    agent.post(
        "/api/v1/tickets", json={**body, "channel": "phone", "subject": "A call"}
    ).raise_for_status()
    # The poll's own request (its address, its target), sent now rather than in 20 s
    page.evaluate(
        "htmx.ajax('GET', document.querySelector('#queue').getAttribute('hx-get'), "
        "{target: '#queue', swap: 'outerHTML'})"
    )
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    expect(page.locator("table.queue")).not_to_contain_text("A call")
    expect(page.locator("nav.views a[aria-current=true] .count")).to_have_text("2")
    console.shot(page, f"ticket-queue-{locale}")


def test_an_advisor_sees_their_branch_only_and_a_forced_move_is_refused(
    console: Console, browser: Browser
) -> None:
    admin = api(console, "admin")
    theirs = admin.post(
        "/api/v1/clients",
        json={**CLIENT, "branch": "BJ-JINRONGJIE", "id_number": "110101199001011234"},
    ).json()
    body = {"type": "inquiry", "priority": "P3", "channel": "phone", "description": "d"}
    other = admin.post(
        "/api/v1/tickets", json={**body, "client_id": theirs["id"], "subject": "Beijing"}
    ).json()
    page = signed_in(browser, console, "en-US", "advisor")
    page.goto(f"{console.url}/tickets?view=all")
    expect(page.locator("main")).not_to_contain_text("Beijing")
    answer = page.goto(f"{console.url}/tickets/{other['id']}")
    assert answer is not None
    assert answer.status == 404
    # An agent's page tampered to send a move the ticket does not allow is refused on it
    agent = signed_in(browser, console, "en-US", "agent")
    agent.goto(f"{console.url}/tickets/{other['id']}")
    agent.locator("form.moves button").evaluate("b => b.value = 'closed'")
    agent.locator("form.moves button").click()
    expect(agent.locator("#refusal")).to_contain_text("cannot move to")
