"""Suppliers over HTTP, on each store: lifecycle, assessments, radar, AVL, 3SQS, corrective
actions, the lists and the scorecard, with their errors."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.shared.clock import Clock
from application.suppliers.commands import SupplierCommands
from domain.shared.base import Context
from domain.suppliers.audits import SECTION_LABELS, SECTIONS
from tests.e2e.conftest import Api, invalid_fields

SUPPLIER = {
    "name": "Delta Precision",
    "sites": [
        {"name": "Kunshan", "country": "CN", "city": "Kunshan"},
        {"name": "Taoyuan", "country": "TW", "city": "Taoyuan"},
    ],
    "categories": ["connectors", "cables"],
}
# A leap day: twelve months later is the 28th of February.
NOW = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def clock() -> Clock:
    """Every request of these tests reads "now" as NOW."""
    return lambda: NOW


def registered(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.call("POST", "/api/v1/suppliers", "quality", json={**SUPPLIER, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def post(api: Api, supplier: dict[str, Any], action: str, body: Any = None) -> Any:
    return api.call("POST", f"/api/v1/suppliers/{supplier['id']}/{action}", "quality", json=body)


def scores(value: int, **overrides: list[int]) -> dict[str, list[int]]:
    return {**{s: [value] * n for s, n in SECTIONS.items()}, **overrides}


def assessment(kind: str = "onsite", value: int = 3, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "site": "Kunshan",
        "date": TODAY.isoformat(),
        "auditors": ["sqe.lin", "sqm.zhou"] if kind == "onsite" else [],
        "scores": scores(value),
        "findings": [{"area": "plating", "severity": "minor", "text": "bath log gaps"}],
        **overrides,
    }


def get(api: Api, path: str, position: int, role: str = "quality") -> Any:
    joiner = "&" if "?" in path else "?"
    response = api.call("GET", f"{path}{joiner}min_position={position}", role)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_lifecycle_moves_one_stage_at_a_time_and_skipping_is_a_409(api: Api) -> None:
    supplier = registered(api)
    assert post(api, supplier, "stage", {"to": "survey", "note": "visited"}).status_code == 200
    skipped = post(api, supplier, "stage", {"to": "avl"})
    assert skipped.status_code == 409
    assert skipped.json()["allowed"] == ["evaluation"]
    assert "allowed next: evaluation" in skipped.json()["detail"]
    unknown = post(api, supplier, "stage", {"to": "holiday"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"].endswith("to")
    moved = post(api, supplier, "suspend", {"reason": "late deliveries"})
    detail = get(api, f"/api/v1/suppliers/{supplier['id']}", moved.json()["position"])
    assert [h["stage"] for h in detail["stage_history"]] == ["contact", "survey"]
    assert detail["status"] == "suspended"
    assert detail["status_reason"] == "late deliveries"
    assert post(api, supplier, "stage", {"to": "evaluation"}).status_code == 409
    reinstated = post(api, supplier, "reinstate", {"reason": "recovered"})
    assert reinstated.status_code == 200
    detail = get(api, f"/api/v1/suppliers/{supplier['id']}", reinstated.json()["position"])
    assert (detail["status"], detail["status_reason"]) == ("active", None)
    disqualified = post(api, supplier, "disqualify", {"reason": "fraud"})
    assert disqualified.status_code == 200
    detail = get(api, f"/api/v1/suppliers/{supplier['id']}", disqualified.json()["position"])
    assert (detail["status"], detail["status_reason"]) == ("disqualified", "fraud")
    refused = post(api, supplier, "reinstate", {"reason": "appeal"})
    assert refused.status_code == 409
    assert api.engine.store.head() == disqualified.json()["position"]  # nothing recorded


def test_an_assessment_returns_section_means_and_bad_sections_are_named(api: Api) -> None:
    supplier = registered(api)
    body = assessment(scores=scores(3, production_technology=[2, 2, 3], training=[1, 2, 3]))
    recorded = post(api, supplier, "assessments", body)
    assert recorded.status_code == 201, recorded.text
    result = recorded.json()
    assert result["section_means"]["production_technology"] == 2.3333
    # (3 * 5 + 7/3 + 2) / 7 = 19.3333 / 7
    assert result["mean"] == round((15 + 7 / 3 + 2) / 7, 4)
    assert result["passed"] is False
    wrong = post(
        api,
        supplier,
        "assessments",
        assessment(scores={**scores(3, process=[3] * 10), "logistics": [1]}),
    )
    assert wrong.status_code == 422
    fields = {e["field"] for e in wrong.json()["errors"]}
    assert fields == {"scores.process", "scores.logistics"}
    elsewhere = post(api, supplier, "assessments", assessment(site="Tianjin"))
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "site"
    future = (TODAY + timedelta(days=3)).isoformat()
    assert post(api, supplier, "assessments", assessment(date=future)).status_code == 422
    assert post(api, supplier, "assessments", assessment(kind="remote")).status_code == 422


def test_the_radar_chart_has_seven_labelled_axes_and_both_polygons(api: Api) -> None:
    supplier = registered(api)
    post(api, supplier, "assessments", assessment("self", 4))
    last = post(api, supplier, "assessments", assessment("onsite", 3)).json()
    response = api.call(
        "GET",
        f"/api/v1/suppliers/{supplier['id']}/radar.svg?min_position={last['position']}",
        "compliance",
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(response.text)  # noqa: S314 - our own SVG, not untrusted input
    ns = {"s": "http://www.w3.org/2000/svg"}
    axes = [t.text for t in svg.findall(".//s:text[@class='axis']", ns)]
    assert axes == list(SECTION_LABELS.values())
    polygons = svg.findall(".//s:polygon[@class='series']", ns)
    assert sorted(p.get("data-kind", "") for p in polygons) == ["onsite", "self"]
    legend = "".join(t.text or "" for t in svg.findall(".//s:text", ns))
    assert f"Self-assessment, Kunshan, {TODAY.isoformat()}: mean 4.00" in legend
    assert f"On-site audit, Kunshan, {TODAY.isoformat()}: mean 3.00" in legend
    assert "Pass line: every section at least 2.0" in legend
    assert len(svg.findall(".//s:polygon[@class='pass-line']", ns)) == 1
    # The self-assessment (all 4) reaches the outer ring; the audit (all 3) stays inside.
    outer = {p.get("data-kind"): p.get("points") for p in polygons}
    assert outer["self"] != outer["onsite"]
    chosen = api.call(
        "GET",
        f"/api/v1/suppliers/{supplier['id']}/radar.svg?assessments={last['assessment_id']}",
        "quality",
    )
    assert chosen.text.count('class="series"') == 1
    bad = api.call(
        "GET", f"/api/v1/suppliers/{supplier['id']}/radar.svg?assessments={uuid.uuid4()}"
    )
    assert bad.status_code == 422


def test_avl_approval_needs_a_passed_audit_and_the_list_shows_it(api: Api) -> None:
    supplier = registered(api)
    none = post(
        api, supplier, "avl", {"category": "connectors", "decision": "approve", "reason": "r"}
    )
    assert none.status_code == 409
    post(api, supplier, "assessments", assessment(scores=scores(3, process=[1] * 11)))
    failed = post(
        api, supplier, "avl", {"category": "connectors", "decision": "approve", "reason": "r"}
    )
    assert failed.status_code == 409
    assert failed.json()["failing_sections"] == ["process"]
    post(api, supplier, "assessments", assessment(value=4))
    approved = post(
        api, supplier, "avl", {"category": "connectors", "decision": "approve", "reason": "good"}
    )
    assert approved.status_code == 200, approved.text
    conditional = post(
        api,
        supplier,
        "avl",
        {"category": "cables", "decision": "approve_conditional", "reason": "watch"},
    )
    wrong = post(api, supplier, "avl", {"category": "chips", "decision": "approve", "reason": "r"})
    assert wrong.status_code == 422
    position = conditional.json()["position"]
    avl = get(api, "/api/v1/avl?category=connectors", position)
    assert [
        (r["supplier_name"], r["avl_status"], r["strategic"], r["decided_by"]) for r in avl["items"]
    ] == [("Delta Precision", "approved", True, "quality")]
    everything = get(api, "/api/v1/avl", position)["items"]
    assert {r["category"] for r in everything} == {"connectors", "cables"}
    detail = get(api, f"/api/v1/suppliers/{supplier['id']}", position)
    assert detail["avl"]["connectors"]["status"] == "approved"
    assert detail["reaudit_due_at"] == "2029-02-28"
    assert detail["latest_scores"]["mean"] == 4.0
    suspended = post(
        api, supplier, "avl", {"category": "connectors", "decision": "suspend", "reason": "ppm"}
    )
    after = get(api, "/api/v1/avl?category=connectors", suspended.json()["position"])
    assert after == {"items": [], "next_cursor": None}


def test_the_supplier_list_filters_by_stage_category_avl_and_overdue(api: Api) -> None:
    first = registered(api, name="Alpha Cables", categories=["cables"])
    second = registered(api, name="Beta Connectors", categories=["connectors"])
    post(api, first, "stage", {"to": "survey"})
    post(api, second, "assessments", assessment(value=3))
    last = post(
        api, second, "avl", {"category": "connectors", "decision": "approve", "reason": "ok"}
    ).json()

    def names(query: str) -> list[str]:
        page = get(api, f"/api/v1/suppliers?{query}", last["position"])
        return [s["name"] for s in page["items"]]

    assert names("stage=survey") == ["Alpha Cables"]
    assert names("category=connectors") == ["Beta Connectors"]
    assert names("avl=approved") == ["Beta Connectors"]
    assert names("category=cables&avl=approved") == []
    assert names("overdue=true") == []
    assert names("overdue=false") == ["Alpha Cables", "Beta Connectors"]
    assert api.call("GET", "/api/v1/suppliers?stage=nowhere").status_code == 422
    assert names("q=BETA") == ["Beta Connectors"]
    page = get(api, "/api/v1/suppliers?limit=1", last["position"])
    assert page["items"][0]["categories"] == [{"category": "cables", "avl_status": None}]
    rest = get(api, f"/api/v1/suppliers?limit=1&cursor={page['next_cursor']}", last["position"])
    assert [s["name"] for s in rest["items"]] == ["Beta Connectors"]
    assert rest["next_cursor"] is None


def test_an_overdue_reaudit_is_flagged_once_and_listed(api: Api) -> None:
    supplier = registered(api)
    old = (TODAY - timedelta(days=400)).isoformat()
    post(api, supplier, "assessments", assessment(date=old))
    # When the scheduler's command runs twice
    now = Context(actor="system:scheduler", at=NOW, correlation_id="job")
    first = api.engine.handler(SupplierCommands).record_reaudit_due(now, uuid.UUID(supplier["id"]))
    again = api.engine.handler(SupplierCommands).record_reaudit_due(now, uuid.UUID(supplier["id"]))
    assert again.version == first.version  # idempotent: nothing new recorded
    overdue = get(api, "/api/v1/suppliers?overdue=true", first.position)
    assert [s["id"] for s in overdue["items"]] == [supplier["id"]]
    assert overdue["items"][0]["reaudit_overdue"] is True
    refused = post(
        api, supplier, "avl", {"category": "cables", "decision": "approve", "reason": "old"}
    )
    assert refused.status_code == 409
    assert "out of date" in refused.json()["detail"]


def test_corrective_actions_in_order_and_the_scorecard(api: Api) -> None:
    supplier = registered(api)
    opened = post(
        api,
        supplier,
        "corrective-actions",
        {"problem": "burrs on pins", "part": "CN-12", "severity": "major"},
    )
    assert opened.status_code == 201
    caid = opened.json()["corrective_action_id"]
    base = f"corrective-actions/{caid}"
    early = post(api, supplier, f"{base}/verify", {"text": "x", "effective": True})
    assert early.status_code == 409
    assert "next comes analysed" in early.json()["detail"]
    assert post(api, supplier, f"{base}/analysis", {"text": "worn die"}).status_code == 200
    assert post(api, supplier, f"{base}/action", {"text": "new die"}).status_code == 200
    assert post(api, supplier, f"{base}/verify", {"text": "ok"}).status_code == 422
    verified = post(api, supplier, f"{base}/verify", {"text": "clean", "effective": True})
    assert verified.status_code == 200
    missing = post(api, supplier, f"corrective-actions/{uuid.uuid4()}/analysis", {"text": "x"})
    assert missing.status_code == 404
    second = post(
        api, supplier, "corrective-actions", {"problem": "label smudge", "severity": "minor"}
    )
    post(api, supplier, f"{base}/close", {"text": "closed"})
    post(api, supplier, "sqs", {"step": "prevention", "rating": 3, "evidence": "FMEA"})
    rated = post(api, supplier, "sqs", {"step": "fa_ca", "rating": 2, "evidence": "8D late"})
    assert (
        post(api, supplier, "sqs", {"step": "fa_ca", "rating": 7, "evidence": "x"}).status_code
        == 422
    )
    post(api, supplier, "assessments", assessment("self", 2))
    last = post(api, supplier, "assessments", assessment("onsite", 3)).json()
    card = get(api, f"/api/v1/suppliers/{supplier['id']}/scorecard", last["position"], "mpl")
    assert card["corrective_actions"] == {"open": 1, "closed": 1}
    assert card["sqs"] == {
        "prevention": 3,
        "early_detection": None,
        "screen_capability": None,
        "fa_ca": 2,
    }
    assert [(t["kind"], t["mean"]) for t in card["audit_trend"]] == [
        ("onsite", 3.0),
        ("self", 2.0),
    ]
    detail = get(api, f"/api/v1/suppliers/{supplier['id']}", rated.json()["position"])
    assert [c["problem"] for c in detail["open_corrective_actions"]] == ["label smudge"]
    assert second.status_code == 201


def test_roles_unknown_ids_and_bad_bodies(api: Api) -> None:
    assert api.call("POST", "/api/v1/suppliers", "agent", json=SUPPLIER).status_code == 403
    assert api.call("POST", "/api/v1/suppliers", "mpl", json=SUPPLIER).status_code == 403
    assert api.call("GET", "/api/v1/suppliers", "advisor").status_code == 403
    assert api.call("GET", f"/api/v1/suppliers/{uuid.uuid4()}", "quality").status_code == 404
    missing = api.call(
        "POST", f"/api/v1/suppliers/{uuid.uuid4()}/stage", "quality", json={"to": "survey"}
    )
    assert missing.status_code == 404
    no_sites = api.call("POST", "/api/v1/suppliers", "quality", json={**SUPPLIER, "sites": []})
    assert no_sites.status_code == 422
    assert no_sites.json()["errors"][0]["field"].endswith("sites")
    twice = {**SUPPLIER, "sites": [SUPPLIER["sites"][0]] * 2}
    assert api.call("POST", "/api/v1/suppliers", "quality", json=twice).status_code == 422


def test_a_replayed_assessment_answers_the_same_and_records_once(api: Api) -> None:
    supplier = registered(api)
    headers = {"Idempotency-Key": "audit-2026-kunshan"}
    path = f"/api/v1/suppliers/{supplier['id']}/assessments"
    first = api.call("POST", path, "quality", json=assessment(), headers=headers)
    again = api.call("POST", path, "quality", json=assessment(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    detail = get(api, f"/api/v1/suppliers/{supplier['id']}", again.json()["position"])
    assert len(detail["assessments"]) == 1


def test_the_checklist_lists_sections_items_scale_and_areas(api: Api) -> None:
    # When a quality engineer reads the checklist
    response = api.call("GET", "/api/v1/supplier-audits/checklist", "quality")
    # Then it has the seven sections with their item counts, each item in both languages
    assert response.status_code == 200, response.text
    body = response.json()
    assert {s["key"]: len(s["items"]) for s in body["sections"]} == SECTIONS
    assert [s["number"] for s in body["sections"]] == [f"{n}.0" for n in range(1, 8)]
    design = next(s for s in body["sections"] if s["key"] == "design_technology")
    assert (design["label_en"], design["items"][0]["id"]) == (
        "Design Technology",
        "design_technology.1",
    )
    assert all(i["text_en"] and i["text_zh"] for s in body["sections"] for i in s["items"])
    # And what 0 to 4 means, the findings' areas and severities
    assert [step["score"] for step in body["scale"]] == [0, 1, 2, 3, 4]
    assert {a["key"] for a in body["finding_areas"]} >= {"plating", "assembly_test"}
    assert body["severities"] == ["minor", "major", "critical"]
    assert api.call("GET", "/api/v1/supplier-audits/checklist", "advisor").status_code == 403


def test_an_assessment_scored_by_item_id_equals_one_scored_by_position(api: Api) -> None:
    # Given the checklist's item ids, and an audit scoring process.2 with 0, the rest 3
    sections = api.call("GET", "/api/v1/supplier-audits/checklist", "quality").json()["sections"]
    by_item = {i["id"]: 3 for s in sections for i in s["items"]} | {"process.2": 0}
    supplier = registered(api)
    # When it is recorded by item id
    by_id = post(
        api, supplier, "assessments", {**assessment(), "scores": None, "scores_by_item": by_item}
    )
    # Then its result is the one of the same scores by position
    by_position = post(
        api, registered(api), "assessments", assessment(scores=scores(3, process=[3, 0] + [3] * 9))
    )
    assert by_id.status_code == 201, by_id.text
    keys = ("section_means", "mean", "passed", "failing_sections")
    assert {k: by_id.json()[k] for k in keys} == {k: by_position.json()[k] for k in keys}
    # And a missing item, an unknown one, or both kinds of scores name what is wrong
    missing = {k: v for k, v in by_item.items() if k != "training.3"}
    refused = post(
        api, supplier, "assessments", {**assessment(), "scores": None, "scores_by_item": missing}
    )
    assert invalid_fields(refused) == ["scores_by_item.training.3"]
    unknown = post(
        api,
        supplier,
        "assessments",
        {**assessment(), "scores": None, "scores_by_item": by_item | {"process.12": 2}},
    )
    assert invalid_fields(unknown) == ["scores_by_item.process.12"]
    both = post(api, supplier, "assessments", {**assessment(), "scores_by_item": by_item})
    assert invalid_fields(both) == ["scores"]
