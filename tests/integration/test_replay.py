"""Decision replay on each store: every decision the engine made replays consistently (the
demo's and generated histories'), a changed rule shows beside it, a wrong one is caught."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.engine import Engine
from application.clients.commands import ClientCommands
from application.clients.risk import RiskCommands
from application.compliance.replay import RULES, DecisionReplay
from application.cqp.commands import CQPCommands
from application.demo.load import load_demo
from application.funds.commands import FundCommands
from application.suitability.purchases import PurchaseCommands
from application.suppliers.commands import SupplierCommands
from domain.cqp.milestones import MILESTONES, DeliverableKind, Milestone, Waiver
from domain.cqp.phases import Criterion, Member
from domain.funds.fund import fund_id
from domain.shared.base import Context
from domain.shared.errors import NotFound
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from domain.suitability.rules import RULE_VERSION, Decision, Inputs, Outcome
from domain.suppliers.audits import SECTIONS, AssessmentKind, AuditNotPassed
from domain.suppliers.avl import AvlDecision
from domain.suppliers.lifecycle import Site
from projections.compliance.audit import AuditView
from projections.suitability.views import ReviewsView
from tests.conftest import client_fields
from tests.tampering import replace_bytes

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def decisions(engine: Engine, type_name: str) -> list[dict[str, Any]]:
    engine.projector.catch_up()
    rows, _ = engine.view(AuditView).search(engine.db, type=type_name, limit=1000)
    return rows


def strict(inputs: Inputs) -> Decision:
    """A deliberately changed rule: anything above R2 is blocked."""
    blocked = inputs.fund.risk_rating.rank > RiskRating.R2.rank
    return Decision(
        rule_version="suitability-test-strict",
        outcome=Outcome.BLOCK if blocked else Outcome.MATCH,
        mismatches=(),
        warning_text=None,
        reason="strict" if blocked else None,
    )


def test_every_demo_decision_replays_consistently(engine: Engine) -> None:
    """README claim: replay consistent, for every decision the demo makes."""
    # Given the demo data set: purchases with warnings and overrides, AVL decisions and
    # milestone passes with waivers
    # (one of whose clients then had their personal data erased)
    loaded = load_demo(engine.demo_commands(), NOW, 40, 7, 25, 1, 30)
    assert (loaded["erased"], loaded["funds"]) == (1, 25)  # as many funds as asked for
    engine.projector.catch_up()
    assert engine.view(ReviewsView).all(engine.db)  # a held fund's rating rose: a review
    purchases = decisions(engine, "Purchase.Requested")
    avl = decisions(engine, "Supplier.AvlDecided")
    passes = decisions(engine, "CQPPlan.MilestonePassed")
    assert len(purchases) > 10
    assert avl
    assert passes
    # When each is replayed
    outcomes = set()
    for row in purchases:
        replay = engine.handler(DecisionReplay).purchase(UUID(row["aggregate_id"]))
        # Then the recorded rule, run on the rebuilt inputs, decides as recorded
        assert replay.consistent, (row, replay.differences)
        assert replay.recomputed == replay.recorded
        assert replay.under_current_rules == replay.recorded  # the rule has not changed
        assert replay.timeline[0].type == "Purchase.Requested"
        outcomes.add(replay.recorded.outcome)
    assert {"match", "warn"} <= outcomes
    for supplier_id in {r["aggregate_id"] for r in avl}:
        supplier: Any = engine.store.repository.get(UUID(supplier_id))
        for category in supplier.avl:
            replayed = engine.handler(DecisionReplay).avl(UUID(supplier_id), category)
            assert replayed.consistent, (supplier_id, category, replayed)
    for row in passes:
        plan: Any = engine.store.repository.get(UUID(row["aggregate_id"]))
        for passage in plan.passed:
            replayed = engine.handler(DecisionReplay).milestone(plan.id, passage.milestone)
            assert replayed.consistent, (plan.id, passage.milestone, replayed)


def test_a_changed_rule_shows_beside_a_consistent_replay_and_a_wrong_one_is_caught(
    engine: Engine,
) -> None:
    # Given a purchase of an R4 fund by a client whose assessment allows it with warnings
    purchase = buy(engine, answers_index=4, rating=RiskRating.R4)
    recorded = engine.handler(DecisionReplay).purchase(purchase).recorded
    # When it is replayed with today's rule changed to a stricter one
    changed = DecisionReplay(
        engine.store,
        engine.settings.supplier_policy,
        engine.settings.cqp_policy,
        rules={**RULES, "suitability-test-strict": strict},
        current_rule="suitability-test-strict",
    ).purchase(purchase)
    # Then the decision still replays consistently under its own rule version
    assert changed.consistent
    assert changed.recorded == recorded
    # And today's rule would decide otherwise
    assert changed.under_current_rules.rule_version == "suitability-test-strict"
    assert changed.under_current_rules.outcome == "block"
    assert changed.under_current_rules.outcome != changed.recorded.outcome
    # But if the recorded rule version ran other code, the replay says so
    wrong = DecisionReplay(
        engine.store,
        engine.settings.supplier_policy,
        engine.settings.cqp_policy,
        rules={RULE_VERSION: strict},
    ).purchase(purchase)
    assert not wrong.consistent
    assert wrong.differences == ["the recorded rule, run again, decides otherwise"]


def test_a_replay_whose_input_was_changed_behind_its_back_is_inconsistent_naming_it(
    engine: Engine,
) -> None:
    """README claim: replay rebuilds each input from the aggregates, never trusting the
    decision's own copy, so a decision that no longer follows from the facts is caught."""
    # Given a purchase of an R4 fund, replaying consistently
    purchase = buy(engine, answers_index=4, rating=RiskRating.R4)
    assert engine.handler(DecisionReplay).purchase(purchase).consistent
    code = engine.handler(DecisionReplay).purchase(purchase).inputs["fund"]["code"]
    # When someone rewrites the fund's listing in the store to say R2
    replace_bytes(engine, fund_id(code), 1, b'"risk_rating":"R4"', b'"risk_rating":"R2"')
    # Then the replay is inconsistent and names the input that changed
    replay = engine.handler(DecisionReplay).purchase(purchase)
    assert not replay.consistent
    assert replay.differences == [
        "input fund.risk_rating was recorded as R4, the aggregates now give R2"
    ]
    assert replay.inputs["fund"]["risk_rating"] == "R2"  # the report shows what it rebuilt


