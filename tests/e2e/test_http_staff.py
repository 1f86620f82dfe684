"""Login, accounts, health and projection status over HTTP, on each store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.staff.auth import TokenClaims, TokenService
from api.contexts import CONTEXTS
from tests.e2e.conftest import PASSWORD, Api

VIEWS = {view.name for context in CONTEXTS for view in context.views}


def login(api: Api, username: str, password: str) -> int:
    response = api.http.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    return int(response.status_code)


def test_given_account_when_logging_in_then_a_bearer_token_that_works(api: Api) -> None:
    response = api.http.post(
        "/api/v1/auth/token", data={"username": "advisor", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 8 * 3600)
    listed = api.http.get(
        "/api/v1/clients", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert listed.status_code == 200


def test_when_password_wrong_or_user_unknown_then_401(api: Api) -> None:
    assert login(api, "advisor", "not the password") == 401
    assert login(api, "nobody", PASSWORD) == 401


def test_given_expired_token_then_401(api: Api) -> None:
    expired = TokenService("test-secret-key-not-for-production-use-0123456789", timedelta(hours=8))
    claims = TokenClaims(user_id=str(api.users["admin"]), username="admin", role="admin")
    token = expired.issue(claims, datetime.now(UTC) - timedelta(hours=9))
    response = api.http.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_given_admin_when_adding_a_user_then_listed_and_able_to_log_in(api: Api) -> None:
    created = api.call(
        "POST",
        "/api/v1/users",
        json={"username": "Advisor.Li", "role": "advisor", "password": PASSWORD},
    )
    assert created.status_code == 201
    wait = f"min_position={created.json()['position']}"
    users = api.call("GET", f"/api/v1/users?{wait}").json()["items"]
    assert "advisor.li" in [u["username"] for u in users]
    advisors = api.call("GET", f"/api/v1/users?role=advisor&q=LI&{wait}").json()["items"]
    assert [u["username"] for u in advisors] == ["advisor.li"]
    first = api.call("GET", f"/api/v1/users?limit=2&{wait}").json()
    rest = api.call("GET", f"/api/v1/users?limit=100&cursor={first['next_cursor']}").json()
    assert [u["username"] for u in first["items"] + rest["items"]] == sorted(
        u["username"] for u in users
    )
    assert rest["next_cursor"] is None
    assert login(api, "advisor.li", PASSWORD) == 200
    again = api.call(
        "POST",
        "/api/v1/users",
        json={"username": "advisor.li", "role": "agent", "password": PASSWORD},
    )
    assert again.status_code == 409
    short = api.call(
        "POST", "/api/v1/users", json={"username": "x.y", "role": "agent", "password": "short"}
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "password"


def test_non_admins_cannot_manage_accounts(api: Api) -> None:
    for role in ("advisor", "agent", "compliance", "quality"):
        assert api.call("GET", "/api/v1/users", role).status_code == 403
        assert (
            api.call(
                "POST",
                "/api/v1/users",
                role,
                json={"username": "x", "role": "admin", "password": PASSWORD},
            ).status_code
            == 403
        )


def test_given_disabled_user_then_token_and_login_refused_until_enabled(api: Api) -> None:
    agent = api.users["agent"]
    token = api.as_("agent")
    disabled = api.call("POST", f"/api/v1/users/{agent}/disable", json={"reason": "left"})
    assert disabled.status_code == 200
    api.call("GET", f"/api/v1/users?min_position={disabled.json()['position']}")
    assert api.http.get("/api/v1/clients", headers=token).status_code == 401
    assert login(api, "agent", PASSWORD) == 401
    enabled = api.call("POST", f"/api/v1/users/{agent}/enable")
    api.call("GET", f"/api/v1/users?min_position={enabled.json()['position']}")
    assert login(api, "agent", PASSWORD) == 200


def test_when_changing_own_password_then_current_one_required(api: Api) -> None:
    wrong = api.call(
        "POST",
        "/api/v1/auth/password",
        "compliance",
        json={"current_password": "nope", "new_password": "another long password"},
    )
    assert wrong.status_code == 422
    ok = api.call(
        "POST",
        "/api/v1/auth/password",
        "compliance",
        json={"current_password": PASSWORD, "new_password": "another long password"},
    )
    assert ok.status_code == 200
    assert login(api, "compliance", "another long password") == 200


def test_admin_resets_a_password_and_unknown_user_is_404(api: Api) -> None:
    reset = api.call(
        "POST",
        f"/api/v1/users/{api.users['quality']}/password",
        json={"new_password": "reset by the admin"},
    )
    assert reset.status_code == 200
    assert login(api, "quality", "reset by the admin") == 200
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.call("GET", f"/api/v1/users/{missing}").status_code == 404
    assert api.call("POST", f"/api/v1/users/{missing}/enable").status_code == 404


def test_health_needs_no_token_and_reports_each_view(api: Api) -> None:
    response = api.http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["store_reachable"] is True
    assert {p["name"] for p in body["projections"]} == VIEWS


def test_projection_status_is_for_admins(api: Api) -> None:
    assert api.call("GET", "/api/v1/projections", "advisor").status_code == 403
    status = api.call("GET", "/api/v1/projections").json()
    assert {s["name"] for s in status["items"]} == VIEWS
    assert api.call("POST", "/api/v1/projections/nope/retry").status_code == 404
    assert api.call("POST", "/api/v1/projections/clients/retry").json() == {"retried": 0}
