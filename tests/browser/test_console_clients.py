"""The advisor's client pages in Chromium, on each store: register a client, find them by a
phone fragment as one types (htmx), log an interaction, and meet a stale form; every page
photographed in both languages."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.e2e.conftest import PASSWORD

WORDS = {
    "en-US": {"clients": "Clients", "register": "Register a client", "stale": "Someone else"},
    "zh-CN": {"clients": "客户", "register": "登记客户", "stale": "其他人修改了此客户"},
}


def signed_in(
    browser: Browser, console: Console, locale: str, username: str, password: str = PASSWORD
) -> Page:
    page = browser.new_context(locale=locale).new_page()
    page.goto(f"{console.url}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


@STORE_AND_LANGUAGE
def test_an_advisor_registers_finds_and_serves_a_client(
    console: Console, browser: Browser, locale: str
) -> None:
    words = WORDS[locale]
    page = signed_in(browser, console, locale, "advisor")
    console.shot(page, f"today-{locale}")
    page.get_by_role("link", name=words["clients"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["clients"])
    page.get_by_role("link", name=words["register"]).click()
    console.shot(page, f"client-new-{locale}")
    # A form sent with a field missing comes back with the field named, the rest kept
    page.locator("#name").fill("Chen Jing")
    page.locator("#id_number").fill("310101198805061234")
    page.locator("#phone").fill("+86 13812345678")
    page.locator("#address").fill("88 Century Avenue")
    page.locator("#email").evaluate("e => e.removeAttribute('required')")
    page.locator("form.grid button[type=submit]").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#phone")).to_have_value("+86 13812345678")
    page.locator("#email").fill("chen.jing@example.cn")
    page.locator("form.grid button[type=submit]").click()
    # The client's page shows the new client at once, the identity number masked
    expect(page.get_by_role("heading", level=1)).to_have_text("Chen Jing")
    expect(page.locator("#profile")).to_contain_text("**************1234")
    console.shot(page, f"client-page-{locale}")
    client_url = page.url.split("?")[0]
    # Logging an interaction lands back on the page with it listed
    page.locator("#summary").fill("Bond fund switch")
    page.locator("#interactions button[type=submit]").click()
    expect(page.locator("#interactions tbody")).to_contain_text("Bond fund switch")
    # Typing a phone fragment narrows the list without a page load (htmx)
    page.goto(f"{console.url}/clients")
    page.locator("#q").fill("no such client")
    expect(page.locator("#results")).not_to_contain_text("Chen Jing")
    page.locator("#q").fill("1381234")
    expect(page.locator("#results")).to_contain_text("Chen Jing")
    expect(page).to_have_url(re.compile(r"q=1381234"))
    console.shot(page, f"clients-{locale}")
    # Two people edit the same client: the second save is told what the first changed
    other = signed_in(browser, console, locale, "agent")
    page.goto(f"{client_url}/edit")
    other.goto(f"{client_url}/edit")
    other.locator("#phone").fill("+86 13900000000")
    other.locator("form.grid button[type=submit]").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Chen Jing")
    page.locator("#email").fill("chen@example.com")
    page.locator("form.grid button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_contain_text(words["stale"])
    expect(page.locator(".notice")).to_contain_text("+86 13900000000")
    console.shot(page, f"client-stale-{locale}")


def test_a_role_without_the_module_meets_a_403_page(console: Console, browser: Browser) -> None:
    page = signed_in(browser, console, "zh-CN", "quality")
    response = page.goto(f"{console.url}/clients")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("您的角色无权访问此页面")
    console.shot(page, "forbidden-zh-CN")
