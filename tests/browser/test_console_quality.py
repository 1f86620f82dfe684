"""Supplier quality and CQP in Chromium, on each store and in both languages: a quality
engineer registers a supplier, moves it along its stage line, records an on-site audit on
the checklist form and sees an approval refused on the failing section; an MPL creates a
plan from the board, prepares it, and passes A0 with a waiver for what is missing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import Browser, Page, expect

from domain.cqp.milestones import MILESTONES
from domain.suppliers.checklist import CHECKLIST
from tests.browser.conftest import STORE_AND_LANGUAGE, Console
from tests.browser.test_console_clients import signed_in
from tests.browser.test_console_purchases import api

WORDS = {
    "en-US": {"survey": "Move to Survey", "failing": "Failing sections:", "approve": "Approve"},
    "zh-CN": {"survey": "进入「调查」", "failing": "未达标的部分：", "approve": "批准"},
}


def given_a_supplier(console: Console) -> dict[str, Any]:
    body = {
        "name": "Delta Precision",
        "sites": [{"name": "Kunshan", "country": "CN", "city": "Kunshan"}],
        "categories": ["connectors"],
    }
    created = api(console, "quality").post("/api/v1/suppliers", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def score_every_item(page: Page, value: int, training: int) -> None:
    """Tick a score for each of the checklist's items (the training section lower)."""
    for section in CHECKLIST:
        score = training if section.key == "training" else value
        for item in section.items:
            page.locator(f"input[name='item:{item.id}'][value='{score}']").check()


@STORE_AND_LANGUAGE
def test_a_quality_engineer_audits_and_an_approval_on_a_failing_audit_is_refused(
    console: Console, browser: Browser, locale: str
) -> None:
    words = WORDS[locale]
    supplier = given_a_supplier(console)
    page = signed_in(browser, console, locale, "quality")
    page.goto(f"{console.url}/suppliers/{supplier['id']}")
    expect(page.locator("form.moves button")).to_have_count(1)  # only the next stage
    page.get_by_role("button", name=words["survey"]).click()
    expect(page.locator("ol.stages li.current")).to_have_count(1)
    expect(page.locator("form.moves button[value=evaluation]")).to_have_count(1)
    page.goto(f"{console.url}/suppliers/{supplier['id']}/assessments/new?kind=onsite")
    # Sending with an item left unscored is stopped by the page (every item is required)
    page.locator("form.assessment button[type=submit]").click()
    expect(page.locator("form.assessment")).to_be_visible()
    expect(page.locator("#form-errors")).to_have_count(0)  # the browser did not send it
    score_every_item(page, 3, training=1)
    page.locator("#auditors").fill("sqe.lin")
    page.locator("#finding_text_1").fill("bath log has gaps")
    console.shot(page, f"supplier-assessment-{locale}")
    page.locator("form.assessment button[type=submit]").click()
    expect(page.locator("#verdict")).to_be_visible()
    expect(page.locator("tr.failing")).to_have_count(1)
    expect(page.locator("figure.chart svg polygon.pass-line")).to_have_count(1)
    console.shot(page, f"supplier-assessment-result-{locale}")
    page.goto(f"{console.url}/suppliers/{supplier['id']}#avl")
    expect(page.locator("#approval-check")).to_contain_text(words["failing"])
    page.locator("#avl_reason-1").fill("audit done")
    page.get_by_role("button", name=words["approve"], exact=True).click()
    expect(page.locator("#refusal")).to_contain_text(words["failing"])
    console.shot(page, f"supplier-avl-refused-{locale}")


@STORE_AND_LANGUAGE
def test_an_mpl_creates_prepares_a_plan_and_passes_a0_with_a_waiver(
    console: Console, browser: Browser, locale: str
) -> None:
    supplier = given_a_supplier(console)
    page = signed_in(browser, console, locale, "mpl")
    # The board is the MPL's first page
    expect(page).to_have_url(f"{console.url}/cqp")
    page.goto(f"{console.url}/cqp/new")
    page.locator("#component").fill("USB-C receptacle")
    page.locator("#programme").fill("Falcon")
    page.select_option("#supplier_id", supplier["id"])
    page.locator("input[name=criteria][value=new_technology]").check()
    start = date.today() - timedelta(days=5)
    for n, milestone in enumerate(MILESTONES):
        page.locator(f"#plan_{milestone.value}").fill((start + timedelta(days=30 * n)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=accepted][value=yes]").check()
    page.locator("#evaluation_reason").fill("new connector technology")
    page.locator("form[action$='/evaluate'] button").click()
    page.locator("#reviewer_name_1").fill("Lin Tao")
    page.locator("#reviewer_role_1").fill("SQE")
    page.locator("form[action$='/review'] button").click()
    page.locator("form[action$='/agree'] button").click()
    # A team without its MPL is refused on the page; with one, it is set
    page.locator("#member_name_1").fill("Lin Tao")
    page.locator("#member_role_1").fill("SQE")
    page.locator("form[action$='/team'] button").click()
    expect(page.locator("#members-error")).to_be_visible()
    page.locator("#member_name_2").fill("Wang Fang")
    page.locator("#member_role_2").fill("MPL")
    page.locator("form[action$='/team'] button").click()
    expect(page.locator("#pass-check")).to_be_visible()
    # What is missing shows before passing, and the waiver is asked for it
    expect(page.locator("input[name=waive]")).to_have_count(1)
    page.locator("#date").fill(date.today().isoformat())
    page.locator("#waiver_reason").fill("the list follows with the pilot run")
    page.locator("#waiver_approved_by").fill("Zhou Min")
    console.shot(page, f"cqp-pass-{locale}")
    page.locator("form[action$='/pass'] button").click()
    expect(page.locator("#milestones tbody tr").first).to_contain_text("Zhou Min")
    page.goto(f"{console.url}/cqp")
    expect(page.locator("table.board td.passed")).to_have_count(1)
    console.shot(page, f"cqp-board-{locale}")


@STORE_AND_LANGUAGE
def test_a_corrective_action_goes_in_order_and_closing_early_is_refused(
    console: Console, browser: Browser, locale: str
) -> None:
    supplier = given_a_supplier(console)
    page = signed_in(browser, console, locale, "quality")
    page.goto(f"{console.url}/suppliers/{supplier['id']}#actions")
    page.locator("#problem").fill("Burrs on pins")
    page.select_option("#severity", "major")
    page.locator("form[action$='/actions'] button").click()
    action = page.locator("article.action")
    expect(action.locator("form")).to_have_attribute("action", re.compile(r"/analysis$"))
    # A page tampered to close it before its verification is refused, in words
    action.locator("form").evaluate("f => f.action = f.action.replace(/analysis$/, 'close')")
    action.locator("textarea").fill("done")
    action.locator("form button").click()
    expect(page.locator("#refusal")).to_be_visible()
    page.goto(f"{console.url}/corrective-actions")
    expect(page.locator("main table")).to_contain_text("Burrs on pins")
    console.shot(page, f"corrective-actions-{locale}")
