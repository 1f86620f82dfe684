"""Suppliers: the lifecycle, audit scoring (hand-computed), AVL policy, corrective-action
order, 3SQS ratings and the re-audit flag."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest

from domain.shared.base import Context
from domain.shared.errors import InvalidField, InvalidFields, NotFound
from domain.suppliers.audits import (
    SECTIONS,
    AssessmentKind,
    AuditNotPassed,
    Finding,
    FindingArea,
    Severity,
    score,
)
from domain.suppliers.avl import AvlDecision, AvlStatus
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import (
    NEXT,
    NotAllowedNow,
    Site,
    Stage,
    StageSkipped,
    SupplierStatus,
)
from domain.suppliers.policy import SupplierPolicy
from domain.suppliers.sqs import SqsStep
from domain.suppliers.supplier import Supplier

POLICY = SupplierPolicy()
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def at(days: float = 0) -> Context:
    return Context(actor="sqe.lin", at=T0 + timedelta(days=days), correlation_id="c")


def given_supplier() -> Supplier:
    supplier = Supplier.register(
        at(),
        uuid.uuid4(),
        "Delta Precision",
        [Site(name="Kunshan", country="CN", city="Kunshan")],
        ["connectors", "cables"],
    )
    supplier.collect_events()
    return supplier


def uniform(value: int) -> dict[str, list[int]]:
    return {section: [value] * count for section, count in SECTIONS.items()}


def audited(supplier: Supplier, scores: dict[str, list[int]], days: float = 0) -> None:
    supplier.assess(
        at(days),
        uuid.uuid4(),
        AssessmentKind.ONSITE,
        "Kunshan",
        at(days).at.date(),
        ["sqe.lin"],
        scores,
        [Finding(area=FindingArea.PLATING, severity=Severity.MINOR, text="log gaps")],
        POLICY,
    )


# -- lifecycle ---------------------------------------------------------------------------


def test_a_new_supplier_starts_at_contact_and_moves_one_stage_at_a_time() -> None:
    supplier = given_supplier()
    for stage in list(Stage)[1:8]:
        supplier.move(at(), stage, None)
    assert supplier.stage is Stage.DELIVERY
    assert [c.stage for c in supplier.stage_history] == list(Stage)[:8]


def test_skipping_a_stage_is_refused_naming_the_allowed_next() -> None:
    supplier = given_supplier()
    with pytest.raises(StageSkipped, match="allowed next: survey"):
        supplier.move(at(), Stage.SAMPLE, None)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Stage.DELIVERY, Stage.PERIODIC_AUDIT),
        (Stage.PERIODIC_AUDIT, Stage.DELIVERY),
        (Stage.PERIODIC_AUDIT, Stage.IMPROVEMENT),
        (Stage.IMPROVEMENT, Stage.DELIVERY),
        (Stage.PERIODIC_AUDIT, Stage.EXPANDED),
    ],
)
def test_the_repeating_part_may_go_round(start: Stage, to: Stage) -> None:
    supplier = given_supplier()
    supplier.stage = start
    supplier.move(at(), to, "next round")
    assert supplier.stage is to


def test_only_the_repeating_stages_go_back() -> None:
    backwards = [
        (s, t)
        for s, nexts in NEXT.items()
        for t in nexts
        if list(Stage).index(t) < list(Stage).index(s)
    ]
    assert {s for s, _ in backwards} <= {Stage.PERIODIC_AUDIT, Stage.EXPANDED, Stage.IMPROVEMENT}


def test_suspended_suppliers_do_not_move_until_reinstated() -> None:
    supplier = given_supplier()
    supplier.suspend(at(), "late deliveries")
    with pytest.raises(NotAllowedNow, match="suspended supplier cannot change stage"):
        supplier.move(at(), Stage.SURVEY, None)
    supplier.reinstate(at(), "recovered")
    supplier.move(at(), Stage.SURVEY, None)
    assert supplier.status is SupplierStatus.ACTIVE


def test_disqualified_is_final() -> None:
    supplier = given_supplier()
    supplier.disqualify(at(), "fraudulent certificates")
    with pytest.raises(NotAllowedNow):
        supplier.reinstate(at(), "appeal")
    with pytest.raises(NotAllowedNow):
        supplier.disqualify(at(), "again")
    assert supplier.status_reason == "fraudulent certificates"


# -- scoring -------------------------------------------------------------------------------


def test_section_means_and_the_overall_mean_hand_computed() -> None:
    # Quality system 9 items summing to 27 -> 3.0; business 11 items summing to 33 -> 3.0;
    # design 10 items of 4 -> 4.0; production 3 items (2, 2, 3) -> 7/3; process 11 of 3;
    # training (1, 2, 3) -> 2.0; materials 13 of 3 -> 3.0.
    # Overall: (3 + 3 + 4 + 7/3 + 3 + 2 + 3) / 7 = (20 + 1/3) / 7 = 61/21 = 2.9048.
    scores = {
        "quality_system": [3, 3, 3, 4, 2, 3, 3, 3, 3],
        "business": [3] * 11,
        "design_technology": [4] * 10,
        "production_technology": [2, 2, 3],
        "process": [3] * 11,
        "training": [1, 2, 3],
        "materials_management": [3] * 13,
    }
    result = score(scores, POLICY)
    assert result.section_means["production_technology"] == 2.3333
    assert result.section_means["training"] == 2.0
    assert result.mean == 2.9048
    assert not result.passed  # every section >= 2.0, but the mean is below 3.0
    assert result.failing_sections == []


def test_a_section_below_two_fails_the_audit_even_with_a_high_mean() -> None:
    scores = uniform(4)
    scores["training"] = [1, 2, 2]  # 5/3 < 2.0
    result = score(scores, POLICY)
    assert result.mean > 3.5
    assert not result.passed
    assert result.failing_sections == ["training"]


def test_exactly_at_the_thresholds_passes() -> None:
    scores = uniform(3)
    scores["training"] = [2, 2, 2]
    scores["design_technology"] = [4] * 10  # mean (3*5 + 2 + 4) / 7 = 3.0
    result = score(scores, POLICY)
    assert result.mean == 3.0
    assert result.passed


def test_wrong_counts_and_unknown_sections_name_the_section() -> None:
    scores = uniform(3)
    scores["process"] = [3] * 10
    scores["logistics"] = [3]
    del scores["training"]
    with pytest.raises(InvalidFields) as caught:
        score(scores, POLICY)
    fields = {f for f, _ in caught.value.errors}
    assert fields == {"scores.process", "scores.logistics", "scores.training"}


def test_item_scores_are_zero_to_four() -> None:
    scores = uniform(3)
    scores["business"] = [5] + [3] * 10
    with pytest.raises(InvalidFields, match=r"scores\.business"):
        score(scores, POLICY)


def test_an_assessment_at_an_unknown_site_or_in_the_future_is_refused() -> None:
    supplier = given_supplier()
    with pytest.raises(InvalidField, match="site"):
        supplier.assess(
            at(),
            uuid.uuid4(),
            AssessmentKind.SELF,
            "Tianjin",
            date(2026, 3, 1),
            [],
            uniform(3),
            [],
            POLICY,
        )
    with pytest.raises(InvalidField, match="date"):
        supplier.assess(
            at(),
            uuid.uuid4(),
            AssessmentKind.SELF,
            "Kunshan",
            date(2026, 4, 1),
            [],
            uniform(3),
            [],
            POLICY,
        )


# -- AVL -----------------------------------------------------------------------------------


def test_approval_needs_an_on_site_audit() -> None:
    supplier = given_supplier()
    supplier.assess(
        at(),
        uuid.uuid4(),
        AssessmentKind.SELF,
        "Kunshan",
        at().at.date(),
        [],
        uniform(4),
        [],
        POLICY,
    )
    with pytest.raises(AuditNotPassed, match="there is none"):
        supplier.decide_avl(at(), "connectors", AvlDecision.APPROVE, "ok", POLICY)


def test_approval_after_a_failed_audit_names_the_failing_sections() -> None:
    supplier = given_supplier()
    scores = uniform(3)
    scores["process"] = [1] * 11
    audited(supplier, scores)
    with pytest.raises(AuditNotPassed, match="failing sections: process") as caught:
        supplier.decide_avl(at(), "connectors", AvlDecision.APPROVE, "ok", POLICY)
    assert caught.value.failing == ["process"]


def test_a_passed_audit_approves_sets_the_reaudit_and_strategic_status() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(4))
    supplier.decide_avl(at(1), "connectors", AvlDecision.APPROVE, "excellent audit", POLICY)
    entry = supplier.avl["connectors"]
    assert entry.status is AvlStatus.APPROVED
    assert entry.assessment_id == supplier.assessments[-1].id
    assert supplier.strategic
    assert supplier.reaudit_due_at == date(2027, 3, 2)


def test_a_merely_passing_audit_is_not_strategic() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    assert not supplier.strategic
    supplier.decide_avl(at(), "cables", AvlDecision.APPROVE_CONDITIONAL, "watch plating", POLICY)
    assert supplier.avl["cables"].status is AvlStatus.CONDITIONAL


def test_approval_on_an_out_of_date_audit_is_refused() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    with pytest.raises(AuditNotPassed, match="out of date"):
        supplier.decide_avl(at(400), "connectors", AvlDecision.APPROVE, "ok", POLICY)


def test_suspend_and_withdraw_act_on_listed_categories_only() -> None:
    supplier = given_supplier()
    with pytest.raises(NotAllowedNow, match="not on the approved vendor list"):
        supplier.decide_avl(at(), "connectors", AvlDecision.SUSPEND, "x", POLICY)
    audited(supplier, uniform(3))
    supplier.decide_avl(at(), "connectors", AvlDecision.APPROVE, "ok", POLICY)
    supplier.decide_avl(at(), "connectors", AvlDecision.SUSPEND, "field failures", POLICY)
    with pytest.raises(NotAllowedNow, match="suspended already"):
        supplier.decide_avl(at(), "connectors", AvlDecision.SUSPEND, "x", POLICY)
    supplier.decide_avl(at(), "connectors", AvlDecision.WITHDRAW, "moved to second source", POLICY)
    assert supplier.avl["connectors"].status is AvlStatus.WITHDRAWN


def test_an_unknown_category_is_refused() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    with pytest.raises(InvalidField, match="category"):
        supplier.decide_avl(at(), "batteries", AvlDecision.APPROVE, "ok", POLICY)


def test_a_suspended_supplier_is_not_approved() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    supplier.suspend(at(), "audit of records pending")
    with pytest.raises(NotAllowedNow):
        supplier.decide_avl(at(), "connectors", AvlDecision.APPROVE, "ok", POLICY)


# -- 3SQS, corrective actions, re-audit ------------------------------------------------------


def test_sqs_keeps_the_latest_rating_per_step() -> None:
    supplier = given_supplier()
    supplier.rate_sqs(at(), SqsStep.PREVENTION, 2, "FMEA coverage partial")
    supplier.rate_sqs(at(1), SqsStep.PREVENTION, 3, "FMEA complete")
    assert supplier.sqs[SqsStep.PREVENTION].rating == 3
    with pytest.raises(InvalidField, match="rating"):
        supplier.rate_sqs(at(), SqsStep.FA_CA, 5, "x")


def test_corrective_actions_go_in_order_and_a_failed_verification_needs_a_new_action() -> None:
    supplier = given_supplier()
    ca = uuid.uuid4()
    supplier.open_corrective_action(at(), ca, "burrs on pins", "CN-12", Severity.MAJOR)
    with pytest.raises(NotAllowedNow, match="next comes analysed"):
        supplier.advance_corrective_action(at(), ca, CaStep.ACTION_TAKEN, "deburr")
    supplier.advance_corrective_action(at(), ca, CaStep.ANALYSED, "worn die")
    supplier.advance_corrective_action(at(), ca, CaStep.ACTION_TAKEN, "replace die")
    with pytest.raises(InvalidField, match="effective"):
        supplier.advance_corrective_action(at(), ca, CaStep.VERIFIED, "checked")
    supplier.advance_corrective_action(at(), ca, CaStep.VERIFIED, "still burrs", effective=False)
    assert supplier.corrective_actions[str(ca)].step is CaStep.ANALYSED
    supplier.advance_corrective_action(at(), ca, CaStep.ACTION_TAKEN, "new die and SPC")
    supplier.advance_corrective_action(at(), ca, CaStep.VERIFIED, "clean", effective=True)
    assert supplier.open_actions()
    supplier.advance_corrective_action(at(), ca, CaStep.CLOSED, "closed")
    assert supplier.open_actions() == []
    with pytest.raises(NotAllowedNow, match="it is closed"):
        supplier.advance_corrective_action(at(), ca, CaStep.CLOSED, "again")
    with pytest.raises(NotFound):
        supplier.advance_corrective_action(at(), uuid.uuid4(), CaStep.ANALYSED, "x")


def test_the_reaudit_is_flagged_once_due_once_overdue_and_cleared_by_the_next_audit() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    assert supplier.reaudit_check_at(POLICY) == date(2027, 1, 31)  # 30 days' notice
    assert not supplier.record_reaudit_due(at(300), POLICY)
    assert supplier.record_reaudit_due(at(340), POLICY)  # within the notice: due
    assert not supplier.record_reaudit_due(at(341), POLICY)  # once per due date
    assert supplier.reaudit_check_at(POLICY) == date(2027, 3, 3)
    assert supplier.record_reaudit_due(at(366), POLICY)  # past the due date: overdue
    assert not supplier.record_reaudit_due(at(367), POLICY)
    assert supplier.reaudit_check_at(POLICY) is None
    assert supplier.reaudit_overdue(at(367).at.date())
    audited(supplier, uniform(3), days=370)
    assert supplier.reaudit_flagged_for is None
    assert supplier.reaudit_overdue_for is None
    assert not supplier.reaudit_overdue(at(371).at.date())
    assert supplier.reaudit_due_at == date(2028, 3, 7)


# -- what a page offers ------------------------------------------------------------------


def _named_states() -> dict[str, Supplier]:
    """Suppliers in the states a page meets (a passed audit behind each, so an approval
    offered is an approval that goes through)."""
    states: dict[str, Supplier] = {}
    for name, path in {
        "contact": (),
        "delivery": tuple(Stage)[1:8],
        "periodic_audit": (*tuple(Stage)[1:8], Stage.PERIODIC_AUDIT),
    }.items():
        s = given_supplier()
        audited(s, uniform(3))
        for stage in path:
            s.move(at(1), stage, None)
        states[name] = s
    approved = given_supplier()
    audited(approved, uniform(3))
    approved.decide_avl(at(1), "connectors", AvlDecision.APPROVE, "ok", POLICY)
    states["approved"] = approved
    suspended_entry = given_supplier()
    audited(suspended_entry, uniform(3))
    suspended_entry.decide_avl(at(1), "connectors", AvlDecision.APPROVE, "ok", POLICY)
    suspended_entry.decide_avl(at(1), "connectors", AvlDecision.SUSPEND, "late", POLICY)
    states["category suspended"] = suspended_entry
    suspended = given_supplier()
    audited(suspended, uniform(3))
    suspended.suspend(at(1), "late lots")
    states["suspended"] = suspended
    gone = given_supplier()
    gone.disqualify(at(1), "fraud")
    states["disqualified"] = gone
    return states


def _accepted(name: str, action: str) -> bool:
    s = _named_states()[name]
    run: dict[str, Callable[[], object]] = {
        "suspend": lambda: s.suspend(at(2), "r"),
        "disqualify": lambda: s.disqualify(at(2), "r"),
        "reinstate": lambda: s.reinstate(at(2), "r"),
        "assess": lambda: audited(s, uniform(3), 2),
        "approve": lambda: s.decide_avl(at(2), "cables", AvlDecision.APPROVE, "r", POLICY),
        "open_action": lambda: s.open_corrective_action(
            at(2), uuid.uuid4(), "p", None, Severity.MINOR
        ),
        **{
            f"{verb}:{category}": partial(
                s.decide_avl, at(2), category, AvlDecision(verb), "r", POLICY
            )
            for verb in ("suspend", "withdraw")
            for category in ("connectors", "cables")
        },
        **{stage.value: partial(s.move, at(2), stage, None) for stage in Stage},
    }
    try:
        run[action]()
    except (NotAllowedNow, StageSkipped, AuditNotPassed, InvalidField):
        return False
    return True


@pytest.mark.parametrize("name", list(_named_states()))
def test_given_a_supplier_then_it_offers_exactly_what_its_commands_accept(name: str) -> None:
    offered = _named_states()[name].offers()
    actions = ["suspend", "disqualify", "reinstate", "assess", "approve", "open_action"]
    actions += [f"{v}:{c}" for v in ("suspend", "withdraw") for c in ("connectors", "cables")]
    actions += [stage.value for stage in Stage]
    assert offered == {a for a in actions if _accepted(name, a)}


def test_an_audit_dated_today_east_of_utc_after_midnight_is_not_in_the_future() -> None:
    # Given 01:30 in Shanghai on the 3rd, which is still the 2nd in UTC
    supplier = given_supplier()
    late = Context(actor="sqe.lin", at=datetime(2026, 3, 2, 17, 30, tzinfo=UTC), correlation_id="c")
    # When the engineer there dates the audit by their own calendar, it is recorded
    supplier.assess(
        late,
        uuid.uuid4(),
        AssessmentKind.SELF,
        "Kunshan",
        date(2026, 3, 3),
        [],
        uniform(3),
        [],
        POLICY,
    )
    # But a date no place on earth has reached yet is refused
    with pytest.raises(InvalidField, match="future"):
        supplier.assess(
            late,
            uuid.uuid4(),
            AssessmentKind.SELF,
            "Kunshan",
            date(2026, 3, 4),
            [],
            uniform(3),
            [],
            POLICY,
        )
