"""CQP plans: every refusal in the words (and with the facts) the API and the console show,
the rules at their exact boundaries, and what a milestone pass records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.cqp.measures import Cpk, DpmAgainstSpecification, DpmInApplication, Rag, rag
from domain.cqp.milestones import (
    MILESTONES,
    DeliverableKind,
    Milestone,
    OutOfOrder,
    Waiver,
    WaiverNeeded,
)
from domain.cqp.phases import CQPRuleBroken, Criterion, Member, Phase
from domain.cqp.plan import MAX_DELIVERABLES, CQPPlan
from domain.shared.errors import DomainError, InvalidField, InvalidFields
from tests.unit.refusals import Command, Refusal, assert_refused, each_refusal
from tests.unit.test_cqp_domain import PLAN, POLICY, TEAM, accept, at, given_plan, prepared

DAY = date(2026, 6, 1)
WAIVER = Waiver(missing=[DeliverableKind.DFMEA], reason="follows", approved_by="sqm.zhou")


def evaluated(accepted: bool = True) -> CQPPlan:
    plan = given_plan()
    plan.evaluate(at(), accepted, "why")
    return plan


def reviewed() -> CQPPlan:
    plan = evaluated()
    plan.review(at(), TEAM)
    return plan


def agreed_without_team() -> CQPPlan:
    plan = reviewed()
    plan.agree(at())
    return plan


def team_without_agreement() -> CQPPlan:
    plan = reviewed()
    plan.set_team(at(), TEAM)
    return plan


def pass_next(plan: CQPPlan, on: date = DAY, waiver: Waiver | None = None) -> None:
    milestone = plan.next_milestone()
    assert milestone is not None
    plan.pass_milestone(at(), milestone, on, None, waiver, POLICY)


def passed_a0() -> CQPPlan:
    plan = prepared()
    accept(plan, DeliverableKind.KEY_COMPONENT_LIST)
    pass_next(plan)
    return plan


def pass_before_agreement() -> None:
    plan = prepared()
    assert plan.agreed_at is not None
    pass_next(plan, plan.agreed_at.date() - timedelta(days=1))


def a_201st_deliverable() -> None:
    plan = prepared()
    for n in range(MAX_DELIVERABLES + 1):
        plan.record_deliverable(at(), DeliverableKind.DFMEA, f"D-{n}", None)


def waiver_with_nothing_missing() -> None:
    plan = passed_a0()
    accept(plan, DeliverableKind.DFMEA)
    pass_next(plan, waiver=WAIVER)


def create(**changes: object) -> None:
    given_plan(**changes)


REFUSALS: list[Refusal] = [
    ("no criterion", lambda: create(criteria=[]), InvalidField, "criteria",
     "a component qualifies by at least one criterion"),
    ("a criterion twice", lambda: create(criteria=[Criterion.NEW_TECHNOLOGY] * 2),
     InvalidField, "criteria", "criteria must be distinct"),
    ("a milestone planned before the one before it",
     lambda: create(milestone_plan={**PLAN, Milestone.A2: PLAN[Milestone.A0]}),
     InvalidField, "milestone_plan.A2", "is planned before A1"),
    ("evaluating twice", lambda: evaluated().evaluate(at(), True, "again"), CQPRuleBroken, None,
     "the request was evaluated already"),
    ("reviewing before the evaluation", lambda: given_plan().review(at(), TEAM), CQPRuleBroken,
     None, "the request is evaluated before the plan can be reviewed"),
    ("reviewing a rejected plan", lambda: evaluated(False).review(at(), TEAM), CQPRuleBroken,
     None, "a rejected plan cannot be reviewed"),
    ("a review without participants", lambda: evaluated().review(at(), []), InvalidField,
     "participants", "a review has participants"),
    ("agreeing a rejected plan", lambda: evaluated(False).agree(at()), CQPRuleBroken, None,
     "a rejected plan cannot be agreed"),
    ("agreeing before the review", lambda: evaluated().agree(at()), CQPRuleBroken, None,
     "the plan is agreed after its review"),
    ("agreeing twice", lambda: agreed_without_team().agree(at()), CQPRuleBroken, None,
     "the plan is agreed already"),
    ("a team of a rejected plan", lambda: evaluated(False).set_team(at(), TEAM), CQPRuleBroken,
     None, "a rejected plan cannot get a team"),
    ("a team without an MPL",
     lambda: evaluated().set_team(at(), [Member(name="Lin Tao", role="SQE")]), InvalidField,
     "members", "the team needs a material project leader (role MPL)"),
    ("targets of a rejected plan", lambda: evaluated(False).set_targets(at(), [Cpk(value=1)]),
     CQPRuleBroken, None, "a rejected plan cannot get targets"),
    ("no target", lambda: evaluated().set_targets(at(), []), InvalidField, "targets",
     "name at least one measure"),
    ("a target twice", lambda: evaluated().set_targets(at(), [Cpk(value=1), Cpk(value=2)]),
     InvalidField, "targets", "each kind once"),
    ("actuals of a rejected plan", lambda: evaluated(False).record_actuals(at(), [Cpk(value=1)]),
     CQPRuleBroken, None, "a rejected plan cannot record actuals"),
    ("no actual", lambda: evaluated().record_actuals(at(), []), InvalidField, "actuals",
     "name at least one measure"),
    ("an actual twice",
     lambda: evaluated().record_actuals(at(), [Cpk(value=1), Cpk(value=2)]), InvalidField,
     "actuals", "each kind once"),
    ("actuals without their targets",
     lambda: evaluated().record_actuals(
         at(), [Cpk(value=1), DpmInApplication(value=Decimal(5))]
     ), InvalidField, "actuals", "no target set for cpk, dpm_application"),
    ("a deliverable of a rejected plan",
     lambda: evaluated(False).record_deliverable(at(), DeliverableKind.DFMEA, "D-1", None),
     CQPRuleBroken, None, "a rejected plan cannot record deliverables"),
    ("a pass of a rejected plan",
     lambda: evaluated(False).pass_milestone(at(), Milestone.A0, DAY, None, None, POLICY),
     CQPRuleBroken, None, "a rejected plan cannot pass milestones"),
    ("a pass of a plan agreed without its team", lambda: pass_next(agreed_without_team()),
     CQPRuleBroken, None, "milestones start once the plan is agreed and has its team"),
    ("a pass of a plan with a team, not agreed", lambda: pass_next(team_without_agreement()),
     CQPRuleBroken, None, "milestones start once the plan is agreed and has its team"),
    ("a pass dated before the one before it",
     lambda: pass_next(passed_a0(), DAY - timedelta(days=1), WAIVER), InvalidField, "date",
     "is before A0 passed"),
    ("a pass dated before the plan was agreed", pass_before_agreement, InvalidField, "date",
     "is before the plan was agreed"),
    ("a 201st deliverable", a_201st_deliverable, InvalidField, "deliverables",
     "a plan holds at most 200"),
    ("a pass dated tomorrow", lambda: pass_next(prepared(), at(1).at.date()), InvalidField,
     "date", "a milestone cannot pass in the future"),
    ("a waiver with nothing missing", waiver_with_nothing_missing, InvalidField, "waiver",
     "nothing is missing: no waiver is needed"),
    ("a waiver naming what is not missing",
     lambda: pass_next(passed_a0(), waiver=Waiver(
         missing=[DeliverableKind.DFMEA, DeliverableKind.TRAINING, DeliverableKind.PFMEA],
         reason="r", approved_by="sqm.zhou",
     )), InvalidField, "waiver.missing", "not missing: training, pfmea"),
]  # fmt: skip


@each_refusal(REFUSALS)
def test_each_refusal_names_its_field_and_says_why(
    command: Command, error: type[DomainError], field: str | None, message: str
) -> None:
    assert_refused(command, error, field, message)


def test_every_milestone_missing_from_the_plan_is_named() -> None:
    plan = {m: d for m, d in PLAN.items() if m not in (Milestone.A1, Milestone.E4)}
    with pytest.raises(InvalidFields) as refused:
        given_plan(milestone_plan=plan)
    assert refused.value.errors == [
        ("milestone_plan.A1", "is missing"),
        ("milestone_plan.E4", "is missing"),
    ]


def test_two_milestones_may_be_planned_on_the_same_day() -> None:
    plan = given_plan(milestone_plan={**PLAN, Milestone.A1: PLAN[Milestone.A0]})
    assert plan.milestone_plan[Milestone.A1] == plan.milestone_plan[Milestone.A0]


def test_out_of_order_says_which_comes_next_in_words_and_as_a_fact() -> None:
    plan = passed_a0()
    with pytest.raises(OutOfOrder) as refused:
        plan.pass_milestone(at(), Milestone.A2, DAY, None, None, POLICY)
    assert refused.value.message == "milestone A2 cannot pass now; the next one is A1"
    assert refused.value.details == {"expected": "A1"}
    assert refused.value.expected is Milestone.A1


def test_a_missing_deliverable_is_named_in_words_and_as_a_fact() -> None:
    plan = passed_a0_with_a1_passed()
    with pytest.raises(WaiverNeeded) as refused:
        pass_next(plan)
    assert refused.value.message == (
        "milestone A2 needs pfmea, control_plan, not accepted yet: pass it with a waiver "
        "naming them, a reason and an approver"
    )
    assert refused.value.details == {"missing": ["pfmea", "control_plan"]}
    assert refused.value.missing == [DeliverableKind.PFMEA, DeliverableKind.CONTROL_PLAN]
    assert plan.next_milestone() is Milestone.A2


def passed_a0_with_a1_passed() -> CQPPlan:
    plan = passed_a0()
    accept(plan, DeliverableKind.DFMEA)
    pass_next(plan)
    return plan


def test_a_pass_records_its_note_the_deliverables_required_and_the_policy() -> None:
    plan = prepared()
    accept(plan, DeliverableKind.KEY_COMPONENT_LIST)
    plan.collect_events()
    plan.pass_milestone(at(), Milestone.A0, DAY, "kick-off", None, POLICY)
    [passed] = plan.collect_events()
    assert isinstance(passed, CQPPlan.MilestonePassed)
    assert passed.passage.note == "kick-off"
    assert passed.required == [DeliverableKind.KEY_COMPONENT_LIST]
    assert passed.policy == POLICY


def test_the_phase_moves_to_verification_with_a_process_assessment_or_actuals() -> None:
    plan = prepared()
    plan.record_deliverable(at(), DeliverableKind.DFMEA, "D-1", "sqe.lin")
    assert plan.phase() is Phase.IMPLEMENTATION
    plan.record_deliverable(at(), DeliverableKind.PROCESS_ASSESSMENT, "PA-1", None)
    assert plan.phase() is Phase.VERIFICATION


@pytest.mark.parametrize(
    ("kind", "target", "actual", "expected"),
    [
        ("cpk", "1.33", "1.33", Rag.GREEN),  # exactly on target
        ("cpk", "1.00", "0.90", Rag.AMBER),  # exactly at the tolerance
        ("cpk", "1.00", "0.89", Rag.RED),
        ("dpm_application", "100", "100", Rag.GREEN),
        ("dpm_application", "100", "110", Rag.AMBER),
        ("dpm_application", "100", "111", Rag.RED),
    ],
)
def test_targets_against_actuals_at_their_boundaries(
    kind: str, target: str, actual: str, expected: Rag
) -> None:
    assert rag(kind, Decimal(target), Decimal(actual), Decimal("0.1")) is expected


def test_a_milestone_is_overdue_the_day_after_its_planned_date() -> None:
    plan = prepared()
    planned = plan.milestone_plan[Milestone.A0]
    assert plan.overdue(planned) == []
    assert plan.overdue(planned + timedelta(days=1)) == [Milestone.A0]
    assert plan.overdue_check_at() == planned + timedelta(days=1)


def test_a_plan_with_every_milestone_passed_or_flagged_has_nothing_to_check() -> None:
    plan = prepared()
    accept(plan, *DeliverableKind)
    for _ in MILESTONES:
        pass_next(plan)
    assert plan.overdue_check_at() is None


def test_quantities_compare_and_add_only_with_their_own_kind() -> None:
    one, two = DpmInApplication(value=Decimal(1)), DpmInApplication(value=Decimal(2))
    also_one = DpmInApplication(value=Decimal(1))
    assert (one < two, one <= also_one, two > one, one >= also_one) == (True, True, True, True)
    assert (one < also_one, one > also_one, one >= two, two <= one) == (False,) * 4
    assert (one + two).value == 3
    assert hash(one) == hash(DpmInApplication(value=Decimal(1)))
    assert hash(one) != hash(DpmAgainstSpecification(value=Decimal(1)))
    other = DpmAgainstSpecification(value=Decimal(1))
    with pytest.raises(TypeError) as refused:
        assert one <= other  # type: ignore[operator]
    assert str(refused.value) == "DpmInApplication does not compare or add with " + (
        "DpmAgainstSpecification"
    )
