"""The audit log and chain verification over HTTP and from the command line, on each store."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from adapters.shared.settings import Settings
from api.contexts import build_engine
from tests.conftest import client_fields, open_branches
from tests.e2e.conftest import Api, invalid_fields
from tests.e2e.test_cli import assure
from tests.integration.test_audit import some_history, tamper
from tests.tampering import forge_record


def test_compliance_reads_the_audit_log_filtered_and_paged(api: Api) -> None:
    # Given a client registered and retiered in one correlated request each
    created = api.call(
        "POST",
        "/api/v1/clients",
        "advisor",
        json=client_fields(),
        headers={"X-Correlation-Id": "onboarding-1"},
    )
    assert created.status_code == 201, created.text
    client = created.json()
    tier = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/tier",
        "admin",
        json={"tier": "gold", "reason": "assets"},
    )
    # When compliance asks for the events of the onboarding request
    response = api.call(
        "GET",
        "/api/v1/audit/events",
        "compliance",
        params={"correlation_id": "onboarding-1", "min_position": client["position"]},
    )
    # Then it finds the registration and the identity-number claim, by the advisor
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {i["type"] for i in items} == {"Client.Registered", "UniqueKey.Claimed"}
    assert {(i["actor"], i["actor_id"]) for i in items} == {("advisor", str(api.users["advisor"]))}
    # And the client's own events, filtered by aggregate and time, in order
    now = datetime.now(UTC)
    mine = api.call(
        "GET",
        "/api/v1/audit/events",
        "admin",
        params={
            "aggregate_id": client["id"],
            "from": (now - timedelta(hours=1)).isoformat(),
            "to": (now + timedelta(hours=1)).isoformat(),
            "limit": 1,
            "min_position": tier.json()["position"],
        },
    ).json()
    assert [i["type"] for i in mine["items"]] == ["Client.Registered"]
    rest = api.call(
        "GET",
        "/api/v1/audit/events",
        "admin",
        params={"aggregate_id": client["id"], "cursor": mine["next_cursor"]},
    ).json()
    assert [i["type"] for i in rest["items"]] == ["Client.TierChanged"]
    assert rest["next_cursor"] is None


def test_the_audit_log_is_filtered_by_username_or_id_and_an_unknown_name_is_refused(
    api: Api,
) -> None:
    # Given a client registered by the advisor and re-tiered by the admin
    client = api.created(client_fields())
    tier = api.call(
        "POST", f"/api/v1/clients/{client['id']}/tier", json={"tier": "gold", "reason": "assets"}
    )
    assert tier.status_code == 200, tier.text
    wait = {"aggregate_id": client["id"], "min_position": tier.json()["position"]}
    # When compliance filters the log by the admin's username, then by the admin's id
    by_name = api.call(
        "GET", "/api/v1/audit/events", "compliance", params={**wait, "actor": "admin"}
    )
    by_id = api.call(
        "GET",
        "/api/v1/audit/events",
        "compliance",
        params={**wait, "actor": str(api.users["admin"])},
    )
    # Then both find the admin's event, shown by username with the id beside it
    for response in (by_name, by_id):
        assert response.status_code == 200, response.text
        assert [(i["type"], i["actor"], i["actor_id"]) for i in response.json()["items"]] == [
            ("Client.TierChanged", "admin", str(api.users["admin"]))
        ]
    # And a username nobody has is a 422 naming the filter, not an empty list
    unknown = api.call("GET", "/api/v1/audit/events", "compliance", params={"actor": "nobody"})
    assert invalid_fields(unknown) == ["actor"]
    stranger = api.call(
        "GET", "/api/v1/audit/events", "compliance", params={"actor": str(uuid.uuid4())}
    )
    assert invalid_fields(stranger) == ["actor"]
    # And a system actor is matched as recorded
    system = api.call("GET", "/api/v1/audit/events", "compliance", params={"actor": "system:test"})
    assert system.status_code == 200, system.text
    assert {i["actor"] for i in system.json()["items"]} == {"system:test"}


def test_audit_routes_refuse_other_roles_and_bad_filters(api: Api) -> None:
    for path in ("/api/v1/audit/events", "/api/v1/audit/verify"):
        assert api.call("GET", path, "agent").status_code == 403
        assert api.call("GET", path, "quality").status_code == 403
    now = datetime.now(UTC).isoformat()
    backwards = api.call("GET", "/api/v1/audit/events", params={"from": now, "to": now})
    assert invalid_fields(backwards) == ["to"]
    naive = api.call("GET", "/api/v1/audit/events", params={"from": "2026-01-01T00:00:00"})
    assert invalid_fields(naive) == ["query.from"]
    cursor = api.call("GET", "/api/v1/audit/events", params={"cursor": "abc"})
    assert invalid_fields(cursor) == ["query.cursor"]


def test_verify_over_http_reports_ok_then_the_altered_position(api: Api) -> None:
    # Given some history, chained
    positions = some_history(api.engine)
    api.engine.projector.catch_up()
    ok = api.call("GET", "/api/v1/audit/verify", "compliance").json()
    assert ok["ok"] is True
    assert ok["verified_to"] == ok["store_head"]
    # When one byte of one stored record changes
    tamper(api.engine, positions[2])
    # Then verification names that position
    broken = api.call("GET", "/api/v1/audit/verify", "compliance").json()
    assert broken["ok"] is False
    assert broken["broken_at"] == positions[2]


def test_assure_audit_verify_exits_1_at_the_first_break(settings: Settings) -> None:
    # Given a store with some history (chained as it was stored)
    engine = open_branches(build_engine(settings))
    try:
        positions = some_history(engine)
    finally:
        engine.close()
    # When the CLI verifies it
    first = assure(settings, "audit", "verify")
    # Then it passes and prints the head hash to publish
    assert first.returncode == 0, first.stderr
    assert f"Chain verified: {positions[-1]} events" in first.stdout
    assert "Head hash" in first.stdout
    # And after one byte changes, it fails at exactly that position
    engine = open_branches(build_engine(settings))
    try:
        tamper(engine, positions[4])
    finally:
        engine.close()
    second = assure(settings, "audit", "verify", "--json")
    assert second.returncode == 1
    assert json.loads(second.stdout)["broken_at"] == positions[4]


def test_a_record_forged_while_the_server_is_down_fails_verify_every_time(
    settings: Settings,
) -> None:
    # Given a chained store, and a record appended straight into its table while it is down
    engine = open_branches(build_engine(settings))
    try:
        some_history(engine)
        forged = forge_record(engine)
    finally:
        engine.close()
    # When `assure audit verify` runs, twice
    runs = [assure(settings, "audit", "verify", "--json") for _ in range(2)]
    # Then each run fails at the forged record, unchained: verifying never chains it
    for run in runs:
        assert run.returncode == 1, run.stdout
        report = json.loads(run.stdout)
        assert (report["broken_at"], report["reason"]) == (
            forged,
            "a stored record is not chained",
        )
        assert report["chain_head"] == forged - 1
