"""The compliance officer's desk in Chromium, on each store: from the override register to
the replay marked consistent, the register's CSV, the audit log's chain verified on demand,
and a record as it stood at an instant; an advisor kept to their branch."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, expect

from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.browser.test_console_purchases import api, given_a_c2_client_and_an_r4_fund

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORDS = {
    "en-US": {"consistent": "Consistent", "verified": "Verified up to position"},
    "zh-CN": {"consistent": "一致", "verified": "校验至位置"},
}


@STORE_AND_LANGUAGE
def test_the_officer_replays_an_override_exports_it_and_verifies_the_chain(
    console: Console, browser: Browser, locale: str
) -> None:
    client = given_a_c2_client_and_an_r4_fund(console)
    bought = (
        api(console, "advisor")
        .post(
            f"/api/v1/clients/{client['id']}/purchases",
            json={"fund_code": "000888", "amount": "5000.00"},
        )
        .json()
    )
    confirmed = api(console, "agent").post(
        f"/api/v1/purchases/{bought['id']}/confirm",
        json={"acknowledgement": bought["suitability"]["warning_text"], "channel": "phone"},
    )
    assert confirmed.status_code == 200, confirmed.text
    position = confirmed.json()["position"]
    page = signed_in(browser, console, locale, "compliance")
    page.goto(f"{console.url}/compliance/overrides?after={position}")
    console.shot(page, f"overrides-{locale}")
    page.locator(f"a[href='/compliance/purchases/{bought['id']}/replay']").click()
    expect(page.get_by_role("status")).to_contain_text(WORDS[locale]["consistent"])
    console.shot(page, f"replay-{locale}")
    # The register as CSV, with a byte-order mark for spreadsheet programs
    page.goto(f"{console.url}/compliance/overrides")
    with page.expect_download() as download:
        page.locator("a[href^='/compliance/overrides.csv']").click()
    path = download.value.path()
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert bought["id"] in path.read_text("utf-8-sig")
    # The chain, verified now
    page.goto(f"{console.url}/compliance/audit")
    page.locator("form[action='/compliance/audit/verify'] button").click()
    expect(page.locator("#chain [role=status]")).to_contain_text(WORDS[locale]["verified"])
    console.shot(page, f"audit-{locale}")
    # The client as it stood before a later change of phone: the phone is marked
    instant = datetime.now(SHANGHAI).replace(microsecond=0) + timedelta(seconds=1)
    while datetime.now(SHANGHAI) <= instant:  # the change must come after that instant
        threading.Event().wait(0.05)
    changed = api(console, "agent").patch(
        f"/api/v1/clients/{client['id']}", json={"phone": "+86 13900000000"}
    )
    assert changed.status_code == 200
    page.goto(f"{console.url}/compliance/history")
    page.select_option("#kind", "clients")
    page.locator("#ref").fill(client["id"])
    page.locator("#at").fill(instant.replace(tzinfo=None).isoformat())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("tr.changed").filter(has_text="phone")).to_contain_text("+86 13700000000")
    console.shot(page, f"history-{locale}")


def test_an_advisor_meets_another_branchs_client_as_not_found(
    console: Console, browser: Browser
) -> None:
    other = (
        api(console, "admin")
        .post(
            "/api/v1/clients",
            json={
                "name": "Wang Fang",
                "id_number": "110101199001011234",
                "phone": "+86 13500000000",
                "email": "wang.fang@example.cn",
                "address": "1 Financial Street",
                "branch": "BJ-JINRONGJIE",
                "investor_type": "ordinary",
            },
        )
        .json()
    )
    page = signed_in(browser, console, "en-US", "advisor")
    response = page.goto(f"{console.url}/clients/{other['id']}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("outside your branch")
