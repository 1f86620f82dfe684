"""Who reaches what: an advisor's branch scope over clients, the branches as reference data,
and tokens that stop working when their account changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import jwt

from adapters.staff.auth import TokenClaims
from tests.conftest import client_fields
from tests.e2e.conftest import PASSWORD, Api, invalid_fields
from tests.e2e.test_http_purchases import LEVELS, buy, fund

SECRET = "test-secret-key-not-for-production-use-0123456789"


def beijing_client(api: Api) -> dict[str, Any]:
    """A client of BJ-JINRONGJIE, assessed, with a purchase waiting for confirmation."""
    client = api.created(client_fields(branch="BJ-JINRONGJIE"), "admin")
    answers = {"horizon": "c", "varieties": "d", **LEVELS["C2"]}
    assessed = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "2026-1", "answers": answers},
    )
    assert assessed.status_code == 201, assessed.text
    fund(api, "000777", "R4")
    bought = buy(api, client, "000777", role="admin")
    assert bought.status_code == 201, bought.text
    return {**client, "purchase": bought.json()["id"], "position": bought.json()["position"]}


def test_an_advisor_reaches_only_the_clients_of_their_branch(api: Api) -> None:
    # Given a client in Beijing and one in the advisor's own branch, Shanghai Lujiazui
    there = beijing_client(api)
    here = api.created(client_fields(branch="SH-LUJIAZUI"))
    wait = f"min_position={max(there['position'], here['position'])}"
    # When the advisor lists clients, with or without asking for Beijing's
    listed = api.call("GET", f"/api/v1/clients?{wait}", "advisor").json()["items"]
    asked = api.call("GET", f"/api/v1/clients?branch=BJ-JINRONGJIE&{wait}", "advisor").json()
    # Then only their branch's client is there
    assert [c["id"] for c in listed] == [here["id"]]
    assert asked["items"] == []
    # And every read and write of the Beijing client is a 404, as for no client at all
    c, p = f"/api/v1/clients/{there['id']}", f"/api/v1/purchases/{there['purchase']}"
    for method, path, body in [
        ("GET", c, None),
        ("GET", f"{c}?as_of=2030-01-01T00:00:00Z", None),
        ("PATCH", c, {"phone": "+86 13800000000"}),
        ("POST", f"{c}/tier", {"tier": "gold", "reason": "assets grew"}),
        ("POST", f"{c}/tags", {"add": ["x"]}),
        ("GET", f"{c}/interactions", None),
        ("POST", f"{c}/interactions", {"channel": "phone", "summary": "called"}),
        ("POST", f"{c}/feedback", {"rating": 5}),
        ("POST", f"{c}/risk-assessments/confirm", {}),
        ("POST", f"{c}/suitability-exemption", {"reason": "professional"}),
        ("GET", f"{c}/suitable-funds", None),
        ("GET", f"{c}/purchases", None),
        ("POST", f"{c}/purchases", {"fund_code": "000777", "amount": "10.00"}),
        ("GET", p, None),
        ("POST", f"{p}/confirm", {"warning_text": "x", "method": "in_person"}),
        ("POST", f"{p}/cancel", {"reason": "changed their mind"}),
    ]:
        response = api.call(method, path, "advisor", json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert "BJ-JINRONGJIE" not in response.text
    # And the roles serving the whole firm reach it
    for role in ("admin", "agent", "compliance"):
        assert api.call("GET", f"{c}?{wait}", role).status_code == 200, role
        names = {x["id"] for x in api.call("GET", f"/api/v1/clients?{wait}", role).json()["items"]}
        assert names == {here["id"], there["id"]}, role
    # And the advisor registers clients of their own branch only
    elsewhere = api.call(
        "POST", "/api/v1/clients", "advisor", json=client_fields(branch="SZ-FUTIAN")
    )
    assert invalid_fields(elsewhere) == ["branch"]


def test_branches_are_reference_data_that_clients_and_accounts_must_name(api: Api) -> None:
    # Given the firm's six branches
    head = api.engine.store.head()
    listed = api.call("GET", f"/api/v1/branches?min_position={head}", "advisor")
    assert listed.status_code == 200
    assert {b["code"] for b in listed.json()["items"]} >= {
        "SH-LUJIAZUI",
        "SZ-FUTIAN",
        "BJ-JINRONGJIE",
    }
    # When an administrator opens a seventh
    opened = api.call("POST", "/api/v1/branches", json={"code": "CD-GAOXIN", "name": "Chengdu"})
    assert opened.status_code == 201, opened.text
    wait = f"min_position={opened.json()['position']}"
    assert "CD-GAOXIN" in {
        b["code"] for b in api.call("GET", f"/api/v1/branches?{wait}").json()["items"]
    }
    # Then a second one with its code is a conflict, a bad code names its field, and only
    # administrators open branches
    again = api.call("POST", "/api/v1/branches", json={"code": "CD-GAOXIN", "name": "Again"})
    assert again.status_code == 409
    assert invalid_fields(
        api.call("POST", "/api/v1/branches", json={"code": "cd", "name": "x"})
    ) == ["code"]
    by_advisor = api.call("POST", "/api/v1/branches", "advisor", json={"code": "X", "name": "X"})
    assert by_advisor.status_code == 403
    # And a client or an account naming an unknown branch is refused, naming the field
    unknown = client_fields(branch="NOWHERE")
    assert invalid_fields(api.call("POST", "/api/v1/clients", json=unknown)) == ["branch"]
    account = {"username": "adv.x", "role": "advisor", "password": PASSWORD, "branch": "NOWHERE"}
    assert invalid_fields(api.call("POST", "/api/v1/users", json=account)) == ["branch"]
    account["branch"] = "CD-GAOXIN"
    assert api.call("POST", "/api/v1/users", json=account).status_code == 201


def login(api: Api, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = api.http.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def works(api: Api, auth: dict[str, str]) -> int:
    return int(api.http.get("/api/v1/branches", headers=auth).status_code)


def test_a_token_stops_working_after_a_password_change_a_reset_or_a_disable(api: Api) -> None:
    new = "another horse battery staple"
    uid = api.users["agent"]
    # Given a token; when its user changes their password, then it is refused
    first = login(api, "agent")
    assert works(api, first) == 200
    body = {"current_password": PASSWORD, "new_password": new}
    assert api.http.post("/api/v1/auth/password", headers=first, json=body).status_code == 200
    assert works(api, first) == 401
    # When an administrator resets the password, the token of before is refused
    second = login(api, "agent", new)
    reset = api.call("POST", f"/api/v1/users/{uid}/password", json={"new_password": PASSWORD})
    assert reset.status_code == 200
    assert works(api, second) == 401
    # When the account is disabled and enabled again, the token of before stays refused
    third = login(api, "agent")
    disabled = api.call("POST", f"/api/v1/users/{uid}/disable", json={"reason": "left"})
    assert disabled.status_code == 200
    assert works(api, third) == 401
    assert api.call("POST", f"/api/v1/users/{uid}/enable").status_code == 200
    assert works(api, third) == 401
    assert works(api, login(api, "agent")) == 200


def test_a_token_of_no_account_or_with_a_malformed_subject_is_a_401(api: Api) -> None:
    now = int(datetime.now(UTC).timestamp())
    nobody = TokenClaims(user_id=str(uuid.uuid4()), username="ghost", role="admin")
    tokens = [api.engine.tokens.issue(nobody, datetime.now(UTC))]
    for sub in ("not-a-uuid", "", "../../etc"):
        payload = {"sub": sub, "role": "admin", "iat": now, "exp": now + 600}
        tokens.append(jwt.encode(payload, SECRET, algorithm="HS256"))
    payload = {"sub": str(api.users["admin"]), "role": "admin", "ver": "x", "exp": now + 600}
    tokens.append(jwt.encode(payload, SECRET, algorithm="HS256"))
    for token in tokens:
        response = api.http.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (token, response.text)
