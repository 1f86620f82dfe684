"""A purchase with a warning in Chromium, on each store: the advisor asks, the page shows
the decision at once, the client's confirmation is a tick and a channel (the warning is not
retyped), and the printable warning follows; screenshots in both languages."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_http_purchases import LEVELS

CLIENT = {
    "name": "Li Na",
    "id_number": "310101199202021234",
    "phone": "+86 13700000000",
    "email": "li.na@example.cn",
    "address": "1 Nanjing Road",
    "branch": "SH-LUJIAZUI",
    "investor_type": "ordinary",
}


def api(console: Console, role: str) -> httpx.Client:
    """A client of the API as ``role``; each write it makes returns once the views have
    applied it, so the page a test opens next shows it."""

    def settled(response: httpx.Response) -> None:
        if response.request.method == "GET" or not response.is_success:
            return
        response.read()
        body = response.json() if response.content else None
        if isinstance(body, dict) and isinstance(body.get("position"), int):
            console.reached(body["position"])

    # A generous timeout only turns a hang into a failure: under load (two test processes
    # beside a browser) a sign-in waiting for the hashing slot took over httpx's 5 s.
    http = httpx.Client(base_url=console.url, event_hooks={"response": [settled]}, timeout=60)
    token = http.post("/api/v1/auth/token", data={"username": role, "password": PASSWORD})
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return http


def given_a_c2_client_and_an_r4_fund(console: Console) -> dict[str, Any]:
    admin = api(console, "admin")
    listed = admin.post(
        "/api/v1/funds",
        json={
            "code": "000888",
            "name": "Fund 000888",
            "type": "hybrid",
            "manager": "AM",
            "inception_date": "2021-01-04",
            "risk_rating": "R4",
            "horizon": "long",
            "variety": "equity",
        },
    )
    assert listed.status_code == 201, listed.text
    client = admin.post("/api/v1/clients", json=CLIENT).json()
    answers = {"horizon": "b", "varieties": "d", **LEVELS["C2"]}
    taken = admin.post(
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "2026-1", "answers": answers},
    )
    assert taken.status_code == 201, taken.text
    return dict(client)


@STORE_AND_LANGUAGE
def test_the_client_confirms_a_warning_by_a_tick_and_a_channel(
    console: Console, browser: Browser, locale: str
) -> None:
    client = given_a_c2_client_and_an_r4_fund(console)
    page = signed_in(browser, console, locale, "advisor")
    page.goto(f"{console.url}/clients/{client['id']}/purchase?fund=000888")
    page.locator("#amount").fill("10000")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#warning-text")).to_contain_text("Suitability warning for fund 000888")
    console.shot(page, f"purchase-warning-{locale}")
    # Sending without the tick is stopped by the page itself (the box is required)
    page.locator("form.confirm button[type=submit]").click()
    expect(page.locator("#warning-text")).to_be_visible()
    page.locator("#read").check()
    page.select_option("#channel", "branch_counter")
    page.locator("form.confirm button[type=submit]").click()
    expect(page.locator("p.ok")).to_be_visible()
    console.shot(page, f"purchase-confirmed-{locale}")
    page.locator("a[href$='/print']").click()
    expect(page.locator(".signatures")).to_be_visible()
    console.shot(page, f"purchase-print-{locale}")
