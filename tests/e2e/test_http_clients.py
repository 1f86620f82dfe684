"""The client registry over HTTP, on each store: every route, its errors, idempotency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from adapters.shared.settings import Settings
from api.app import create_app
from api.contexts import build_engine
from application.clients.commands import ClientCommands
from application.staff import StaffCommands
from domain.clients.registry import Client
from domain.shared.base import Context
from domain.staff import Role
from tests.conftest import client_fields, open_branches
from tests.e2e.conftest import PASSWORD, Api, invalid_fields

CLIENT_ROUTES = [
    ("POST", "/api/v1/clients"),
    ("GET", "/api/v1/clients"),
    ("GET", "/api/v1/clients/{id}"),
    ("PATCH", "/api/v1/clients/{id}"),
    ("POST", "/api/v1/clients/{id}/tier"),
    ("POST", "/api/v1/clients/{id}/tags"),
    ("POST", "/api/v1/clients/{id}/interactions"),
    ("GET", "/api/v1/clients/{id}/interactions"),
    ("POST", "/api/v1/clients/{id}/feedback"),
    ("POST", "/api/v1/clients/{id}/erase"),
]


def test_when_client_registered_then_read_your_write_shows_masked_profile(api: Api) -> None:
    fields = client_fields(id_number="310101198805061234", tier="gold")
    response = api.call("POST", "/api/v1/clients", "advisor", json=fields)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "version", "position"}
    assert response.headers["Location"] == f"/api/v1/clients/{body['id']}"
    got = api.call("GET", f"/api/v1/clients/{body['id']}?min_position={body['position']}", "agent")
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
    client = got.json()
    assert client["id_number_masked"] == "**************1234"
    assert "310101198805061234" not in got.text
    assert (client["tier"], client["branch"], client["version"]) == ("gold", "SH-LUJIAZUI", 1)


def test_given_registered_id_number_when_registered_again_then_409_problem(api: Api) -> None:
    fields = client_fields()
    api.created(fields)
    response = api.call("POST", "/api/v1/clients", json=fields)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Conflict"


def test_when_fields_invalid_then_422_names_each_field(api: Api) -> None:
    bad = client_fields(name="", phone="call me", email="nowhere", investor_type="retail")
    response = api.call("POST", "/api/v1/clients", json={**bad, "colour": "red"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"name", "phone", "email", "investor_type", "colour"}


def test_when_tier_not_in_policy_then_422_names_tier(api: Api) -> None:
    response = api.call("POST", "/api/v1/clients", json=client_fields(tier="diamond"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "tier", "message": "must be one of standard, gold, platinum"}
    ]


@pytest.mark.parametrize(("method", "path"), CLIENT_ROUTES)
def test_without_token_every_client_route_is_401(api: Api, method: str, path: str) -> None:
    response = api.http.request(method, path.format(id=uuid.uuid4()), json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), CLIENT_ROUTES)
def test_with_the_quality_role_every_client_route_is_403(api: Api, method: str, path: str) -> None:
    response = api.call(method, path.format(id=uuid.uuid4()), "quality", json={})
    assert response.status_code == 403


def test_with_a_forged_token_then_401(api: Api) -> None:
    token = api.token("admin")[:-3] + "abc"
    response = api.http.get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/clients/{id}", None),
        ("PATCH", "/api/v1/clients/{id}", {"phone": "+86 13900000000"}),
        ("POST", "/api/v1/clients/{id}/tier", {"tier": "gold", "reason": "x"}),
        ("POST", "/api/v1/clients/{id}/tags", {"add": ["a"]}),
        ("POST", "/api/v1/clients/{id}/interactions", {"channel": "call", "summary": "x"}),
        ("GET", "/api/v1/clients/{id}/interactions", None),
        ("POST", "/api/v1/clients/{id}/feedback", {"rating": 5}),
    ],
)
def test_unknown_client_is_404(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = api.call(method, path.format(id=uuid.uuid4()), json=body)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_given_client_when_patched_with_stale_if_match_then_412_and_nothing_changed(
    api: Api,
) -> None:
    client = api.created(client_fields(phone="+86 13800000001"))
    path = f"/api/v1/clients/{client['id']}"
    ok = api.call("PATCH", path, headers={"If-Match": '"1"'}, json={"phone": "+86 13800000002"})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = api.call("PATCH", path, headers={"If-Match": '"1"'}, json={"phone": "+86 13800000003"})
    assert stale.status_code == 412
    got = api.call("GET", f"{path}?min_position={ok.json()['position']}").json()
    assert got["phone"] == "+86 13800000002"


def test_when_if_match_is_not_a_version_then_422_naming_it(api: Api) -> None:
    client = api.created(client_fields())
    response = api.call(
        "PATCH",
        f"/api/v1/clients/{client['id']}",
        headers={"If-Match": "yesterday"},
        json={"phone": "+86 13800000009"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "If-Match"


def test_when_patch_is_empty_then_422(api: Api) -> None:
    client = api.created(client_fields())
    response = api.call("PATCH", f"/api/v1/clients/{client['id']}", json={})
    assert response.status_code == 422


def test_given_client_when_tier_tags_interactions_and_feedback_then_view_shows_them(
    api: Api,
) -> None:
    client = api.created(client_fields())
    base = f"/api/v1/clients/{client['id']}"
    assert (
        api.call("POST", f"{base}/tier", json={"tier": "platinum", "reason": "AUM"}).status_code
        == 200
    )
    assert api.call("POST", f"{base}/tags", json={"add": ["Retiree", "vip"]}).status_code == 200
    first = api.call(
        "POST",
        f"{base}/interactions",
        "agent",
        json={
            "channel": "call",
            "summary": "Quarterly review",
            "occurred_at": "2026-01-05T10:00:00+08:00",
        },
    )
    assert first.status_code == 201
    api.call("POST", f"{base}/interactions", "agent", json={"channel": "visit", "summary": "x"})
    last = api.call("POST", f"{base}/feedback", "agent", json={"rating": 4, "comment": "ok"})
    position = last.json()["position"]
    view = api.call("GET", f"{base}?min_position={position}", "compliance").json()
    assert view["tier"] == "platinum"
    assert view["tags"] == ["retiree", "vip"]
    assert view["interaction_count"] == 2
    assert view["feedback"] == {"count": 1, "mean_rating": 4.0}
    page = api.call("GET", f"{base}/interactions?limit=1").json()
    assert page["items"][0]["channel"] == "call"
    assert (page["items"][0]["logged_by"], page["items"][0]["logged_by_id"]) == (
        "agent",
        str(api.users["agent"]),
    )
    rest = api.call("GET", f"{base}/interactions?limit=1&cursor={page['next_cursor']}").json()
    assert [i["channel"] for i in rest["items"]] == ["visit"]
    assert rest["next_cursor"] is None


def test_when_interaction_time_has_no_zone_then_422(api: Api) -> None:
    client = api.created(client_fields())
    response = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/interactions",
        json={"channel": "call", "summary": "x", "occurred_at": "2026-01-05T10:00:00"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "occurred_at"


def test_given_clients_when_searched_and_filtered_then_matching_pages(api: Api) -> None:
    a = api.created(
        client_fields(name="Huang Lei", branch="GZ-TIANHE", phone="+86 13711112222"), "admin"
    )
    api.created(client_fields(name="Huang Bo", branch="SZ-FUTIAN"), "admin")
    last = api.created(client_fields(name="Ma Jun", branch="GZ-TIANHE", tier="gold"), "admin")
    api.call("POST", f"/api/v1/clients/{a['id']}/tags", json={"add": ["dividend"]})
    wait = f"min_position={last['position'] + 1}"

    def names(query: str) -> list[str]:
        response = api.call("GET", f"/api/v1/clients?{query}&{wait}")
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]

    assert names("q=huang") == ["Huang Lei", "Huang Bo"]
    assert names("q=1371111") == ["Huang Lei"]
    assert names("branch=GZ-TIANHE") == ["Huang Lei", "Ma Jun"]
    assert names("tier=gold") == ["Ma Jun"]
    assert names("tag=dividend") == ["Huang Lei"]
    first = api.call("GET", f"/api/v1/clients?limit=2&{wait}").json()
    second = api.call("GET", f"/api/v1/clients?limit=2&cursor={first['next_cursor']}").json()
    assert [c["name"] for c in first["items"] + second["items"]] == [
        "Huang Lei",
        "Huang Bo",
        "Ma Jun",
    ]
    assert api.call("GET", "/api/v1/clients?cursor=!!").status_code == 422
    assert api.call("GET", "/api/v1/clients?limit=0").status_code == 422


def test_given_idempotency_key_when_request_repeated_then_same_answer_and_one_client(
    api: Api,
) -> None:
    """README claim: a write repeated with the same Idempotency-Key and body answers the first
    answer and writes nothing; the same key with another body is a 422."""
    fields = client_fields()
    headers = {"Idempotency-Key": "3b1f-first"}
    first = api.call("POST", "/api/v1/clients", json=fields, headers=headers)
    head = api.engine.store.head()
    again = api.call("POST", "/api/v1/clients", json=fields, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert api.engine.store.head() == head
    other = api.call("POST", "/api/v1/clients", json=client_fields(), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"] == [
        {"field": "Idempotency-Key", "message": "was used before with a different request"}
    ]


def test_given_idempotency_key_when_tier_change_repeated_after_another_then_first_answer(
    api: Api,
) -> None:
    """README claim: a change repeated with the same Idempotency-Key answers the first
    answer and writes nothing, even when the record changed in between."""
    # Given a client moved to gold under one key, then to platinum under another
    client = api.created(client_fields())
    path = f"/api/v1/clients/{client['id']}/tier"
    headers = {"Idempotency-Key": "tier-1"}
    body = {"tier": "gold", "reason": "x"}
    first = api.call("POST", path, json=body, headers=headers).json()
    platinum = {"tier": "platinum", "reason": "y"}
    api.call("POST", path, json=platinum, headers={"Idempotency-Key": "tier-2"})
    head = api.engine.store.head()
    # When the first request is repeated with its key
    again = api.call("POST", path, json=body, headers=headers)
    # Then it answers as the first time, writes nothing and the client stays platinum
    assert (again.status_code, again.json()) == (200, first)
    assert first["version"] == 2
    assert api.engine.store.head() == head
    detail = api.call("GET", f"/api/v1/clients/{client['id']}?min_position={head}")
    assert (detail.status_code, detail.json()["tier"]) == (200, "platinum")


def test_given_idempotency_key_when_interaction_logged_twice_then_one_interaction(
    api: Api,
) -> None:
    """README claim: idempotent writes; a repeated interaction is recorded once."""
    client = api.created(client_fields())
    path = f"/api/v1/clients/{client['id']}/interactions"
    headers = {"Idempotency-Key": "call-2026-12-01"}
    body = {"channel": "call", "summary": "Quarterly review"}
    first = api.call("POST", path, json=body, headers=headers)
    head = api.engine.store.head()
    again = api.call("POST", path, json=body, headers=headers)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert api.engine.store.head() == head
    listed = api.call("GET", f"{path}?min_position={head}")
    assert listed.status_code == 200
    assert [i["summary"] for i in listed.json()["items"]] == ["Quarterly review"]
    other = api.call("POST", path, json={**body, "summary": "other"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


def test_when_min_position_not_reached_in_time_then_503_with_retry_after(
    settings: Settings,
) -> None:
    """README claim: read-your-writes, or a 503 with Retry-After when not reached in time."""
    # Given a server whose views do not move (no workers) and a client written since
    engine = open_branches(build_engine(settings.model_copy(update={"read_wait_timeout": 0.1})))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="late")
    user = engine.handler(StaffCommands).add_user(ctx, "admin", Role.ADMIN, PASSWORD).id
    written = engine.handler(ClientCommands).register(ctx, **client_fields())
    with TestClient(create_app(engine)) as http:
        api = Api(http=http, engine=engine, users={"admin": user})
        # When a read waits for that write longer than the policy allows
        late = api.call("GET", f"/api/v1/clients?min_position={written.position}", stale_ok=True)
        # Then it is a 503 telling when to retry
        assert (late.status_code, late.headers["Retry-After"]) == (503, "1")
        # And a position no write has reached is a 422 naming it, at once
        beyond = api.call("GET", f"/api/v1/clients?min_position={written.position + 1}")
        assert invalid_fields(beyond) == ["min_position"]


def test_correlation_id_from_the_request_is_recorded_on_the_event(api: Api) -> None:
    response = api.call(
        "POST", "/api/v1/clients", json=client_fields(), headers={"X-Correlation-ID": "case-4711"}
    )
    assert response.headers["X-Correlation-ID"] == "case-4711"
    [event] = list(api.engine.store.events.get(uuid.UUID(response.json()["id"])))
    assert isinstance(event, Client.Registered)
    assert event.meta.correlation_id == "case-4711"
    assert event.meta.actor == str(api.users["admin"])
    assert (event.meta.causation_id or "").startswith("request:")
