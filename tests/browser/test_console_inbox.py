"""The inbox in Chromium, on each store: the header's count arrives by itself (htmx), the
day's page lists the newest unread, and opening one goes to its client and marks it read;
the communication plan shows on the client's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, expect

from application.clients.commands import ClientCommands
from domain.shared.base import Context
from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.conftest import client_fields

WORDS = {
    "en-US": {"plan": "Communication plan", "overdue": "days overdue"},
    "zh-CN": {"plan": "沟通计划", "overdue": "逾期"},
}


@STORE_AND_LANGUAGE
def test_the_header_counts_the_unread_and_a_notification_opens_its_client(
    console: Console, browser: Browser, locale: str
) -> None:
    # Given a client of the advisor's branch never contacted in 200 days, and the
    # scheduler's tick: due and overdue, two notifications for the branch's advisors
    now = datetime.now(UTC)
    ctx = Context(actor="system:test", at=now - timedelta(days=200), correlation_id="given")
    client = console.engine.handler(ClientCommands).register(ctx, **client_fields())
    assert console.engine.tick(now)["contacts"] == 1
    console.reached(console.engine.store.head())
    page = signed_in(browser, console, locale, "advisor")
    page.goto(f"{console.url}/today")
    # The header's count and the day's inbox card load by themselves
    expect(page.locator("#inbox-badge .badge")).to_have_text("2")
    card = page.locator("section[aria-labelledby=inbox-h]")
    expect(card.locator("form button")).to_have_count(2)
    console.shot(page, f"today-inbox-{locale}")
    # Opening one goes to the client's page, with the communication plan
    card.locator("form button").first.click()
    page.wait_for_url(f"**/clients/{client.id}")
    plan = page.locator("#plan")
    expect(plan).to_contain_text(WORDS[locale]["plan"])
    expect(plan).to_contain_text(WORDS[locale]["overdue"])
    # And back on the day's page (once the views have the read mark), one is left unread
    console.reached(console.engine.store.head())
    page.goto(f"{console.url}/today")
    expect(page.locator("#inbox-badge .badge")).to_have_text("1")
    page.goto(f"{console.url}/inbox")
    console.shot(page, f"inbox-{locale}")
