"""Erasure of a client's personal data over HTTP, on each store: administrators only, the
client then reads erased in the view and the history, and stays erased."""

from __future__ import annotations

import uuid

from tests.conftest import client_fields
from tests.e2e.conftest import Api


def test_given_client_when_admin_erases_then_profile_and_history_read_erased(api: Api) -> None:
    # Given a client with an interaction
    fields = client_fields(name="Wang Fang", email="wang.fang@example.cn")
    created = api.created(fields)
    path = f"/api/v1/clients/{created['id']}"
    logged = api.call(
        "POST", f"{path}/interactions", "agent", json={"channel": "call", "summary": "Her son"}
    )
    assert logged.status_code == 201, logged.text
    # When an administrator erases the client's personal data
    erased = api.call("POST", f"{path}/erase", json={"reason": "client's written request"})
    # Then the answer is the write's, and the profile reads erased once the view has it
    assert erased.status_code == 200, erased.text
    body = erased.json()
    got = api.call("GET", f"{path}?min_position={body['position']}", "advisor")
    assert got.status_code == 200
    client = got.json()
    assert client["erased_at"] is not None
    for key in ("name", "id_number_masked", "phone", "email", "address"):
        assert client[key] == "[erased]", key
    assert client["latest_interactions"][0]["summary"] == "[erased]"
    # And the history and the past state say no more than the view
    for read in (f"{path}/history", f"{path}?as_of={client['registered_at']}"):
        response = api.call("GET", read, "compliance")
        assert response.status_code == 200, response.text
        for value in ("Wang Fang", "wang.fang", fields["id_number"][-6:], "Her son"):
            assert value not in response.text, (read, value)
    history = api.call("GET", f"{path}/history", "compliance").json()["events"]
    assert history[-1]["type"] == "Client.PersonalDataErased"
    assert (history[-1]["actor"], history[-1]["actor_id"]) == ("admin", str(api.users["admin"]))
    # And nothing personal is accepted any more
    patch = api.call("PATCH", path, json={"phone": "+86 13900000000"})
    assert patch.status_code == 409, patch.text


def test_erasure_errors_roles_unknown_ids_and_missing_reason(api: Api) -> None:
    created = api.created(client_fields())
    path = f"/api/v1/clients/{created['id']}/erase"
    for role in ("advisor", "agent", "compliance", "quality"):
        assert api.call("POST", path, role, json={"reason": "x"}).status_code == 403, role
    missing = api.call("POST", path, json={})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"reason"}
    unknown = api.call("POST", f"/api/v1/clients/{uuid.uuid4()}/erase", json={"reason": "x"})
    assert unknown.status_code == 404
    # And nothing was erased by any of them
    got = api.call("GET", f"/api/v1/clients/{created['id']}?min_position={created['position']}")
    assert got.json()["erased_at"] is None