def test_replays_of_unknown_decisions_are_not_found(engine: Engine) -> None:
    purchase = buy(engine, answers_index=0, rating=RiskRating.R1)
    for call in (
        lambda: engine.handler(DecisionReplay).purchase(UUID(int=7)),
        lambda: engine.handler(DecisionReplay).avl(purchase, "connectors"),  # not a supplier
        lambda: engine.handler(DecisionReplay).milestone(purchase, Milestone.A0),  # not a plan
    ):
        try:
            call()
        except NotFound:
            continue
        raise AssertionError("expected NotFound")


ANSWER_SETS = ["a", "b", "c", "d", "e"]
_counter = iter(range(10**6))


def buy(
    engine: Engine,
    answers_index: int,
    rating: RiskRating,
    horizon: Horizon = Horizon.MEDIUM,
    variety: Variety = Variety.EQUITY,
    rerate: RiskRating | None = None,
    reassess: int | None = None,
) -> UUID:
    """A client assessed with the same option to every question, a fund, maybe a rating
    change or a second assessment after the purchase, and a purchase: its id."""
    n = next(_counter)
    ctx = Context(actor="u-gen", at=NOW + timedelta(minutes=n), correlation_id=f"g-{n}")
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    questionnaire = engine.handler(RiskCommands).questionnaire("2026-1")
    option = ANSWER_SETS[answers_index]
    answers = {
        q.id: (option if q.option(option) else q.options[-1].id) for q in questionnaire.questions
    }
    engine.handler(RiskCommands).assess(ctx, client, "2026-1", answers)
    code = f"{(n * 7919) % 10**6:06d}"
    engine.handler(FundCommands).list_fund(
        ctx,
        code=code,
        name="Generated",
        fund_type=FundType.HYBRID,
        manager="Gen",
        inception_date=NOW.date() - timedelta(days=400),
        risk_rating=rating,
        horizon=horizon,
        variety=variety,
    )
    purchase = (
        engine.handler(PurchaseCommands).request(ctx, client, code, Decimal("1000")).result.id
    )
    later = ctx.model_copy(update={"at": ctx.at + timedelta(seconds=30)})
    if rerate is not None and rerate is not rating:
        engine.handler(FundCommands).rate_risk(later, code, rerate, "re-rated after the purchase")
    if reassess is not None:
        other = {q.id: q.options[reassess % len(q.options)].id for q in questionnaire.questions}
        engine.handler(RiskCommands).assess(later, client, "2026-1", other)
    return purchase


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    answers=st.integers(0, 4),
    rating=st.sampled_from(list(RiskRating)),
    horizon=st.sampled_from(list(Horizon)),
    variety=st.sampled_from(list(Variety)),
    rerate=st.none() | st.sampled_from(list(RiskRating)),
    reassess=st.none() | st.integers(0, 4),
)
def test_any_generated_purchase_replays_consistently_whatever_changed_after_it(
    engine: Engine,
    answers: int,
    rating: RiskRating,
    horizon: Horizon,
    variety: Variety,
    rerate: RiskRating | None,
    reassess: int | None,
) -> None:
    """README claim: replay consistent, whatever changed after the decision."""
    # Given a purchase decided on generated inputs, then the fund re-rated and the client
    # reassessed afterwards
    purchase = buy(engine, answers, rating, horizon, variety, rerate, reassess)
    # When it is replayed
    replay = engine.handler(DecisionReplay).purchase(purchase)
    # Then the inputs are those of the versions it used, and the verdict is the same
    assert replay.consistent, replay.differences
    assert replay.inputs["fund"]["risk_rating"] == rating.value
    assert replay.inputs["assessment"]["version"] == 1


