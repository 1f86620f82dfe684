"""Signing in and out of the console in Chromium, in both languages, by keyboard."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.e2e.conftest import PASSWORD

WORDS = {
    "en-US": {"wrong": "Wrong username or password.", "welcome": "Today"},
    "zh-CN": {"wrong": "用户名或密码错误。", "welcome": "今日工作"},
}


@STORE_AND_LANGUAGE
def test_an_advisor_signs_in_by_keyboard_and_out_again(
    console: Console, browser: Browser, locale: str
) -> None:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    # Given the console opened by someone not signed in: the login page, in their language
    page.goto(console.url)
    expect(page).to_have_url(f"{console.url}/login")
    console.shot(page, f"login-{locale}")
    # When a wrong password is typed: the page says so, in that language
    page.get_by_label(page.locator("label[for=username]").inner_text()).fill("advisor")
    page.locator("#password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(WORDS[locale]["wrong"])
    console.shot(page, f"login-wrong-{locale}")
    # And then the right one, by keyboard alone: the home page greets the advisor
    page.locator("#username").focus()
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[locale]["welcome"])
    expect(page.locator("header")).to_contain_text("SH-LUJIAZUI")
    console.shot(page, f"home-{locale}")
    # And signing out returns to the login page, and the home page asks for a sign-in again
    page.locator("form[action='/logout'] button").click()
    expect(page).to_have_url(f"{console.url}/login")
    page.goto(console.url)
    expect(page).to_have_url(f"{console.url}/login")
    context.close()


def test_the_language_switch_keeps_the_choice(console: Console, browser: Browser) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{console.url}/login")
    expect(page.locator("label[for=username]")).to_have_text("用户名")
    page.select_option("#locale", "en")
    page.locator("form.language button").click()
    expect(page.locator("label[for=username]")).to_have_text("Username")
    page.reload()
    expect(page.locator("label[for=username]")).to_have_text("Username")
    context.close()
