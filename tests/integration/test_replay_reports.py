"""Replay reports on each store, as a compliance officer files them: plain JSON with every
input named, every change behind a decision's back named, older records without their
policy replayed under the policy of their version."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.engine import Engine
from application.compliance.replay import DecisionReplay, _known
from application.cqp.commands import CQPCommands
from application.suppliers.commands import SupplierCommands
from domain.cqp.milestones import DeliverableKind, Milestone, Waiver
from domain.cqp.policy import CQPPolicy
from domain.funds.fund import fund_id
from domain.shared.vocab import RiskRating
from domain.suppliers.audits import SECTIONS, AssessmentKind
from domain.suppliers.avl import AvlDecision
from domain.suppliers.policy import SupplierPolicy
from tests.integration.test_replay import buy, generated_supplier, prepared_plan
from tests.tampering import edit_state, replace_bytes


def test_a_purchase_replay_report_is_plain_json_naming_every_input(engine: Engine) -> None:
    # Given a purchase that needed the client's confirmation of a warning
    purchase = buy(engine, answers_index=1, rating=RiskRating.R5)
    replay = engine.handler(DecisionReplay).purchase(purchase)
    assert replay.recorded.outcome in {"warn", "block"}
    # Then the report is JSON as it stands, with these inputs
    report = json.loads(json.dumps(replay.inputs))
    assert report == replay.inputs
    assert set(report) == {"assessment", "fund", "rule_version", "client", "at"}
    assert set(report["assessment"]) == {
        "id",
        "version",
        "level",
        "horizon",
        "varieties",
        "lowest_category",
        "expires_at",
        "answers",
        "questionnaire_version",
    }
    assert report["assessment"]["questionnaire_version"] == "2026-1"
    assert set(report["fund"]) == {"code", "version", "risk_rating", "horizon", "variety"}
    assert report["client"] == {"version": 2, "investor_type": "ordinary", "exemption": False}
    assert report["rule_version"] == replay.recorded.rule_version
    # And the verdict recorded is the one the purchase shows, warning text included
    row: Any = next(iter(engine.store.events.get(purchase, lte=1)))
    assert replay.recorded.warning_text == row.decision.warning_text
    assert json.loads(json.dumps(replay.recorded.mismatches)) == replay.recorded.mismatches


def test_a_replay_names_each_input_changed_behind_its_back(engine: Engine) -> None:
    # Given a purchase, then its assessment and its fund both rewritten in the store
    purchase = buy(engine, answers_index=4, rating=RiskRating.R4)
    inputs = engine.handler(DecisionReplay).purchase(purchase).inputs
    assessment = UUID(inputs["assessment"]["id"])
    level = inputs["assessment"]["level"].encode()
    replace_bytes(engine, assessment, 1, b'"level":"' + level + b'"', b'"level":"C1"')
    replace_bytes(engine, fund_id(inputs["fund"]["code"]), 1, b'"R4"', b'"R2"')
    # Then both are named, in the order of the inputs
    replay = engine.handler(DecisionReplay).purchase(purchase)
    assert replay.differences[:2] == [
        f"input assessment.level was recorded as {level.decode()}, the aggregates now give C1",
        "input fund.risk_rating was recorded as R4, the aggregates now give R2",
    ]


def passed_plan(engine: Engine) -> UUID:
    """A plan whose A0 passed with a note, and A1 with a waiver."""
    ctx, plan = prepared_plan(engine, "mpl-report")
    c, today = engine.handler(CQPCommands), ctx.at.date()
    c.record_deliverable(ctx, plan, DeliverableKind.KEY_COMPONENT_LIST, "KCL-1", "sqe")
    c.pass_milestone(ctx, plan, Milestone.A0, today, "kick-off", None)
    waiver = Waiver(missing=[DeliverableKind.DFMEA], reason="follows", approved_by="sqm.zhou")
    c.pass_milestone(ctx, plan, Milestone.A1, today, "design frozen", waiver)
    return plan


def test_a_milestone_replay_report_is_plain_json_and_agrees_with_todays_policy(
    engine: Engine,
) -> None:
    plan = passed_plan(engine)
    replay = engine.handler(DecisionReplay).milestone(plan, Milestone.A1)
    assert replay.consistent, replay.differences
    assert replay.under_current_rules == replay.recorded  # the policy has not changed
    assert replay.recomputed["event"]["passage"]["note"] == "design frozen"
    report = json.loads(json.dumps(replay.inputs))
    assert report == replay.inputs
    assert json.loads(json.dumps(replay.recorded)) == replay.recorded
    assert set(replay.recorded["event"]) == {
        "originator_version",
        "timestamp",
        "passage",
        "required",
        "policy",
    }
    assert report["milestone"] == "A1"
    assert report["missing"] == ["dfmea"]
    assert report["passed_before"] == ["A0"]
    assert report["waiver"] == {
        "missing": ["dfmea"],
        "reason": "follows",
        "approved_by": "sqm.zhou",
    }
    assert [d["kind"] for d in report["deliverables"]] == ["key_component_list"]
    assert report["policy_version"] == CQPPolicy().version
    assert report["policy"] == json.loads(CQPPolicy().model_dump_json())


def test_an_older_pass_recorded_without_its_policy_replays_under_its_versions_policy(
    engine: Engine,
) -> None:
    # Given a pass as older releases recorded it: the policy's version, not the policy
    plan = passed_plan(engine)
    passed: Any = next(
        e for e in engine.store.events.get(plan) if e.__class__.__name__ == "MilestonePassed"
    )
    edit_state(engine, plan, passed.originator_version, lambda state: state.pop("policy"))
    # When replayed, then the policy of that version (today's) decides, as recorded
    replay = engine.handler(DecisionReplay).milestone(plan, Milestone.A0)
    assert replay.consistent, replay.differences
    assert replay.inputs["policy"] == json.loads(CQPPolicy().model_dump_json())


def test_a_policy_known_only_by_its_version_is_todays_or_the_default_of_that_version() -> None:
    today = CQPPolicy(amber_tolerance=Decimal("0.2"))
    assert _known(today, today.version) is today
    renamed = today.model_copy(update={"version": "cqp-2027.1"})
    assert _known(renamed, CQPPolicy().version) == CQPPolicy()  # the default of that version
    assert _known(today, "cqp-1999.1") is None


def approved_supplier(engine: Engine) -> UUID:
    """A supplier audited on site with threes, then approved for connectors."""
    ctx, supplier = generated_supplier(engine, "sqe-report")
    engine.handler(SupplierCommands).assess(
        ctx,
        supplier,
        kind=AssessmentKind.ONSITE,
        site="Kunshan",
        on=ctx.at.date(),
        auditors=["sqe.lin"],
        scores={name: [3] * n for name, n in SECTIONS.items()},
        findings=[],
    )
    engine.handler(SupplierCommands).decide_avl(
        ctx, supplier, "connectors", AvlDecision.APPROVE, "passed"
    )
    return supplier


def test_an_avl_replay_report_is_plain_json_and_agrees_with_todays_policy(engine: Engine) -> None:
    supplier = approved_supplier(engine)
    replay = engine.handler(DecisionReplay).avl(supplier, "connectors")
    assert replay.consistent, replay.differences
    assert replay.under_current_rules == replay.recorded
    for part in (replay.inputs, replay.recorded, replay.recomputed):
        assert json.loads(json.dumps(part)) == part
    assert set(replay.inputs) == {
        "category",
        "decision",
        "status",
        "last_onsite_audit",
        "reaudit_due_at",
        "policy_version",
        "policy",
    }
    assert (replay.inputs["category"], replay.inputs["status"]) == ("connectors", "active")
    assert replay.inputs["last_onsite_audit"]["mean"] == 3.0
    assert replay.inputs["reaudit_due_at"] is not None
    assert replay.inputs["policy"] == json.loads(SupplierPolicy().model_dump_json())
    assert set(replay.recorded["event"]) == {
        "originator_version",
        "timestamp",
        "entry",
        "decision",
        "policy_version",
        "policy",
    }


def test_an_avl_decision_whose_audit_was_rewritten_replays_refused_and_inconsistent(
    engine: Engine,
) -> None:
    # Given an approval, then its audit's scores rewritten in the store to fail
    supplier = approved_supplier(engine)

    def failed(state: dict[str, Any]) -> None:
        state["assessment"] |= {"passed": False, "failing_sections": ["training"]}

    edit_state(engine, supplier, 2, failed)
    # When it is replayed, then the approval is refused now, and the replay says so
    replay = engine.handler(DecisionReplay).avl(supplier, "connectors")
    assert not replay.consistent
    assert replay.differences == ["re-executed, the decision comes out otherwise"]
    assert set(replay.recomputed) == {"outcome", "error"}
    assert replay.recomputed["outcome"] == "refused"
    assert replay.recomputed["error"].startswith("the last on-site audit (")


def test_an_older_avl_decision_without_its_policy_replays_under_its_versions_policy(
    engine: Engine,
) -> None:
    supplier = approved_supplier(engine)
    policies: list[Any] = []
    edit_state(engine, supplier, 3, lambda state: policies.append(state.pop("policy")))
    assert policies[0] is not None
    replay = engine.handler(DecisionReplay).avl(supplier, "connectors")
    assert replay.consistent, replay.differences
    assert replay.inputs["policy"] == json.loads(SupplierPolicy().model_dump_json())


def without_policy(engine: Engine, aggregate_id: UUID, version: int, **changes: Any) -> None:
    """Rewrite a stored decision as older releases recorded it: no policy, only a version
    (here one this release does not know)."""

    def older(state: dict[str, Any]) -> None:
        state.pop("policy")
        for path, value in changes.items():
            *parents, leaf = path.split(".")
            target = state
            for parent in parents:
                target = target[parent]
            target[leaf] = value

    edit_state(engine, aggregate_id, version, older)


def test_a_decision_under_an_unknown_policy_version_cannot_be_re_executed(
    engine: Engine,
) -> None:
    supplier = approved_supplier(engine)
    without_policy(engine, supplier, 3, policy_version="suppliers-1999.1")
    avl = engine.handler(DecisionReplay).avl(supplier, "connectors")
    assert avl.recomputed == {"error": "policy version suppliers-1999.1 is unknown"}
    assert (avl.consistent, avl.inputs["policy"]) == (False, None)
    plan = passed_plan(engine)
    passed = [e for e in engine.store.events.get(plan) if type(e).__name__ == "MilestonePassed"]
    without_policy(
        engine, plan, passed[0].originator_version, **{"passage.policy_version": "cqp-1999.1"}
    )
    milestone = engine.handler(DecisionReplay).milestone(plan, Milestone.A0)
    assert milestone.recomputed == {"error": "policy version cqp-1999.1 is unknown"}
    assert (milestone.inputs["policy"], milestone.inputs["missing"]) == (None, None)
    assert not milestone.consistent
