"""Suitability at purchase over HTTP, on each store: decisions, overrides, registers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.clients.risk import RiskCommands
from application.suitability.purchases import PurchaseCommands
from domain.shared.base import Context
from tests.conftest import client_fields
from tests.e2e.conftest import Api

LOW = {
    "age": "a",
    "income": "a",
    "assets": "a",
    "share": "a",
    "experience": "a",
    "knowledge": "a",
    "objective": "a",
    "drawdown": "a",
    "obligations": "a",
}
LEVELS: dict[str, dict[str, str]] = {  # long horizon, every variety, small losses accepted
    "C1": {**LOW, "loss": "a"},
    "C2": {**LOW, "loss": "b"},
    "C3": {**LOW, "age": "b", "income": "b", "loss": "b"},
    "C4": dict.fromkeys(LOW, "b") | {"loss": "b"},
    "C5": {
        "age": "d",
        "income": "d",
        "assets": "d",
        "share": "d",
        "experience": "d",
        "knowledge": "d",
        "objective": "c",
        "drawdown": "c",
        "obligations": "c",
        "loss": "b",
    },
}


def assessed_client(
    api: Api, level: str, expect: str | None = None, **answers: str
) -> dict[str, Any]:
    client = api.created(client_fields())
    given = {"horizon": "c", "varieties": "d", **LEVELS[level], **answers}
    taken = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "2026-1", "answers": given},
    )
    assert taken.status_code == 201, taken.text
    assert taken.json()["risk_level"] == (expect or level)
    return {**client, "position": taken.json()["position"]}


def fund(
    api: Api, code: str, rating: str, horizon: str = "medium", variety: str = "equity"
) -> dict[str, Any]:
    response = api.call(
        "POST",
        "/api/v1/funds",
        json={
            "code": code,
            "name": f"Fund {code}",
            "type": "hybrid",
            "manager": "AM",
            "inception_date": "2021-01-04",
            "risk_rating": rating,
            "horizon": horizon,
            "variety": variety,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def buy(api: Api, client: dict[str, Any], code: str, role: str = "advisor") -> Any:
    return api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/purchases",
        role,
        json={"fund_code": code, "amount": "10000.00"},
    )


TABLE = {  # DOMAIN.md §4, C1..C5 against R1..R5
    "C1": ["match", "block", "block", "block", "block"],
    "C2": ["match", "match", "warn", "warn", "warn"],
    "C3": ["match", "match", "match", "warn", "warn"],
    "C4": ["match", "match", "match", "match", "warn"],
    "C5": ["match", "match", "match", "match", "match"],
}
STATUS = {"match": "accepted", "warn": "confirmation_required", "block": "rejected"}


@pytest.mark.parametrize(
    ("level", "rating", "outcome"),
    [(level, f"R{n}", row[n - 1]) for level, row in TABLE.items() for n in range(1, 6)],
)
def test_a_purchase_answers_the_table(api: Api, level: str, rating: str, outcome: str) -> None:
    status = STATUS[outcome]
    fund(api, "000777", rating)
    client = assessed_client(api, level)
    response = buy(api, client, "000777")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["suitability"]["outcome"]) == (status, outcome)
    s = body["suitability"]
    assert (s["client_level"], s["fund_rating"], s["fund_version"]) == (level, rating, 1)
    assert s["assessment_version"] == 1
    assert s["rule_version"] == "suitability-2026.1"


def test_given_a_warning_when_confirmed_with_its_text_then_accepted_and_registered(
    api: Api,
) -> None:
    fund(api, "000888", "R4", horizon="long")
    client = assessed_client(api, "C2", horizon="b")
    body = buy(api, client, "000888").json()
    warning = body["suitability"]["warning_text"]
    assert [m["dimension"] for m in body["suitability"]["mismatches"]] == ["risk", "horizon"]
    path = f"/api/v1/purchases/{body['id']}"
    wrong = api.call(
        "POST", f"{path}/confirm", "agent", json={"acknowledgement": "yes", "channel": "phone"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "acknowledgement"
    ok = api.call(
        "POST", f"{path}/confirm", "agent", json={"acknowledgement": warning, "channel": "phone"}
    )
    assert ok.status_code == 200
    wait = f"min_position={ok.json()['position']}"
    purchase = api.call("GET", f"{path}?{wait}").json()
    assert (purchase["status"], purchase["channel"]) == ("accepted", "phone")
    assert (purchase["confirmed_by"], purchase["confirmed_by_id"]) == (
        "agent",
        str(api.users["agent"]),
    )
    again = api.call(
        "POST", f"{path}/confirm", json={"acknowledgement": warning, "channel": "phone"}
    )
    assert again.status_code == 409
    register = api.call("GET", f"/api/v1/compliance/overrides?fund=000888&{wait}", "compliance")
    assert register.status_code == 200
    [entry] = register.json()["items"]
    assert entry["warning_text"] == warning
    assert (entry["confirmed_by"], entry["confirmed_by_id"]) == ("agent", str(api.users["agent"]))
    assert (entry["client_level"], entry["fund_rating"], entry["channel"]) == ("C2", "R4", "phone")
    assert entry["client_name"] == "Chen Jing"
    assert api.call("GET", "/api/v1/compliance/overrides", "advisor").status_code == 403


def test_a_blocked_purchase_cannot_be_confirmed_or_cancelled(api: Api) -> None:
    fund(api, "000999", "R3")
    client = assessed_client(api, "C1")
    body = buy(api, client, "000999").json()
    assert body["suitability"]["reason"] == "a lowest-category client cannot buy above R1"
    path = f"/api/v1/purchases/{body['id']}"
    assert (
        api.call(
            "POST", f"{path}/confirm", json={"acknowledgement": "x", "channel": "online"}
        ).status_code
        == 409
    )
    assert api.call("POST", f"{path}/cancel").status_code == 409


def test_without_an_assessment_the_purchase_is_rejected_with_the_reason(api: Api) -> None:
    fund(api, "000555", "R1")
    client = api.created(client_fields())
    body = buy(api, client, "000555").json()
    assert (body["status"], body["suitability"]["reason"]) == ("rejected", "no risk assessment")


def test_an_exempt_professional_buys_without_warnings(api: Api) -> None:
    fund(api, "000444", "R5")
    client = api.created(client_fields(investor_type="professional"))
    api.call(
        "POST", f"/api/v1/clients/{client['id']}/suitability-exemption", json={"reason": "licensed"}
    )
    body = buy(api, client, "000444").json()
    assert (body["status"], body["suitability"]["outcome"]) == ("accepted", "exempt")


def test_an_expired_assessment_rejects_the_purchase(api: Api) -> None:
    fund(api, "000556", "R1")
    client = api.created(client_fields())
    old = Context(
        actor="system:test", at=datetime.now(UTC) - timedelta(days=400), correlation_id="old"
    )
    answers = {"horizon": "c", "varieties": "d", **LEVELS["C3"]}
    api.engine.handler(RiskCommands).assess(old, UUID(client["id"]), "2026-1", answers)
    body = buy(api, client, "000556").json()
    assert (body["status"], body["suitability"]["reason"]) == (
        "rejected",
        "the risk assessment has expired",
    )


def test_a_variety_the_client_does_not_accept_warns(api: Api) -> None:
    fund(api, "000557", "R1", horizon="short", variety="derivatives")
    client = assessed_client(api, "C4", "C4", varieties="c")
    body = buy(api, client, "000557").json()
    assert body["status"] == "confirmation_required"
    assert body["suitability"]["mismatches"] == [
        {"dimension": "variety", "client": "cash,fixed_income,equity", "fund": "derivatives"}
    ]


def test_purchase_errors_and_roles(api: Api) -> None:
    fund(api, "000333", "R1")
    client = assessed_client(api, "C3")
    unknown_fund = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/purchases",
        json={"fund_code": "123456", "amount": "5"},
    )
    assert unknown_fund.status_code == 422
    assert unknown_fund.json()["errors"][0]["field"] == "fund_code"
    bad = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/purchases",
        json={"fund_code": "000333", "amount": "-5"},
    )
    assert bad.status_code == 422
    assert buy(api, client, "000333", "agent").status_code == 403
    assert (
        api.call("GET", "/api/v1/purchases/00000000-0000-4000-8000-000000000000").status_code == 404
    )


def test_a_client_lists_purchases_and_can_cancel_one(api: Api) -> None:
    fund(api, "000222", "R1")
    client = assessed_client(api, "C3")
    first = buy(api, client, "000222").json()
    cancelled = api.call(
        "POST", f"/api/v1/purchases/{first['id']}/cancel", json={"reason": "client changed mind"}
    )
    assert cancelled.status_code == 200
    listed = api.call(
        "GET",
        f"/api/v1/clients/{client['id']}/purchases?min_position={cancelled.json()['position']}",
    ).json()["items"]
    assert [(p["status"], p["cancel_reason"]) for p in listed] == [
        ("cancelled", "client changed mind")
    ]


def test_suitable_funds_match_on_every_dimension(api: Api) -> None:
    fund(api, "000101", "R2", horizon="short", variety="fixed_income")
    fund(api, "000102", "R3", horizon="long", variety="equity")
    fund(api, "000103", "R2", horizon="long", variety="derivatives")
    last = fund(api, "000104", "R4", horizon="short", variety="equity")
    # C4's answers with a medium horizon and no derivatives score a C3
    client = assessed_client(api, "C4", "C3", horizon="b", varieties="c")
    wait = f"min_position={max(last['position'], client['position'])}"
    codes = [
        f["code"]
        for f in api.call("GET", f"/api/v1/clients/{client['id']}/suitable-funds?{wait}").json()[
            "items"
        ]
    ]
    assert codes == ["000101"]
    nobody = api.created(client_fields())
    assert (
        api.call(
            "GET",
            f"/api/v1/clients/{nobody['id']}/suitable-funds?min_position={nobody['position']}",
        ).json()["items"]
        == []
    )


def test_when_a_held_funds_rating_rises_above_the_level_then_the_client_is_flagged(
    api: Api,
) -> None:
    fund(api, "000606", "R2")
    holder = assessed_client(api, "C3")
    bold = assessed_client(api, "C5")
    assert buy(api, holder, "000606").json()["status"] == "accepted"
    assert buy(api, bold, "000606").json()["status"] == "accepted"
    raised = api.call(
        "POST",
        "/api/v1/funds/000606/risk-rating",
        "compliance",
        json={"rating": "R4", "reason": "strategy changed"},
    ).json()
    flags = api.call(
        "GET", f"/api/v1/compliance/reviews?min_position={raised['position']}", "compliance"
    ).json()["items"]
    assert [
        (f["client_id"], f["client_name"], f["previous_rating"], f["rating"], f["client_level"])
        for f in flags
    ] == [(holder["id"], "Chen Jing", "R2", "R4", "C3")]


def test_a_purchase_waiting_past_the_deadline_reads_as_lapsed_and_cannot_be_confirmed(
    api: Api,
) -> None:
    fund(api, "000558", "R5")
    client = assessed_client(api, "C2")
    earlier = Context(
        actor=str(api.users["advisor"]),
        at=datetime.now(UTC) - timedelta(hours=25),
        correlation_id="late",
    )
    taken = api.engine.handler(PurchaseCommands).request(
        earlier, UUID(client["id"]), "000558", Decimal("1000")
    )
    assert taken.requested.status.value == "confirmation_required"
    path = f"/api/v1/purchases/{taken.result.id}"
    assert (
        api.call("GET", f"{path}?min_position={taken.result.position}").json()["status"] == "lapsed"
    )
    late = api.call(
        "POST",
        f"{path}/confirm",
        json={"acknowledgement": taken.requested.decision.warning_text, "channel": "online"},
    )
    assert late.status_code == 409
