"""CQP plans over HTTP, on each store: phase 1, targets and actuals, deliverables,
milestones in order with waivers, the plan view and the board, with their errors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.shared.clock import Clock
from domain.cqp.milestones import MILESTONES
from tests.e2e.conftest import Api

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
# A0 was due 25 days ago, A1 5 days ago; the rest are ahead.
PLAN = {
    m.value: (TODAY + timedelta(days=20 * i - 25)).isoformat() for i, m in enumerate(MILESTONES)
}


@pytest.fixture
def clock() -> Clock:
    """Every request of these tests reads "now" as NOW."""
    return lambda: NOW


def supplier(api: Api) -> str:
    body = {
        "name": "Delta Precision",
        "sites": [{"name": "Kunshan", "country": "CN", "city": "Kunshan"}],
        "categories": ["connectors"],
    }
    response = api.call("POST", "/api/v1/suppliers", "quality", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def created(api: Api, supplier_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "programme": "Falcon",
        "component": "USB-C receptacle",
        "supplier_id": supplier_id,
        "criteria": ["new_technology", "safety_critical"],
        "milestone_plan": PLAN,
        **fields,
    }
    response = api.call("POST", "/api/v1/cqp-plans", "mpl", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def post(api: Api, plan: dict[str, Any], action: str, body: Any = None) -> Any:
    return api.call("POST", f"/api/v1/cqp-plans/{plan['id']}/{action}", "mpl", json=body)


def prepared(api: Api, supplier_id: str, **fields: Any) -> dict[str, Any]:
    plan = created(api, supplier_id, **fields)
    for action, body in (
        ("evaluate", {"accepted": True, "reason": "new connector technology"}),
        ("review", {"participants": [{"name": "Lin Tao", "role": "SQE"}]}),
        ("agree", None),
        (
            "team",
            {"members": [{"name": "Wang Fang", "role": "MPL"}, {"name": "Lin Tao", "role": "SQE"}]},
        ),
    ):
        response = post(api, plan, action, body)
        assert response.status_code == 200, response.text
    return {**plan, "position": response.json()["position"]}


def accept(api: Api, plan: dict[str, Any], kind: str) -> Any:
    body = {"kind": kind, "reference": f"DOC-{kind}", "accepted_by": "sqe.lin"}
    response = post(api, plan, "deliverables", body)
    assert response.status_code == 201, response.text
    return response.json()


def passing(api: Api, plan: dict[str, Any], code: str, **body: Any) -> Any:
    return post(api, plan, f"milestones/{code}/pass", {"date": TODAY.isoformat(), **body})


def get(api: Api, path: str, position: int, role: str = "mpl") -> Any:
    joiner = "&" if "?" in path else "?"
    response = api.call("GET", f"{path}{joiner}min_position={position}", role)
    assert response.status_code == 200, response.text
    return response.json()


def test_creation_needs_a_criterion_every_milestone_and_a_known_supplier(api: Api) -> None:
    supplier_id = supplier(api)
    base = {
        "programme": "Falcon",
        "component": "USB-C receptacle",
        "supplier_id": supplier_id,
        "criteria": ["new_technology"],
        "milestone_plan": PLAN,
    }

    def errors(**fields: Any) -> list[str]:
        response = api.call("POST", "/api/v1/cqp-plans", "mpl", json={**base, **fields})
        assert response.status_code == 422, response.text
        return [e["field"] for e in response.json()["errors"]]

    assert errors(criteria=[]) == ["criteria"]
    assert errors(criteria=["cheap"]) == ["criteria.0"]
    partial = {k: v for k, v in PLAN.items() if k != "E3"}
    assert errors(milestone_plan=partial) == ["milestone_plan.E3"]
    assert errors(milestone_plan={**PLAN, "A2": "2000-01-01"}) == ["milestone_plan.A2"]
    assert errors(supplier_id=str(uuid.uuid4())) == ["supplier_id"]
    forbidden = api.call("POST", "/api/v1/cqp-plans", "agent", json=base)
    assert forbidden.status_code == 403


def test_phase_one_in_order_and_the_team_needs_an_mpl(api: Api) -> None:
    plan = created(api, supplier(api))
    early = post(api, plan, "review", {"participants": [{"name": "Lin Tao", "role": "SQE"}]})
    assert early.status_code == 409
    assert post(api, plan, "evaluate", {"accepted": True, "reason": "ok"}).status_code == 200
    assert post(api, plan, "agree").status_code == 409
    no_mpl = post(api, plan, "team", {"members": [{"name": "Lin Tao", "role": "SQE"}]})
    assert no_mpl.status_code == 422
    assert no_mpl.json()["errors"][0]["field"] == "members"
    rejected = created(api, supplier(api))
    said = post(api, rejected, "evaluate", {"accepted": False, "reason": "standard part"})
    assert post(api, rejected, "agree").status_code == 409
    detail = get(api, f"/api/v1/cqp-plans/{rejected['id']}", said.json()["position"])
    assert detail["phase"] == "rejected"
    assert detail["evaluation"]["reason"] == "standard part"


def test_targets_and_actuals_with_units_and_status(api: Api) -> None:
    plan = prepared(api, supplier(api))
    targets = {
        "measures": [
            {"kind": "dpm_application", "value": "50", "unit": "dpm"},
            {"kind": "dpm_specification", "value": "200", "unit": "dpm"},
            {"kind": "cpk", "value": "1.33", "unit": "index"},
            {"kind": "fit", "value": "10", "unit": "FIT"},
            {"kind": "field_failure_rate", "value": "100", "unit": "ppm/year"},
        ]
    }
    assert post(api, plan, "targets", targets).status_code == 200
    wrong_unit = post(
        api, plan, "targets", {"measures": [{"kind": "fit", "value": "1", "unit": "dpm"}]}
    )
    assert wrong_unit.status_code == 422
    assert "unit" in wrong_unit.json()["errors"][0]["field"]
    negative = post(api, plan, "actuals", {"measures": [{"kind": "cpk", "value": "-1"}]})
    assert negative.status_code == 422
    actuals = {
        "measures": [
            {"kind": "dpm_application", "value": "54"},
            {"kind": "dpm_specification", "value": "150"},
            {"kind": "cpk", "value": "1.10"},
        ]
    }
    recorded = post(api, plan, "actuals", actuals)
    assert recorded.status_code == 200
    assert recorded.json()["status"] == {
        "dpm_application": "amber",
        "dpm_specification": "green",
        "cpk": "red",
    }
    detail = get(api, f"/api/v1/cqp-plans/{plan['id']}", recorded.json()["position"])
    rows = {t["kind"]: t for t in detail["targets"]}
    assert rows["dpm_application"]["status"] == "amber"  # 54 is within 10% over 50
    assert rows["dpm_specification"]["status"] == "green"
    assert rows["cpk"]["status"] == "red"  # 1.10 < 1.33 * 0.9
    assert rows["fit"]["actual"] is None
    assert rows["fit"]["unit"] == "FIT"
    assert detail["phase"] == "verification"


def test_milestones_in_order_with_waivers_recorded(api: Api) -> None:
    plan = prepared(api, supplier(api))
    out_of_order = passing(api, plan, "A1")
    assert out_of_order.status_code == 409
    assert out_of_order.json()["expected"] == "A0"
    missing = passing(api, plan, "A0")
    assert missing.status_code == 409
    assert missing.json()["missing"] == ["key_component_list"]
    waiver = {
        "missing": ["key_component_list"],
        "reason": "list agreed in the kick-off; document follows",
        "approved_by": "sqm.zhou",
    }
    passed = passing(api, plan, "A0", note="kick-off", waiver=waiver)
    assert passed.status_code == 200, passed.text
    accept(api, plan, "key_component_list")
    accept(api, plan, "dfmea")
    a1 = passing(api, plan, "A1")
    assert a1.status_code == 200
    assert passing(api, plan, "XX").status_code == 422
    bad_waiver = passing(api, plan, "A2", waiver={**waiver, "missing": ["training"]})
    assert bad_waiver.status_code == 409
    assert bad_waiver.json()["missing"] == ["pfmea", "control_plan"]
    detail = get(api, f"/api/v1/cqp-plans/{plan['id']}", a1.json()["position"])
    assert [m["passed"] is not None for m in detail["milestones"]][:3] == [True, True, False]
    assert detail["next_milestone"] == "A2"
    assert detail["waivers"] == [{"milestone": "A0", "date": TODAY.isoformat(), **waiver}]
    first = detail["milestones"][0]
    assert (first["passed_by"], first["passed_by_id"]) == ("mpl", str(api.users["mpl"]))
    assert [d["kind"] for d in detail["deliverables"]] == ["key_component_list", "dfmea"]


def test_the_board_marks_planned_passed_and_overdue(api: Api) -> None:
    first_supplier, second_supplier = supplier(api), supplier(api)
    ahead = prepared(api, first_supplier, component="Battery pack")
    accept(api, ahead, "key_component_list")
    accept(api, ahead, "dfmea")
    passing(api, ahead, "A0")
    last = passing(api, ahead, "A1").json()
    heron_plan = prepared(api, second_supplier, programme="Heron")
    head = max(last["position"], heron_plan["position"])
    board = get(api, "/api/v1/cqp-board?programme=Falcon", head, "compliance")
    assert board["milestones"] == [m.value for m in MILESTONES]
    [row] = board["rows"]
    assert row["component"] == "Battery pack"
    assert row["milestones"]["A0"]["passed"] == TODAY.isoformat()
    assert row["milestones"]["A0"]["overdue"] is False
    assert row["milestones"]["A2"]["overdue"] is False
    everyone = get(api, "/api/v1/cqp-board", head)
    heron = next(r for r in everyone["rows"] if r["programme"] == "Heron")
    assert heron["milestones"]["A0"]["overdue"] is True  # planned 25 days ago, not passed
    assert heron["milestones"]["A1"]["overdue"] is True
    assert heron["milestones"]["A2"]["overdue"] is False
    by_supplier = get(api, f"/api/v1/cqp-board?supplier_id={first_supplier}", last["position"])
    assert [r["component"] for r in by_supplier["rows"]] == ["Battery pack"]
    assert api.call("GET", f"/api/v1/cqp-plans/{uuid.uuid4()}").status_code == 404
    assert api.call("GET", "/api/v1/cqp-board", "agent").status_code == 403
