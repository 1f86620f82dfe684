"""CQP plans: criteria, phase 1 order, the two dpm kinds kept apart, targets against actuals,
milestone order and waivers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest

from domain.cqp.measures import Cpk, DpmAgainstSpecification, DpmInApplication, Fit, Rag, rag
from domain.cqp.milestones import (
    MILESTONES,
    DeliverableKind,
    Milestone,
    OutOfOrder,
    Waiver,
    WaiverNeeded,
)
from domain.cqp.phases import CQPRuleBroken, Criterion, Member, Phase
from domain.cqp.plan import CQPPlan
from domain.cqp.policy import CQPPolicy
from domain.shared.base import Context
from domain.shared.errors import InvalidField, InvalidFields

POLICY = CQPPolicy()
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
PLAN = {m: date(2026, 1, 10) + timedelta(days=30 * i) for i, m in enumerate(MILESTONES)}
TEAM = [Member(name="Wang Fang", role="MPL"), Member(name="Lin Tao", role="SQE")]


def at(days: float = 0) -> Context:
    return Context(actor="mpl.wang", at=T0 + timedelta(days=days), correlation_id="c")


def given_plan(**changes: object) -> CQPPlan:
    fields: dict[str, object] = {
        "programme": "Falcon",
        "component": "USB-C receptacle",
        "supplier_id": uuid.uuid4(),
        "criteria": [Criterion.NEW_TECHNOLOGY],
        "milestone_plan": PLAN,
    }
    fields.update(changes)
    plan = CQPPlan.create(at(), uuid.uuid4(), **fields)  # type: ignore[arg-type]
    plan.collect_events()
    return plan


def prepared() -> CQPPlan:
    plan = given_plan()
    plan.evaluate(at(), True, "new connector technology")
    plan.review(at(), [Member(name="Lin Tao", role="SQE"), Member(name="Zhao Min", role="PM")])
    plan.agree(at())
    plan.set_team(at(), TEAM)
    return plan


def accept(plan: CQPPlan, *kinds: DeliverableKind) -> None:
    for kind in kinds:
        plan.record_deliverable(at(), kind, f"DOC-{kind.value}", accepted_by="sqe.lin")


# -- creation and phase 1 ----------------------------------------------------------------------


def test_a_plan_needs_a_criterion() -> None:
    with pytest.raises(InvalidField, match="criteria"):
        given_plan(criteria=[])


def test_a_plan_needs_every_milestone_in_order() -> None:
    partial = {m: d for m, d in PLAN.items() if m is not Milestone.E3}
    with pytest.raises(InvalidFields, match=r"milestone_plan\.E3"):
        given_plan(milestone_plan=partial)
    backwards = {**PLAN, Milestone.A2: date(2025, 1, 1)}
    with pytest.raises(InvalidField, match=r"milestone_plan\.A2"):
        given_plan(milestone_plan=backwards)


def test_phase_one_goes_evaluate_review_agree_with_a_team_led_by_an_mpl() -> None:
    plan = given_plan()
    with pytest.raises(CQPRuleBroken, match="evaluated before"):
        plan.review(at(), TEAM)
    plan.evaluate(at(), True, "new technology")
    with pytest.raises(CQPRuleBroken, match="after its review"):
        plan.agree(at())
    plan.review(at(), TEAM)
    plan.agree(at())
    assert plan.phase() is Phase.PREPARATION
    with pytest.raises(InvalidField, match="MPL"):
        plan.set_team(at(), [Member(name="Lin Tao", role="SQE")])
    plan.set_team(at(), TEAM)
    assert plan.phase() is Phase.IMPLEMENTATION


def test_a_rejected_request_ends_the_plan() -> None:
    plan = given_plan()
    plan.evaluate(at(), False, "standard part, no CQP needed")
    assert plan.phase() is Phase.REJECTED
    with pytest.raises(CQPRuleBroken, match="rejected"):
        plan.review(at(), TEAM)
    with pytest.raises(CQPRuleBroken, match="evaluated already"):
        plan.evaluate(at(), True, "changed my mind")


# -- quantities --------------------------------------------------------------------------------


def test_the_two_dpm_kinds_never_compare_or_add() -> None:
    application = DpmInApplication(value=Decimal(50))
    specification = DpmAgainstSpecification(value=Decimal(50))
    with pytest.raises(TypeError, match="does not compare or add"):
        _ = application < specification  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = application + specification  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = application == specification
    assert application + DpmInApplication(value=Decimal(5)) == DpmInApplication(value=Decimal(55))
    assert DpmAgainstSpecification(value=Decimal(1)) < specification


def test_targets_against_actuals_green_amber_red() -> None:
    assert rag("dpm_application", Decimal(100), Decimal(100), Decimal("0.1")) is Rag.GREEN
    assert rag("dpm_application", Decimal(100), Decimal(110), Decimal("0.1")) is Rag.AMBER
    assert rag("dpm_application", Decimal(100), Decimal(111), Decimal("0.1")) is Rag.RED
    assert rag("cpk", Decimal("1.33"), Decimal("1.40"), Decimal("0.1")) is Rag.GREEN
    assert rag("cpk", Decimal("1.33"), Decimal("1.20"), Decimal("0.1")) is Rag.AMBER
    assert rag("cpk", Decimal("1.33"), Decimal("1.19"), Decimal("0.1")) is Rag.RED


def test_actuals_need_targets_and_move_the_plan_to_verification() -> None:
    plan = prepared()
    with pytest.raises(InvalidField, match="no target set for cpk"):
        plan.record_actuals(at(), [Cpk(value=Decimal("1.5"))])
    plan.set_targets(
        at(),
        [
            DpmInApplication(value=Decimal(50)),
            DpmAgainstSpecification(value=Decimal(200)),
            Cpk(value=Decimal("1.33")),
            Fit(value=Decimal(10)),
        ],
    )
    with pytest.raises(InvalidField, match="each kind once"):
        plan.set_targets(at(), [Cpk(value=Decimal(1)), Cpk(value=Decimal(2))])
    plan.record_actuals(at(), [Cpk(value=Decimal("1.25")), DpmInApplication(value=Decimal(80))])
    assert plan.status(POLICY.amber_tolerance) == {"cpk": Rag.AMBER, "dpm_application": Rag.RED}
    assert plan.phase() is Phase.VERIFICATION


# -- milestones ----------------------------------------------------------------------------------


def test_milestones_pass_strictly_in_order() -> None:
    plan = prepared()
    accept(plan, DeliverableKind.KEY_COMPONENT_LIST)
    with pytest.raises(OutOfOrder, match="next one is A0"):
        plan.pass_milestone(at(), Milestone.A1, date(2026, 6, 1), None, None, POLICY)
    plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, None, POLICY)
    with pytest.raises(OutOfOrder, match="next one is A1"):
        plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, None, POLICY)


def test_each_milestone_in_turn_refuses_every_other_one_and_passes_the_next() -> None:
    # Given a prepared plan with every deliverable accepted
    plan = prepared()
    accept(plan, *DeliverableKind)
    for step, expected in enumerate(MILESTONES):
        # When any milestone but the next is passed (the one after next, a later one, one
        # already passed), then it is refused and nothing is recorded
        for other in MILESTONES:
            if other is expected:
                continue
            with pytest.raises(OutOfOrder, match=f"next one is {expected.value}"):
                plan.pass_milestone(at(), other, date(2026, 6, 1), None, None, POLICY)
        assert [p.milestone for p in plan.passed] == MILESTONES[:step]
        # And the next one passes
        plan.pass_milestone(at(), expected, date(2026, 6, 1), None, None, POLICY)
    assert plan.next_milestone() is None
    with pytest.raises(OutOfOrder) as refused:
        plan.pass_milestone(at(), Milestone.E5, date(2026, 6, 1), None, None, POLICY)
    assert refused.value.message == (
        "milestone E5 cannot pass now; the next one is none: every milestone is passed"
    )
    assert refused.value.details == {"expected": None}


def test_milestones_wait_for_the_agreed_plan_and_its_team() -> None:
    plan = given_plan()
    plan.evaluate(at(), True, "ok")
    with pytest.raises(CQPRuleBroken, match="agreed and has its team"):
        plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, None, POLICY)


def test_a_missing_deliverable_needs_a_waiver_that_names_it() -> None:
    plan = prepared()
    plan.record_deliverable(at(), DeliverableKind.KEY_COMPONENT_LIST, "KCL-1", accepted_by=None)
    # Recorded but not accepted: still missing
    with pytest.raises(WaiverNeeded, match="key_component_list") as caught:
        plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, None, POLICY)
    assert caught.value.missing == [DeliverableKind.KEY_COMPONENT_LIST]
    wrong = Waiver(missing=[DeliverableKind.DFMEA], reason="later", approved_by="sqm.zhou")
    with pytest.raises(WaiverNeeded):
        plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, wrong, POLICY)
    waiver = Waiver(
        missing=[DeliverableKind.KEY_COMPONENT_LIST],
        reason="list approved verbally; document follows by A1",
        approved_by="sqm.zhou",
    )
    plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), "kick-off", waiver, POLICY)
    assert plan.passed[-1].waiver == waiver
    assert plan.passed[-1].policy_version == POLICY.version


def test_a_waiver_with_nothing_missing_is_refused() -> None:
    plan = prepared()
    accept(plan, DeliverableKind.KEY_COMPONENT_LIST)
    waiver = Waiver(missing=[DeliverableKind.DFMEA], reason="x", approved_by="sqm.zhou")
    with pytest.raises(InvalidField, match="waiver"):
        plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, waiver, POLICY)


def test_a_waived_deliverable_is_still_required_at_the_next_milestone() -> None:
    plan = prepared()
    waiver = Waiver(
        missing=[DeliverableKind.KEY_COMPONENT_LIST], reason="follows", approved_by="sqm.zhou"
    )
    plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, waiver, POLICY)
    accept(plan, DeliverableKind.DFMEA)
    assert plan.missing_for(Milestone.A1, POLICY) == [DeliverableKind.KEY_COMPONENT_LIST]


def test_every_milestone_passed_completes_the_plan_and_overdue_is_by_planned_date() -> None:
    plan = prepared()
    assert plan.overdue(date(2026, 3, 1)) == [Milestone.A0, Milestone.A1]
    accept(plan, *DeliverableKind)
    for milestone in MILESTONES:
        plan.pass_milestone(at(), milestone, date(2026, 6, 1), None, None, POLICY)
    assert plan.phase() is Phase.COMPLETED
    assert plan.overdue(date(2030, 1, 1)) == []
    assert plan.next_milestone() is None


def test_a_milestone_cannot_pass_before_the_agreement_the_previous_one_or_in_the_future() -> None:
    plan = prepared()  # agreed on 2026-06-01
    accept(plan, *DeliverableKind)
    with pytest.raises(InvalidField, match="date: is before the plan was agreed"):
        plan.pass_milestone(at(), Milestone.A0, date(2026, 5, 31), None, None, POLICY)
    plan.pass_milestone(at(), Milestone.A0, date(2026, 6, 1), None, None, POLICY)
    with pytest.raises(InvalidField, match="date: is before A0 passed"):
        plan.pass_milestone(at(), Milestone.A1, date(2026, 5, 31), None, None, POLICY)
    with pytest.raises(InvalidField, match="future"):
        plan.pass_milestone(at(), Milestone.A1, date(2026, 7, 1), None, None, POLICY)


def test_overdue_milestones_are_flagged_once_each_and_the_next_check_moves() -> None:
    plan = prepared()  # A0 planned 2026-01-10, A1 2026-02-09, ...
    assert plan.overdue_check_at() == date(2026, 1, 11)
    assert plan.record_overdue(at())  # 2026-06-01: A0 to E0 are past their dates
    assert plan.overdue_flagged == MILESTONES[:5]
    assert not plan.record_overdue(at())
    assert plan.overdue_check_at() == PLAN[Milestone.E1] + timedelta(days=1)
    rejected = given_plan()
    rejected.evaluate(at(), False, "no")
    assert not rejected.record_overdue(at())
    assert rejected.overdue_check_at() is None


# -- what a page offers ------------------------------------------------------------------


def _plans() -> dict[str, CQPPlan]:
    """Plans in the states a page meets."""
    states = {"new": given_plan()}
    rejected = given_plan()
    rejected.evaluate(at(), False, "not needed")
    states["rejected"] = rejected
    accepted = given_plan()
    accepted.evaluate(at(), True, "new technology")
    states["accepted"] = accepted
    reviewed = given_plan()
    reviewed.evaluate(at(), True, "new technology")
    reviewed.review(at(), [Member(name="Lin Tao", role="SQE")])
    states["reviewed"] = reviewed
    states["prepared"] = prepared()
    targeted = prepared()
    targeted.set_targets(at(), [DpmInApplication(value=Decimal(50))])
    states["with targets"] = targeted
    done = prepared()
    accept(done, *DeliverableKind)
    for m in MILESTONES:
        done.pass_milestone(at(), m, T0.date(), None, None, POLICY)
    states["completed"] = done
    return states


def _accepts(name: str, action: str) -> bool:
    plan = _plans()[name]
    nxt = plan.next_milestone() or Milestone.E5
    every = [k for k in DeliverableKind if k in plan.missing_for(nxt, POLICY)]
    waiver = Waiver(missing=every, reason="r", approved_by="z") if every else None
    run: dict[str, Callable[[], object]] = {
        "evaluate": partial(plan.evaluate, at(), True, "r"),
        "review": partial(plan.review, at(), [Member(name="Lin Tao", role="SQE")]),
        "agree": partial(plan.agree, at()),
        "team": partial(plan.set_team, at(), TEAM),
        "targets": partial(plan.set_targets, at(), [Fit(value=Decimal(5))]),
        "actuals": partial(plan.record_actuals, at(), [DpmInApplication(value=Decimal(40))]),
        "deliverable": partial(plan.record_deliverable, at(), DeliverableKind.MSA, "D", None),
        "pass": partial(plan.pass_milestone, at(), nxt, T0.date(), None, waiver, POLICY),
    }
    try:
        run[action]()
    except (CQPRuleBroken, OutOfOrder, WaiverNeeded, InvalidField):
        return False
    return True


@pytest.mark.parametrize("name", list(_plans()))
def test_given_a_plan_then_it_offers_exactly_what_its_commands_accept(name: str) -> None:
    actions = ("evaluate", "review", "agree", "team", "targets", "actuals", "deliverable", "pass")
    assert _plans()[name].offers() == {a for a in actions if _accepts(name, a)}
