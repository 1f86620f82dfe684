"""Decision replay over HTTP and from the command line, on each store."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

from adapters.shared.settings import Settings
from api.contexts import build_engine
from api.engine import Engine
from domain.cqp.milestones import Milestone
from domain.shared.vocab import RiskRating
from projections.compliance.audit import AuditView
from tests.conftest import open_branches
from tests.e2e.conftest import Api, invalid_fields
from tests.e2e.test_cli import assure
from tests.integration.test_replay import NOW, buy


def demo_decisions(engine: Engine) -> tuple[UUID, tuple[UUID, str], tuple[UUID, Milestone]]:
    """One purchase, one AVL decision and one milestone pass of the demo set."""
    from application.demo.load import load_demo  # noqa: PLC0415

    load_demo(engine.demo_commands(), NOW, 40, 7, 25, 1, 30)
    engine.projector.catch_up()
    db = engine.db
    purchase = engine.view(AuditView).search(db, type="Purchase.Requested", limit=1)[0][0]
    avl = engine.view(AuditView).search(db, type="Supplier.AvlDecided", limit=1)[0][0]
    passed = engine.view(AuditView).search(db, type="CQPPlan.MilestonePassed", limit=1)[0][0]
    supplier: Any = engine.store.repository.get(UUID(avl["aggregate_id"]))
    plan: Any = engine.store.repository.get(UUID(passed["aggregate_id"]))
    return (
        UUID(purchase["aggregate_id"]),
        (supplier.id, next(iter(supplier.avl))),
        (plan.id, plan.passed[0].milestone),
    )


def test_compliance_replays_each_kind_of_decision(api: Api) -> None:
    # Given the demo's decisions
    purchase, (supplier, category), (plan, milestone) = demo_decisions(api.engine)
    # When compliance replays a purchase
    response = api.call("GET", f"/api/v1/purchases/{purchase}/replay", "compliance")
    # Then it sees the timeline, the inputs as they stood, both verdicts and today's
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["consistent"] is True
    assert body["recomputed"] == body["recorded"]
    assert set(body["inputs"]) >= {"assessment", "fund", "rule_version", "client"}
    assert body["under_current_rules"]["rule_version"] == body["inputs"]["rule_version"]
    assert body["timeline"][0]["type"] == "Purchase.Requested"
    # And an AVL decision and a milestone pass replay consistently too
    avl = api.call("GET", f"/api/v1/suppliers/{supplier}/avl/{category}/replay", "admin")
    assert avl.status_code == 200, avl.text
    assert avl.json()["consistent"] is True
    assert avl.json()["inputs"]["last_onsite_audit"] is not None
    passed = api.call(
        "GET", f"/api/v1/cqp-plans/{plan}/milestones/{milestone.value}/replay", "compliance"
    )
    assert passed.status_code == 200, passed.text
    assert passed.json()["consistent"] is True
    assert "deliverables" in passed.json()["inputs"]


def test_replay_errors_roles_unknown_ids_and_codes(api: Api) -> None:
    purchase = buy(api.engine, 1, RiskRating.R2)
    assert api.call("GET", f"/api/v1/purchases/{purchase}/replay", "advisor").status_code == 403
    assert api.call("GET", f"/api/v1/purchases/{uuid4()}/replay", "compliance").status_code == 404
    wrong_kind = api.call("GET", f"/api/v1/suppliers/{purchase}/avl/x/replay", "compliance")
    assert wrong_kind.status_code == 404
    bad_code = api.call("GET", f"/api/v1/cqp-plans/{purchase}/milestones/Z9/replay")
    assert invalid_fields(bad_code) == ["path.code"]


def test_assure_replay_prints_a_report_or_json(settings: Settings) -> None:
    engine = open_branches(build_engine(settings))
    try:
        purchase = buy(engine, 4, RiskRating.R4)
    finally:
        engine.close()
    report = assure(settings, "replay", "purchase", str(purchase))
    assert report.returncode == 0, report.stderr
    assert f"Replay of purchase {purchase}" in report.stdout
    assert "Result: CONSISTENT" in report.stdout
    as_json = assure(settings, "replay", "purchase", str(purchase), "--json")
    assert json.loads(as_json.stdout)["consistent"] is True
    missing = assure(settings, "replay", "purchase", str(uuid4()))
    assert missing.returncode == 1
    assert "not found" in missing.stderr
    malformed = assure(settings, "replay", "milestone", str(purchase), "Z9")
    assert malformed.returncode == 2
