"""The risk assessment in Chromium, on each store: the advisor answers the questionnaire by
keyboard and mouse, a skipped question is refused by the page, the result is printable."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.browser.test_console_purchases import CLIENT, api
from tests.e2e.test_http_purchases import LEVELS

RESULT = {"en-US": "Assessment result", "zh-CN": "测评结果"}


@STORE_AND_LANGUAGE
def test_the_advisor_takes_the_questionnaire_and_prints_the_result(
    console: Console, browser: Browser, locale: str
) -> None:
    client = api(console, "admin").post("/api/v1/clients", json=CLIENT).json()
    page = signed_in(browser, console, locale, "advisor")
    page.goto(f"{console.url}/clients/{client['id']}/assessment")
    console.shot(page, f"assessment-{locale}")
    answers = {"horizon": "c", "varieties": "d", **LEVELS["C4"]}
    for question, option in answers.items():
        if question != "age":  # left out at first
            page.locator(f"input[name=q_{question}][value={option}]").check()
    page.locator("main form button[type=submit]").click()
    # The browser itself stops the form: the first unanswered question is required
    assert page.locator("input[name=q_age]:invalid").count() > 0
    page.locator(f"input[name=q_age][value={answers['age']}]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RESULT[locale])
    expect(page.locator("dl.result")).to_contain_text("C4")
    console.shot(page, f"assessment-result-{locale}")
    page.goto(f"{console.url}/clients/{client['id']}")
    expect(page.locator("#risk .badge")).to_have_class("badge valid")
