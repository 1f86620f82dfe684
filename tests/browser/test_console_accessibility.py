"""Every console page under axe-core (bundled by axe-playwright-python: no other host), in
both languages, for the role that uses it: no serious or critical violation. Accessibility
does not depend on the store: this runs on SQLite. Each page is photographed on the way
(``var/screenshots/page-<locale>-<role>-<path>.png``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from domain.cqp.milestones import MILESTONES
from domain.suppliers.audits import SECTIONS
from tests.browser.conftest import Console
from tests.browser.test_console_clients import signed_in
from tests.browser.test_console_purchases import api, given_a_c2_client_and_an_r4_fund

SERIOUS = {"serious", "critical"}


@pytest.fixture
def store_kind() -> str:
    return "sqlite"


def pages(console: Console) -> dict[str, list[str]]:
    """Given a client with an assessment, a fund with NAVs and a confirmed warning: the
    pages of each role."""
    client = given_a_c2_client_and_an_r4_fund(console)
    admin = api(console, "admin")
    for day, nav in (("2026-11-02", "1.0100"), ("2026-11-03", "1.0200")):
        admin.post(
            "/api/v1/funds/000888/nav",
            json={"date": day, "unit_nav": nav, "accumulated_nav": nav},
        )
    bought = (
        api(console, "advisor")
        .post(
            f"/api/v1/clients/{client['id']}/purchases",
            json={"fund_code": "000888", "amount": "10000.00"},
        )
        .json()
    )
    detail = admin.get(f"/api/v1/clients/{client['id']}?min_position={bought['position']}")
    assessment = detail.json()["risk"]["assessment_id"]
    ticket = (
        api(console, "agent")
        .post(
            "/api/v1/tickets",
            json={
                "client_id": client["id"],
                "type": "complaint",
                "priority": "P2",
                "channel": "phone",
                "subject": "Statement missing",
                "description": "The March statement never came.",
            },
        )
        .json()
    )
    supplier, audit, plan = given_a_supplier_with_an_audit_and_a_plan(console)
    c, p = f"/clients/{client['id']}", f"/purchases/{bought['id']}"
    s = f"/suppliers/{supplier}"
    return {
        "advisor": [
            "/today",
            "/clients",
            "/clients/new",
            c,
            f"{c}/edit",
            f"{c}/assessment",
            f"{c}/assessments/{assessment}",
            f"{c}/funds",
            f"{c}/purchase",
            p,
            f"{p}/print",
            "/funds",
            "/funds/000888?range=all",
            "/funds/rankings",
            "/password",
            "/preferences",
            "/dashboard",
            "/feedback",
            "/contacts",
            "/inbox",
        ],
        "compliance": [
            "/compliance/overrides",
            f"/compliance/purchases/{bought['id']}/replay",
            "/compliance/reviews",
            "/compliance/audit",
            f"/compliance/history?kind=clients&ref={client['id']}&at=2030-01-01T00:00",
        ],
        "agent": [
            "/tickets",
            "/tickets?view=all&channel=phone",
            "/tickets/new",
            f"/tickets/{ticket['id']}",
            "/tickets/stats",
        ],
        "admin": [
            "/",
            f"{c}/erase",
            "/clients?q=Li",
            "/admin/accounts",
            "/admin/logins",
            "/admin/operations",
        ],
        "quality": [
            "/suppliers",
            "/suppliers/new",
            s,
            f"{s}/assessments/new",
            f"{s}/assessments/{audit}",
            "/corrective-actions?who=all",
            "/clients",  # a 403 page
        ],
        "mpl": ["/cqp", "/cqp/new", f"/cqp/{plan}"],
    }


def given_a_supplier_with_an_audit_and_a_plan(console: Console) -> tuple[str, str, str]:
    quality = api(console, "quality")
    supplier = quality.post(
        "/api/v1/suppliers",
        json={
            "name": "Delta Precision",
            "sites": [{"name": "Kunshan", "country": "CN", "city": "Kunshan"}],
            "categories": ["connectors"],
        },
    ).json()["id"]
    quality.post(
        f"/api/v1/suppliers/{supplier}/corrective-actions",
        json={"problem": "Burrs on pins", "severity": "major"},
    ).raise_for_status()
    audit = quality.post(
        f"/api/v1/suppliers/{supplier}/assessments",
        json={
            "kind": "onsite",
            "site": "Kunshan",
            "date": "2026-01-15",
            "auditors": ["sqe.lin"],
            "scores": {k: [3] * n for k, n in SECTIONS.items()},
        },
    )
    assert audit.status_code == 201, audit.text
    plan = api(console, "mpl").post(
        "/api/v1/cqp-plans",
        json={
            "programme": "Falcon",
            "component": "USB-C receptacle",
            "supplier_id": supplier,
            "criteria": ["new_technology"],
            "milestone_plan": {m.value: f"2027-{n + 1:02d}-15" for n, m in enumerate(MILESTONES)},
        },
    )
    assert plan.status_code == 201, plan.text
    return supplier, audit.json()["assessment_id"], plan.json()["id"]


def shot_name(path: str) -> str:
    """A file name for a page: its path, each id written "id", without the query."""
    parts = [
        "id" if re.fullmatch(r"[0-9a-f-]{36}", p) else p
        for p in path.split("?", maxsplit=1)[0].split("/")
        if p
    ]
    return "-".join(parts) or "home"


def violations(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_no_page_has_a_serious_accessibility_violation(
    console: Console, browser: Browser, locale: str
) -> None:
    found: dict[str, Any] = {}
    login = browser.new_context(locale=locale).new_page()
    login.goto(f"{console.url}/login")
    found["/login"] = violations(login)
    for role, paths in pages(console).items():
        page = signed_in(browser, console, locale, role)
        for path in paths:
            page.goto(f"{console.url}{path}")
            found[f"{role} {path}"] = violations(page)
            console.shot(page, f"page-{locale}-{role}-{shot_name(path)}")
        page.context.close()
    assert {k: v for k, v in found.items() if v} == {}


def test_the_check_finds_a_field_without_a_label(console: Console, browser: Browser) -> None:
    # The harness itself: a page given an unlabelled field and low contrast is caught
    page = browser.new_context().new_page()
    page.goto(f"{console.url}/login")
    page.evaluate(
        """() => {
        document.querySelector("main").insertAdjacentHTML("beforeend",
          '<input id="x"><p style="color:#ccc;background:#fff">faint</p>');
    }"""
    )
    assert {v["id"] for v in violations(page)} >= {"label", "color-contrast"}
