"""Administration in Chromium, on each store and in both languages: an administrator opens
an account and reads its first password once, the new person signs in with it, the account
is disabled with a reason; operations show the views and rebuild one with its progress."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in

WORDS = {
    "en-US": {"disabled": "Disabled", "rebuilt": "Rebuilt to position"},
    "zh-CN": {"disabled": "已停用", "rebuilt": "已重建至位置"},
}


@STORE_AND_LANGUAGE
def test_an_admin_opens_an_account_whose_holder_signs_in_then_disables_it(
    console: Console, browser: Browser, locale: str
) -> None:
    words = WORDS[locale]
    page = signed_in(browser, console, locale, "admin")
    page.goto(f"{console.url}/admin/accounts")
    page.locator("#username").fill("agent.sun")
    page.select_option("#new-role", "agent")
    page.locator("form[action='/admin/accounts/new'] button").click()
    password = page.locator("#new-password").inner_text()
    assert len(password) >= 12
    console.shot(page, f"admin-password-{locale}")
    # The holder signs in with it, in a browser of their own
    newcomer = signed_in(browser, console, locale, "agent.sun", password)
    expect(newcomer.locator("main h1")).to_be_visible()
    page.goto(f"{console.url}/admin/accounts?q=agent.sun")
    row = page.locator("tbody tr", has_text="agent.sun")
    row.locator("input[name=reason]").fill("left the firm")
    row.locator("form[action$='/disable'] button").click()
    expect(page.locator("tbody tr", has_text="agent.sun")).to_contain_text(words["disabled"])
    console.shot(page, f"admin-accounts-{locale}")


@STORE_AND_LANGUAGE
def test_operations_rebuild_a_view_showing_its_progress(
    console: Console, browser: Browser, locale: str
) -> None:
    page = signed_in(browser, console, locale, "admin")
    page.goto(f"{console.url}/admin/operations")
    expect(page.locator("#view-tickets")).to_be_visible()
    page.locator("#view-funds form[action$='/rebuild'] button").click()
    # The table asks for itself while the rebuild runs, until it says it is done
    expect(page.locator("#view-funds")).to_contain_text(WORDS[locale]["rebuilt"], timeout=30_000)
    console.shot(page, f"admin-operations-{locale}")
