"""Risk-tolerance assessment over HTTP, on each store."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import client_fields
from tests.e2e.conftest import Api


def questionnaire(api: Api) -> dict[str, Any]:
    response = api.call("GET", "/api/v1/questionnaires/current", "agent")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def answers(api: Api, pick: int = 1) -> dict[str, str]:
    return {
        q["id"]: q["options"][min(pick, len(q["options"]) - 1)]["id"]
        for q in questionnaire(api)["questions"]
    }


def test_the_current_questionnaire_shows_questions_but_no_scores(api: Api) -> None:
    body = questionnaire(api)
    assert body["version"] == "2026-1"
    assert 10 <= len(body["questions"]) <= 15
    assert "score" not in str(body)


def test_when_assessed_then_201_with_the_result_and_the_client_shows_it_valid(api: Api) -> None:
    client = api.created(client_fields())
    response = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "2026-1", "answers": answers(api, 2)},
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert set(result) >= {
        "id",
        "version",
        "position",
        "score",
        "risk_level",
        "horizon",
        "varieties",
        "lowest_category",
        "review_due_at",
        "expires_at",
    }
    assert result["risk_level"] in {"C1", "C2", "C3", "C4", "C5"}
    view = api.call(
        "GET", f"/api/v1/clients/{client['id']}?min_position={result['position']}"
    ).json()
    assert view["risk"]["status"] == "valid"
    assert view["risk"]["level"] == result["risk_level"]
    assert view["risk"]["assessment_id"] == result["id"]


def test_a_client_without_assessment_shows_status_none(api: Api) -> None:
    client = api.created(client_fields())
    view = api.call(
        "GET", f"/api/v1/clients/{client['id']}?min_position={client['position']}"
    ).json()
    assert view["risk"]["status"] == "none"
    assert view["suitability_exemption"] == {"exempt": False, "reason": None}


def test_when_answers_are_missing_or_unknown_then_422_names_them(api: Api) -> None:
    client = api.created(client_fields())
    given = answers(api)
    del given["loss"]
    given["income"] = "zzz"
    response = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "2026-1", "answers": given},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"answers.loss", "answers.income"}
    unknown = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "1999-1", "answers": answers(api)},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "questionnaire_version"


def test_unknown_client_is_404_and_quality_role_is_403(api: Api) -> None:
    path = f"/api/v1/clients/{uuid.uuid4()}/risk-assessments"
    body = {"questionnaire_version": "2026-1", "answers": answers(api)}
    assert api.call("POST", path, json=body).status_code == 404
    assert api.call("POST", path, "quality", json=body).status_code == 403
    assert api.call("GET", "/api/v1/questionnaires/current", "quality").status_code == 403


def test_confirm_without_assessment_is_409_and_with_one_moves_the_review(api: Api) -> None:
    client = api.created(client_fields())
    base = f"/api/v1/clients/{client['id']}/risk-assessments"
    assert api.call("POST", f"{base}/confirm", "agent").status_code == 409
    taken = api.call(
        "POST", base, json={"questionnaire_version": "2026-1", "answers": answers(api)}
    ).json()
    confirmed = api.call("POST", f"{base}/confirm", "agent")
    assert confirmed.status_code == 200
    assert confirmed.json()["id"] == taken["id"]
    assert confirmed.json()["version"] == 2


def test_exemption_is_for_professionals_only(api: Api) -> None:
    ordinary = api.created(client_fields())
    professional = api.created(client_fields(investor_type="professional"))
    body = {"reason": "licensed fund manager"}
    assert (
        api.call(
            "POST", f"/api/v1/clients/{ordinary['id']}/suitability-exemption", json=body
        ).status_code
        == 409
    )
    done = api.call(
        "POST", f"/api/v1/clients/{professional['id']}/suitability-exemption", json=body
    )
    assert done.status_code == 200
    view = api.call(
        "GET", f"/api/v1/clients/{professional['id']}?min_position={done.json()['position']}"
    ).json()
    assert view["suitability_exemption"] == {"exempt": True, "reason": "licensed fund manager"}


def test_the_same_assessment_sent_twice_with_a_key_is_taken_once(api: Api) -> None:
    client = api.created(client_fields())
    path = f"/api/v1/clients/{client['id']}/risk-assessments"
    body = {"questionnaire_version": "2026-1", "answers": answers(api)}
    headers = {"Idempotency-Key": "assess-1"}
    first = api.call("POST", path, json=body, headers=headers)
    again = api.call("POST", path, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