def generated_supplier(engine: Engine, actor: str) -> tuple[Context, UUID]:
    """A context a minute after the last generated one, and a supplier registered in it."""
    n = next(_counter)
    ctx = Context(actor=actor, at=NOW + timedelta(minutes=n), correlation_id=f"{actor}-{n}")
    site = Site(name="Kunshan", country="CN", city="Kunshan")
    return ctx, engine.handler(SupplierCommands).register(
        ctx, f"Gen {n}", [site], ["connectors"]
    ).id


def section_scores(low: int) -> st.SearchStrategy[dict[str, list[int]]]:
    return st.fixed_dictionaries(
        {
            name: st.lists(st.integers(low, 4), min_size=n, max_size=n)
            for name, n in SECTIONS.items()
        }
    )


def prepared_plan(engine: Engine, actor: str) -> tuple[Context, UUID]:
    """A plan of a generated supplier, every milestone planned for today, evaluated,
    reviewed, agreed and with its team: ready to pass milestones."""
    ctx, supplier = generated_supplier(engine, actor)
    c = engine.handler(CQPCommands)
    plan = c.create(
        ctx,
        programme="Gen",
        component=f"Part {supplier}",
        supplier_id=supplier,
        criteria=[Criterion.NEW_SUPPLIER],
        milestone_plan=dict.fromkeys(MILESTONES, ctx.at.date()),
    ).id
    c.evaluate(ctx, plan, True, "new supplier")
    c.review(ctx, plan, [Member(name="Lin", role="SQE")])
    c.agree(ctx, plan)
    c.set_team(ctx, plan, [Member(name="Wang", role="MPL")])
    return ctx, plan


