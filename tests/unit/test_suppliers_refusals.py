"""Suppliers: every refusal in the words (and with the facts) the API and the console show,
and the rules at their exact boundaries."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from domain.shared.errors import DomainError, InvalidField, InvalidFields
from domain.suppliers.audits import AssessmentKind, AuditNotPassed, Severity, score
from domain.suppliers.avl import AvlDecision
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import NotAllowedNow, Site, Stage, StageSkipped
from domain.suppliers.sqs import SqsStep
from domain.suppliers.supplier import MAX_ASSESSMENTS, MAX_CORRECTIVE_ACTIONS, Supplier
from tests.unit.refusals import Command, Refusal, assert_refused, each_refusal
from tests.unit.test_suppliers_domain import POLICY, at, audited, given_supplier, uniform

KUNSHAN = [Site(name="Kunshan", country="CN", city="Kunshan")]


def register(sites: list[Site], categories: list[str]) -> None:
    Supplier.register(at(), uuid.uuid4(), "Delta", sites, categories)


def disqualified() -> Supplier:
    supplier = given_supplier()
    supplier.disqualify(at(), "fraud")
    return supplier


def suspended() -> Supplier:
    supplier = given_supplier()
    supplier.suspend(at(), "late")
    return supplier


def assess(supplier: Supplier, **overrides: object) -> None:
    fields: dict[str, object] = {
        "kind": AssessmentKind.ONSITE,
        "site": "Kunshan",
        "on": at().at.date(),
        "auditors": ["sqe.lin"],
        "scores": uniform(3),
    }
    fields.update(overrides)
    supplier.assess(at(), uuid.uuid4(), findings=[], policy=POLICY, **fields)  # type: ignore[arg-type]


def approve(supplier: Supplier, category: str = "connectors", days: float = 0) -> None:
    supplier.decide_avl(at(days), category, AvlDecision.APPROVE, "ok", POLICY)


def with_action() -> tuple[Supplier, uuid.UUID]:
    supplier, action = given_supplier(), uuid.uuid4()
    supplier.open_corrective_action(at(), action, "burrs", None, Severity.MAJOR)
    return supplier, action


def a_201st_assessment() -> None:
    supplier = given_supplier()
    for _ in range(MAX_ASSESSMENTS):
        assess(supplier)
    assess(supplier)


def a_501st_corrective_action() -> None:
    supplier = given_supplier()
    for _ in range(MAX_CORRECTIVE_ACTIONS + 1):
        supplier.open_corrective_action(at(), uuid.uuid4(), "burrs", None, Severity.MINOR)


def verified_without_verdict() -> None:
    supplier, action = with_action()
    supplier.advance_corrective_action(at(), action, CaStep.ANALYSED, "why")
    supplier.advance_corrective_action(at(), action, CaStep.ACTION_TAKEN, "fix")
    supplier.advance_corrective_action(at(), action, CaStep.VERIFIED, "checked")


def closed_action() -> None:
    supplier, action = with_action()
    for step in (CaStep.ANALYSED, CaStep.ACTION_TAKEN):
        supplier.advance_corrective_action(at(), action, step, "done")
    supplier.advance_corrective_action(at(), action, CaStep.VERIFIED, "ok", effective=True)
    supplier.advance_corrective_action(at(), action, CaStep.CLOSED, "closed")
    supplier.advance_corrective_action(at(), action, CaStep.CLOSED, "again")


REFUSALS: list[Refusal] = [
    ("no site", lambda: register([], ["x"]), InvalidField, "sites",
     "a supplier has at least one site"),
    ("two sites of one name", lambda: register(KUNSHAN * 2, ["x"]), InvalidField, "sites",
     "site names must be distinct"),
    ("a category twice", lambda: register(KUNSHAN, ["x", "x"]), InvalidField, "categories",
     "categories must be distinct"),
    ("suspending twice", lambda: suspended().suspend(at(), "again"), NotAllowedNow, None,
     "a suspended supplier cannot be suspended"),
    ("moving while suspended", lambda: suspended().move(at(), Stage.SURVEY, None),
     NotAllowedNow, None, "a suspended supplier cannot change stage"),
    ("disqualifying twice", lambda: disqualified().disqualify(at(), "again"), NotAllowedNow,
     None, "the supplier is disqualified already"),
    ("reinstating an active one", lambda: given_supplier().reinstate(at(), "x"), NotAllowedNow,
     None, "only a suspended supplier can be reinstated; this one is active"),
    ("assessing a disqualified one", lambda: assess(disqualified()), NotAllowedNow, None,
     "a disqualified supplier is not assessed"),
    ("an unknown site", lambda: assess(given_supplier(), site="Taoyuan"), InvalidField, "site",
     "not a site of this supplier: Taoyuan"),
    ("a date tomorrow", lambda: assess(given_supplier(), on=at(1).at.date()), InvalidField,
     "date", "an assessment cannot be dated in the future"),
    ("an on-site audit without auditors", lambda: assess(given_supplier(), auditors=[]),
     InvalidField, "auditors", "an on-site audit names its auditors"),
    ("an unknown category", lambda: approve(given_supplier(), "chips"), InvalidField,
     "category", "not a category of this supplier: chips"),
    ("approving a suspended one", lambda: approve(suspended()), NotAllowedNow, None,
     "a suspended supplier cannot be approved"),
    ("approving without an audit", lambda: approve(given_supplier()), AuditNotPassed, None,
     "approval needs a passed on-site audit; there is none"),
    ("a rating of 5", lambda: given_supplier().rate_sqs(at(), SqsStep.PREVENTION, 5, "x"),
     InvalidField, "rating", "is 0 to 4"),
    ("a rating of -1", lambda: given_supplier().rate_sqs(at(), SqsStep.PREVENTION, -1, "x"),
     InvalidField, "rating", "is 0 to 4"),
    ("an action for a disqualified one",
     lambda: disqualified().open_corrective_action(at(), uuid.uuid4(), "x", None, Severity.MINOR),
     NotAllowedNow, None, "a disqualified supplier gets no corrective actions"),
    ("a verification without its verdict", verified_without_verdict, InvalidField,
     "effective", "a verification says whether the action worked"),
    ("a step of a closed action", closed_action, NotAllowedNow, None,
     "the corrective action is closed; next comes nothing (it is closed)"),
    ("a 201st assessment", a_201st_assessment, InvalidField, "assessments",
     "a supplier keeps at most 200"),
    ("a 501st corrective action", a_501st_corrective_action, InvalidField, "corrective_actions",
     "a supplier keeps at most 500"),
]  # fmt: skip


@each_refusal(REFUSALS)
def test_each_refusal_names_its_field_and_says_why(
    command: Command, error: type[DomainError], field: str | None, message: str
) -> None:
    assert_refused(command, error, field, message)


def test_a_skipped_stage_says_where_the_supplier_is_and_where_it_may_go() -> None:
    with pytest.raises(StageSkipped) as refused:
        given_supplier().move(at(), Stage.AVL, None)
    assert refused.value.message == (
        "a supplier at stage contact cannot move to avl; allowed next: survey"
    )
    assert refused.value.details == {"current": "contact", "allowed": ["survey"]}


def test_a_failed_audit_refuses_approval_naming_the_sections_and_the_policy() -> None:
    supplier = given_supplier()
    audited(supplier, {**uniform(4), "training": [1, 1, 1], "process": [1] * 11})
    with pytest.raises(AuditNotPassed) as refused:
        approve(supplier)
    assert refused.value.message == (
        f"the last on-site audit ({at().at.date()}) did not pass: mean 3.1429, "
        "failing sections: process, training (policy: every section >= 2.0, mean >= 3.0)"
    )
    assert refused.value.details == {"failing_sections": ["process", "training"]}
    assert refused.value.failing == ["process", "training"]


def test_an_audit_failing_on_its_mean_alone_says_no_section_fails() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(2))
    with pytest.raises(AuditNotPassed) as refused:
        approve(supplier)
    assert "failing sections: none (policy:" in refused.value.message
    assert refused.value.details == {"failing_sections": []}


def test_every_bad_section_of_the_scores_is_named_at_once() -> None:
    scores = {**uniform(3), "smell": [1], "training": [0, 4, 5], "process": [1]}
    del scores["business"]
    with pytest.raises(InvalidFields) as refused:
        score(scores, POLICY)
    assert refused.value.errors == [
        ("scores.smell", "is not a section"),
        ("scores.business", "is missing"),
        ("scores.process", "needs 11 item scores, got 1"),
        ("scores.training", "item scores are 0 to 4"),
    ]


def test_item_scores_and_ratings_of_zero_and_four_are_accepted() -> None:
    assert score({**uniform(4), "training": [0, 0, 0]}, POLICY).section_means["training"] == 0
    supplier = given_supplier()
    supplier.rate_sqs(at(), SqsStep.PREVENTION, 0, "none yet")
    supplier.rate_sqs(at(), SqsStep.PREVENTION, 4, "complete")
    assert supplier.sqs[SqsStep.PREVENTION].rating == 4


def test_a_mean_of_exactly_the_strategic_threshold_makes_a_strategic_supplier() -> None:
    # 4, 4, 4, 3, 3, 3 and 3.5 (design technology, ten items): a mean of exactly 3.5
    scores = {**uniform(3), "quality_system": [4] * 9, "business": [4] * 11}
    scores |= {"production_technology": [4] * 3, "design_technology": [3, 4] * 5}
    assert score(scores, POLICY).exact_mean == 3.5
    supplier = given_supplier()
    audited(supplier, scores)
    assert supplier.strategic


def test_only_a_passed_on_site_audit_sets_the_reaudit_date() -> None:
    supplier = given_supplier()
    assess(supplier, kind=AssessmentKind.SELF, auditors=[])
    assert supplier.reaudit_due_at is None  # a self-assessment
    audited(supplier, uniform(1))
    assert supplier.reaudit_due_at is None  # a failed on-site audit
    audited(supplier, uniform(3))
    assert supplier.reaudit_due_at == date(2027, 3, 2)
    recorded = [e for e in supplier.collect_events() if isinstance(e, Supplier.AssessmentRecorded)]
    assert [e.reaudit_due_at for e in recorded] == [None, None, date(2027, 3, 2)]


def test_a_stage_with_several_next_names_them_all() -> None:
    supplier = given_supplier()
    for stage in list(Stage)[1:8]:
        supplier.move(at(), stage, None)
    with pytest.raises(StageSkipped) as refused:
        supplier.move(at(), Stage.SURVEY, None)
    assert refused.value.message == (
        "a supplier at stage delivery cannot move to survey; "
        "allowed next: periodic_audit, improvement"
    )


def test_the_latest_assessment_is_the_latest_by_date_then_the_last_recorded() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3), days=0)
    audited(supplier, uniform(4), days=-10)  # recorded later, dated earlier
    assert mean_of_latest(supplier) == 3
    audited(supplier, uniform(2), days=0)  # the same day as the first: the later one counts
    assert mean_of_latest(supplier) == 2


def mean_of_latest(supplier: Supplier) -> float:
    latest = supplier.latest()
    assert latest is not None
    return latest.mean


def test_approval_is_allowed_on_the_reaudit_due_date_and_refused_the_day_after() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    due = supplier.reaudit_due_at
    assert due is not None
    days = (due - at().at.date()).days
    approve(supplier, days=days)
    with pytest.raises(AuditNotPassed) as refused:
        approve(supplier, "cables", days=days + 1)
    assert refused.value.message == (
        f"the last on-site audit is out of date: re-audit was due {due}"
    )


def test_the_reaudit_is_flagged_from_the_notice_day_and_overdue_only_after_the_due_day() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    due = supplier.reaudit_due_at
    assert due is not None

    def on(day: date) -> bool:
        return supplier.record_reaudit_due(at((day - at().at.date()).days), POLICY)

    notice = due - timedelta(days=POLICY.reaudit_notice_days)
    assert not on(notice - timedelta(days=1))
    assert on(notice)  # flagged on the first day of the notice period
    assert not supplier.reaudit_overdue(due)  # due today is not overdue
    assert not on(due)  # and nothing more to flag on the due day
    assert supplier.reaudit_overdue(due + timedelta(days=1))
    assert on(due + timedelta(days=1))
    kinds = [type(e).__name__ for e in supplier.collect_events()]
    assert kinds[-2:] == ["ReauditFellDue", "ReauditBecameOverdue"]


def test_a_reaudit_due_on_its_due_day_only_is_still_flagged_once() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    due = supplier.reaudit_due_at
    assert due is not None
    assert supplier.record_reaudit_due(at((due - at().at.date()).days), POLICY)


def test_a_disqualified_supplier_has_no_reaudit_to_flag() -> None:
    supplier = given_supplier()
    audited(supplier, uniform(3))
    supplier.disqualify(at(), "fraud")
    supplier.collect_events()
    assert not supplier.record_reaudit_due(at(400), POLICY)
    assert supplier.collect_events() == []


def test_what_each_command_records_is_what_it_was_given() -> None:
    supplier = given_supplier()
    supplier.move(at(), Stage.SURVEY, "visited the plant")
    assert supplier.stage_history[-1].note == "visited the plant"
    action = uuid.uuid4()
    supplier.open_corrective_action(at(), action, "burrs", "USB-C shell", Severity.MAJOR)
    assert supplier.corrective_actions[str(action)].part == "USB-C shell"
    audited(supplier, uniform(3))
    supplier.collect_events()
    approve(supplier)
    [decided] = supplier.collect_events()
    assert isinstance(decided, Supplier.AvlDecided)
    assert decided.policy == POLICY  # what a replay re-runs the decision with
    assert decided.policy_version == POLICY.version
