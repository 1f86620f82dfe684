"""The console's refusals in Chromium: a throttled login, an expired session that returns
to its page after signing in again, and a double-clicked form that writes once."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.browser.test_console_purchases import api
from tests.e2e.conftest import PASSWORD

EXPIRED = {"en-US": "Your session has expired", "zh-CN": "您的会话已过期"}
THROTTLED = {"en-US": "Too many failed attempts", "zh-CN": "失败次数过多"}


@STORE_AND_LANGUAGE
def test_a_throttled_login_says_how_long_to_wait(
    console: Console, browser: Browser, locale: str
) -> None:
    page = browser.new_context(locale=locale).new_page()
    page.goto(f"{console.url}/login")
    for _ in range(6):
        page.locator("#username").fill("agent")
        page.locator("#password").fill("not the password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text(THROTTLED[locale])
    console.shot(page, f"login-throttled-{locale}")


@STORE_AND_LANGUAGE
def test_an_expired_session_signs_in_again_and_returns_to_its_page(
    console: Console, browser: Browser, locale: str
) -> None:
    page = signed_in(browser, console, locale, "advisor")
    page.goto(f"{console.url}/funds?max_risk=R3")
    # The idle mark gone is what an idle session looks like to the server
    page.context.clear_cookies(name="assure_seen")
    page.goto(f"{console.url}/funds?max_risk=R3")
    expect(page.get_by_role("alert")).to_contain_text(EXPIRED[locale])
    console.shot(page, f"session-expired-{locale}")
    page.locator("#username").fill("advisor")
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console.url}/funds?max_risk=R3")


def test_a_form_sent_twice_at_once_registers_one_client(console: Console, browser: Browser) -> None:
    page = signed_in(browser, console, "en-US", "advisor")
    page.goto(f"{console.url}/clients/new")
    for name, value in {
        "name": "Zhao Lei",
        "id_number": "310101198001011234",
        "phone": "+86 13600000000",
        "email": "zhao.lei@example.cn",
        "address": "2 Huaihai Road",
    }.items():
        page.locator(f"#{name}").fill(value)
    # The same filled-in form posted twice at the same moment (a double click, or a
    # resubmission while the first answer is on its way), with the browser's cookies
    statuses = page.evaluate(
        """async () => {
        const form = document.querySelector("form.grid");
        const send = () => fetch(form.action, {
            method: "POST", body: new URLSearchParams(new FormData(form)), redirect: "manual"});
        const answers = await Promise.all([send(), send()]);
        return answers.map(a => a.type);
    }"""
    )
    assert statuses == ["opaqueredirect", "opaqueredirect"]  # both answered "done: go on"
    admin = api(console, "admin")
    head = admin.get("/health").json()["head"]  # both writes are in: read once views have them
    listed = admin.get("/api/v1/clients", params={"q": "Zhao Lei", "min_position": head})
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 1