SCORES = section_scores(3) | section_scores(0)  # good audits often, any audit too


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    audit=SCORES,
    decision=st.sampled_from([AvlDecision.APPROVE, AvlDecision.APPROVE_CONDITIONAL]),
    later_audit=st.none() | SCORES,
    later_suspension=st.booleans(),
)
def test_any_generated_avl_decision_replays_on_the_audit_it_rested_on(
    engine: Engine,
    audit: dict[str, list[int]],
    decision: AvlDecision,
    later_audit: dict[str, list[int]] | None,
    later_suspension: bool,
) -> None:
    # Given a supplier audited on site with generated scores, and an approval asked for
    ctx, supplier = generated_supplier(engine, "sqe-gen")

    def onsite(scores: dict[str, list[int]], at: Context) -> Any:
        return (
            engine.handler(SupplierCommands)
            .assess(
                at,
                supplier,
                kind=AssessmentKind.ONSITE,
                site="Kunshan",
                on=at.at.date(),
                auditors=["a"],
                scores=scores,
                findings=[],
            )
            .assessment
        )

    first = onsite(audit, ctx)
    try:
        engine.handler(SupplierCommands).decide_avl(
            ctx, supplier, "connectors", decision, "generated"
        )
    except AuditNotPassed:
        event("approval refused")
        # Then a refused approval recorded no decision, and there is nothing to replay
        assert not first.passed
        with pytest.raises(NotFound):
            engine.handler(DecisionReplay).avl(supplier, "connectors")
        return
    event("approved")
    # And whatever happened after it: another audit, a suspension
    later = ctx.model_copy(update={"at": ctx.at + timedelta(days=1)})
    if later_audit is not None:
        onsite(later_audit, later)
    replayed = engine.handler(DecisionReplay).avl(supplier, "connectors")
    if later_suspension:
        engine.handler(SupplierCommands).decide_avl(
            later, supplier, "connectors", AvlDecision.SUSPEND, "gen"
        )
        assert (
            engine.handler(DecisionReplay).avl(supplier, "connectors").inputs["decision"]
            == "suspend"
        )
    # When the approval is replayed, then it rests on the audit as it stood, and agrees
    assert first.passed
    assert replayed.consistent, replayed
    assert replayed.inputs["decision"] == decision.value
    assert replayed.inputs["last_onsite_audit"]["mean"] == first.mean


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    delivered=st.sets(st.sampled_from(list(DeliverableKind))),
    before_each=st.lists(
        st.none() | st.sampled_from(list(DeliverableKind)), min_size=1, max_size=7
    ),
    delivered_after=st.booleans(),
)
def test_any_generated_milestone_pass_replays_on_the_deliverables_then(
    engine: Engine,
    delivered: set[DeliverableKind],
    before_each: list[DeliverableKind | None],
    delivered_after: bool,
) -> None:
    # Given a plan with generated deliverables, and milestones passed in order, each with
    # perhaps one more deliverable just before it and a waiver for exactly what is missing
    ctx, plan = prepared_plan(engine, "mpl-gen")
    c, today = engine.handler(CQPCommands), ctx.at.date()
    for kind in sorted(delivered):
        c.record_deliverable(ctx, plan, kind, f"D-{kind.value}", "sqe")
    waived: dict[Milestone, list[str]] = {}
    for milestone, extra in zip(MILESTONES, before_each, strict=False):
        if extra is not None:
            c.record_deliverable(ctx, plan, extra, f"X-{extra.value}", "sqe")
        now: Any = engine.store.repository.get(plan)
        missing = now.missing_for(milestone, engine.settings.cqp_policy)
        waiver = Waiver(missing=missing, reason="gen", approved_by="sqm") if missing else None
        c.pass_milestone(ctx, plan, milestone, today, None, waiver)
        waived[milestone] = [k.value for k in missing]
    if delivered_after:  # everything delivered afterwards changes nothing passed
        for kind in DeliverableKind:
            c.record_deliverable(ctx, plan, kind, f"L-{kind.value}", "sqe")
    # When each pass is replayed
    for index, (milestone, missing_then) in enumerate(waived.items()):
        replayed = engine.handler(DecisionReplay).milestone(plan, milestone)
        # Then it rests on the deliverables as they stood, and decides as recorded
        assert replayed.consistent, (milestone, replayed)
        assert replayed.inputs["missing"] == missing_then
        assert replayed.inputs["passed_before"] == [m.value for m in MILESTONES[:index]]
        assert (replayed.inputs["waiver"] is not None) == bool(missing_then)
