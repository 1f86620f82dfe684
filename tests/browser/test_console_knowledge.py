"""The knowledge base in Chromium, on each store: an agent writes an article and watches
the preview follow the text (htmx), submits it; an editor publishes it; on a ticket's page
the knowledge card suggests it, and linking it shows it linked."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from application.service_desk.tickets import TicketCommands
from domain.service_desk import Priority, TicketChannel, TicketType
from domain.shared.base import Context
from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in

WORDS = {
    "en-US": {"save": "Save the draft", "submit": "Submit for review", "publish": "Publish",
              "version": "Version 1", "link": "Link to the ticket", "linked": "Linked articles"},
    "zh-CN": {"save": "保存草稿", "submit": "提交审核", "publish": "发布",
              "version": "第 1 版", "link": "关联到工单", "linked": "已关联文章"},
}  # fmt: skip


@STORE_AND_LANGUAGE
def test_an_article_is_written_published_and_suggested_on_a_ticket(
    console: Console, browser: Browser, locale: str
) -> None:
    words = WORDS[locale]
    agent = signed_in(browser, console, locale, "agent")
    agent.goto(f"{console.url}/kb/new")
    agent.locator("#title").fill("如何重置交易密码")
    agent.locator("#body").fill("1. 点击 **忘记密码**\n\n<script>window.hacked = 1</script>")
    # The preview follows the text, Markdown rendered and raw HTML shown as text
    expect(agent.locator("#preview strong")).to_have_text("忘记密码")
    expect(agent.locator("#preview")).to_contain_text("<script>")
    agent.locator("input[name=ticket_types][value=service_request]").check()
    console.shot(agent, f"kb-new-{locale}")
    agent.get_by_role("button", name=words["save"]).click()
    agent.get_by_role("button", name=words["submit"]).click()
    expect(agent.get_by_role("button", name=words["publish"])).to_have_count(0)
    article_url = agent.url.split("?")[0]
    editor = signed_in(browser, console, locale, "editor")
    editor.goto(article_url)
    editor.get_by_role("button", name=words["publish"]).click()
    expect(editor.locator("#text-h")).to_contain_text(words["version"])
    assert editor.evaluate("window.hacked === undefined")
    console.shot(editor, f"kb-article-{locale}")
    # A ticket about a forgotten password: the card suggests the article; link it
    ctx = Context(actor="system:test", at=console.engine.clock(), correlation_id="given")
    ticket = console.engine.handler(TicketCommands).open(
        ctx,
        client_id=None,
        type=TicketType.SERVICE_REQUEST,
        priority=Priority.P3,
        channel=TicketChannel.PHONE,
        subject="交易密码忘了，需要重置",
        description="客户忘记交易密码",
    )
    console.reached(ticket.result.position)
    agent.goto(f"{console.url}/tickets/{ticket.result.id}")
    card = agent.locator("#knowledge")
    expect(card.locator("#suggestions a").first).to_have_text("如何重置交易密码")
    card.get_by_role("button", name=words["link"]).first.click()
    expect(agent.locator("#knowledge")).to_contain_text(words["linked"])
    console.shot(agent, f"ticket-knowledge-{locale}")
