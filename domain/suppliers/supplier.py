"""Suppliers (DOMAIN.md §6): lifecycle, capability assessments and audits, the approved
vendor list, the four 3SQS steps, corrective actions and periodic re-audits.

Every decision records its inputs and the policy that made it: an AVL approval keeps the
audit it rests on, an assessment keeps its section means and whether it passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.shared.base import Aggregate, Context, Created, Event, SnapshotState
from domain.shared.calendar import add_months
from domain.shared.errors import Conflict, InvalidField, InvalidFields, NotFound

SUPPLIER_POLICY_VERSION = "suppliers-2026.1"


class Stage(StrEnum):
    CONTACT = "contact"
    SURVEY = "survey"
    EVALUATION = "evaluation"
    SAMPLE = "sample"
    DEVELOPMENT = "development"
    AVL = "avl"
    AUDIT = "audit"
    DELIVERY = "delivery"
    PERIODIC_AUDIT = "periodic_audit"
    EXPANDED = "expanded"
    IMPROVEMENT = "improvement"


_LINE = list(Stage)[:8]  # contact ... delivery, in order; then the repeating part
NEXT: dict[Stage, tuple[Stage, ...]] = {
    **{s: (_LINE[i + 1],) for i, s in enumerate(_LINE[:-1])},
    Stage.DELIVERY: (Stage.PERIODIC_AUDIT, Stage.IMPROVEMENT),
    Stage.PERIODIC_AUDIT: (Stage.DELIVERY, Stage.EXPANDED, Stage.IMPROVEMENT),
    Stage.EXPANDED: (Stage.DELIVERY, Stage.PERIODIC_AUDIT, Stage.IMPROVEMENT),
    Stage.IMPROVEMENT: (Stage.DELIVERY, Stage.PERIODIC_AUDIT),
}


class SupplierStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISQUALIFIED = "disqualified"


class AssessmentKind(StrEnum):
    SELF = "self"
    ONSITE = "onsite"


SECTIONS: dict[str, int] = {
    "quality_system": 9,
    "business": 11,
    "design_technology": 10,
    "production_technology": 3,
    "process": 11,
    "training": 3,
    "materials_management": 13,
}
SECTION_LABELS: dict[str, str] = {
    "quality_system": "Quality System",
    "business": "Business",
    "design_technology": "Design Technology",
    "production_technology": "Production Technology",
    "process": "Process",
    "training": "Training",
    "materials_management": "Materials Management",
}


class FindingArea(StrEnum):
    GENERAL = "general"
    DESIGN_PREPRODUCTION = "design_preproduction"
    STOCKROOM_TOOLROOM = "stockroom_toolroom"
    MOULDING = "moulding"
    STAMPING = "stamping"
    PLATING = "plating"
    ASSEMBLY_TEST = "assembly_test"
    WASTE_TREATMENT = "waste_treatment"
    BUSINESS = "business"


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class AvlDecision(StrEnum):
    APPROVE = "approve"
    APPROVE_CONDITIONAL = "approve_conditional"
    SUSPEND = "suspend"
    WITHDRAW = "withdraw"


class AvlStatus(StrEnum):
    APPROVED = "approved"
    CONDITIONAL = "conditional"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


AVL_STATUS = {
    AvlDecision.APPROVE: AvlStatus.APPROVED,
    AvlDecision.APPROVE_CONDITIONAL: AvlStatus.CONDITIONAL,
    AvlDecision.SUSPEND: AvlStatus.SUSPENDED,
    AvlDecision.WITHDRAW: AvlStatus.WITHDRAWN,
}


class SqsStep(StrEnum):
    PREVENTION = "prevention"
    EARLY_DETECTION = "early_detection"
    SCREEN_CAPABILITY = "screen_capability"
    FA_CA = "fa_ca"


class CaStep(StrEnum):
    OPENED = "opened"
    ANALYSED = "analysed"
    ACTION_TAKEN = "action_taken"
    VERIFIED = "verified"
    CLOSED = "closed"


class SupplierPolicy(BaseModel):
    """AVL approval needs a passed on-site audit: every section >= 2.0 and the mean >= 3.0;
    a mean >= 3.5 makes the supplier strategic; re-audit 12 months after the last one."""

    model_config = ConfigDict(frozen=True)

    version: str = SUPPLIER_POLICY_VERSION
    min_section: float = Field(default=2.0, ge=0, le=4)
    min_mean: float = Field(default=3.0, ge=0, le=4)
    strategic_mean: float = Field(default=3.5, ge=0, le=4)
    reaudit_months: int = Field(default=12, ge=1)
    reaudit_notice_days: int = Field(default=30, ge=0)


class Site(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country: str
    city: str


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    area: FindingArea
    severity: Severity
    text: str


class Assessment(BaseModel):
    """One capability assessment, with its result under the policy of the day."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: AssessmentKind
    site: str
    date: date
    auditors: list[str]
    scores: dict[str, list[int]]
    findings: list[Finding]
    section_means: dict[str, float]
    mean: float
    passed: bool
    failing_sections: list[str]
    policy_version: str


class AvlEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: str
    status: AvlStatus
    reason: str
    assessment_id: UUID | None
    decided_at: datetime
    decided_by: str


class SqsRating(BaseModel):
    model_config = ConfigDict(frozen=True)

    rating: int
    evidence: str
    rated_at: datetime
    rated_by: str


class CorrectiveAction(BaseModel):
    """An 8D-style corrective action: analysis, action, verification, closure in order."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    problem: str
    part: str | None
    severity: Severity
    step: CaStep
    opened_at: datetime
    root_cause: str | None = None
    action: str | None = None
    verification: str | None = None
    closed_at: datetime | None = None


class StageChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: Stage
    at: datetime
    by: str
    note: str | None


class NotAllowedNow(Conflict):
    """The supplier's state does not allow the command."""


class StageSkipped(Conflict):
    def __init__(self, current: Stage, wanted: Stage) -> None:
        allowed = [s.value for s in NEXT[current]]
        super().__init__(
            f"a supplier at stage {current.value} cannot move to {wanted.value}; "
            f"allowed next: {', '.join(allowed)}",
            current=current.value,
            allowed=allowed,
        )


class AuditNotPassed(Conflict):
    def __init__(self, message: str, failing: list[str]) -> None:
        super().__init__(message, failing_sections=failing)
        self.failing = failing


@dataclass(frozen=True)
class Scored:
    section_means: dict[str, float]
    mean: float
    exact_mean: Fraction
    passed: bool
    failing_sections: list[str]


def score(scores: dict[str, list[int]], policy: SupplierPolicy) -> Scored:
    """Section means (mean of the items), the overall mean (of the 7 sections) and the
    verdict; the counts and keys are checked first, each bad section named."""
    errors = [(f"scores.{k}", "is not a section") for k in scores if k not in SECTIONS]
    for section, count in SECTIONS.items():
        items = scores.get(section)
        if items is None:
            errors.append((f"scores.{section}", "is missing"))
        elif len(items) != count:
            errors.append((f"scores.{section}", f"needs {count} item scores, got {len(items)}"))
        elif any(not 0 <= i <= 4 for i in items):
            errors.append((f"scores.{section}", "item scores are 0 to 4"))
    if errors:
        raise InvalidFields(errors)
    means = {s: Fraction(sum(scores[s]), n) for s, n in SECTIONS.items()}
    mean = sum(means.values(), Fraction(0)) / len(SECTIONS)
    failing = [s for s, m in means.items() if m < Fraction(str(policy.min_section))]
    return Scored(
        section_means={s: round(float(m), 4) for s, m in means.items()},
        mean=round(float(mean), 4),
        exact_mean=mean,
        passed=not failing and mean >= Fraction(str(policy.min_mean)),
        failing_sections=failing,
    )


class Supplier(Aggregate):
    name: str
    sites: list[Site]
    categories: list[str]
    stage: Stage
    status: SupplierStatus
    stage_history: list[StageChange]
    assessments: list[Assessment]
    avl: dict[str, AvlEntry]
    strategic: bool
    reaudit_due_at: date | None
    reaudit_flagged_for: date | None
    reaudit_overdue_for: date | None
    sqs: dict[SqsStep, SqsRating]
    corrective_actions: dict[str, CorrectiveAction]
    status_reason: str | None

    class State(SnapshotState):
        name: str
        sites: list[Site]
        categories: list[str]
        stage: Stage
        status: SupplierStatus
        stage_history: list[StageChange]
        assessments: list[Assessment]
        avl: dict[str, AvlEntry]
        strategic: bool
        reaudit_due_at: date | None
        reaudit_flagged_for: date | None
        reaudit_overdue_for: date | None = None
        sqs: dict[SqsStep, SqsRating]
        corrective_actions: dict[str, CorrectiveAction]
        status_reason: str | None

    class Registered(Created):
        name: str
        sites: list[Site]
        categories: list[str]

        def apply(self, s: Supplier) -> None:
            s.name, s.sites, s.categories = self.name, list(self.sites), list(self.categories)
            s.stage, s.status, s.status_reason = Stage.CONTACT, SupplierStatus.ACTIVE, None
            s.stage_history = [
                StageChange(stage=Stage.CONTACT, at=self.timestamp, by=self.meta.actor, note=None)
            ]
            s.assessments, s.avl, s.strategic, s.sqs, s.corrective_actions = [], {}, False, {}, {}
            s.reaudit_due_at = s.reaudit_flagged_for = s.reaudit_overdue_for = None

    class StageChanged(Event):
        to: Stage
        note: str | None

        def apply(self, s: Supplier) -> None:
            s.stage = self.to
            s.stage_history = [
                *s.stage_history,
                StageChange(stage=self.to, at=self.timestamp, by=self.meta.actor, note=self.note),
            ]

    class Suspended(Event):
        reason: str

        def apply(self, s: Supplier) -> None:
            s.status, s.status_reason = SupplierStatus.SUSPENDED, self.reason

    class Disqualified(Event):
        reason: str

        def apply(self, s: Supplier) -> None:
            s.status, s.status_reason = SupplierStatus.DISQUALIFIED, self.reason

    class Reinstated(Event):
        reason: str

        def apply(self, s: Supplier) -> None:
            s.status, s.status_reason = SupplierStatus.ACTIVE, None

    class AssessmentRecorded(Event):
        assessment: Assessment
        strategic: bool
        reaudit_due_at: date | None

        def apply(self, s: Supplier) -> None:
            s.assessments = [*s.assessments, self.assessment]
            if self.assessment.kind is AssessmentKind.ONSITE:
                s.strategic = self.strategic
                if self.assessment.passed:
                    s.reaudit_due_at = self.reaudit_due_at
                    s.reaudit_flagged_for = s.reaudit_overdue_for = None

    class AvlDecided(Event):
        """An AVL decision, with the policy it was taken under (for replay; decisions
        recorded before it was kept name only the policy's version)."""

        entry: AvlEntry
        decision: AvlDecision
        policy_version: str
        policy: SupplierPolicy | None = None

        def apply(self, s: Supplier) -> None:
            s.avl = {**s.avl, self.entry.category: self.entry}

    class SqsRated(Event):
        step: SqsStep
        rating: int
        evidence: str

        def apply(self, s: Supplier) -> None:
            s.sqs = {
                **s.sqs,
                self.step: SqsRating(
                    rating=self.rating,
                    evidence=self.evidence,
                    rated_at=self.timestamp,
                    rated_by=self.meta.actor,
                ),
            }

    class CorrectiveActionOpened(Event):
        action_id: UUID
        problem: str
        part: str | None
        severity: Severity

        def apply(self, s: Supplier) -> None:
            s.corrective_actions = {
                **s.corrective_actions,
                str(self.action_id): CorrectiveAction(
                    id=self.action_id,
                    problem=self.problem,
                    part=self.part,
                    severity=self.severity,
                    step=CaStep.OPENED,
                    opened_at=self.timestamp,
                ),
            }

    class CorrectiveActionAdvanced(Event):
        """One step of a corrective action: analysis, action, verification or closure.
        A verification that finds the action ineffective sends it back to a new action."""

        action_id: UUID
        step: CaStep
        text: str
        effective: bool | None = None

        def apply(self, s: Supplier) -> None:
            ca = s.corrective_actions[str(self.action_id)]
            changes: dict[str, object] = {"step": self.step}
            if self.step is CaStep.ANALYSED:
                changes["root_cause"] = self.text
            elif self.step is CaStep.ACTION_TAKEN:
                changes["action"] = self.text
            elif self.step is CaStep.VERIFIED:
                changes["verification"] = self.text
                if self.effective is False:
                    changes["step"] = CaStep.ANALYSED
            else:
                changes["closed_at"] = self.timestamp
            s.corrective_actions = {
                **s.corrective_actions,
                str(self.action_id): ca.model_copy(update=changes),
            }

    class ReauditFellDue(Event):
        """The scheduler found the re-audit coming due (once per due date)."""

        due_at: date

        def apply(self, s: Supplier) -> None:
            s.reaudit_flagged_for = self.due_at

    class ReauditBecameOverdue(Event):
        """The scheduler found the re-audit overdue (once per due date)."""

        due_at: date

        def apply(self, s: Supplier) -> None:
            s.reaudit_flagged_for = s.reaudit_overdue_for = self.due_at

    # -- commands ---------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        ctx: Context,
        supplier_id: UUID,
        name: str,
        sites: list[Site],
        categories: list[str],
    ) -> Supplier:
        if not sites:
            raise InvalidField("sites", "a supplier has at least one site")
        if len({s.name for s in sites}) != len(sites):
            raise InvalidField("sites", "site names must be distinct")
        if len(set(categories)) != len(categories):
            raise InvalidField("categories", "categories must be distinct")
        return cls._start(
            cls.Registered, ctx, supplier_id, name=name, sites=sites, categories=categories
        )

    def move(self, ctx: Context, to: Stage, note: str | None) -> None:
        self._active("change stage")
        if to not in NEXT[self.stage]:
            raise StageSkipped(self.stage, to)
        self._record(self.StageChanged, ctx, to=to, note=note)

    def suspend(self, ctx: Context, reason: str) -> None:
        self._active("be suspended")
        self._record(self.Suspended, ctx, reason=reason)

    def disqualify(self, ctx: Context, reason: str) -> None:
        if self.status is SupplierStatus.DISQUALIFIED:
            raise NotAllowedNow("the supplier is disqualified already")
        self._record(self.Disqualified, ctx, reason=reason)

    def reinstate(self, ctx: Context, reason: str) -> None:
        if self.status is not SupplierStatus.SUSPENDED:
            raise NotAllowedNow(
                f"only a suspended supplier can be reinstated; this one is {self.status.value}"
            )
        self._record(self.Reinstated, ctx, reason=reason)

    def assess(
        self,
        ctx: Context,
        assessment_id: UUID,
        kind: AssessmentKind,
        site: str,
        on: date,
        auditors: list[str],
        scores: dict[str, list[int]],
        findings: list[Finding],
        policy: SupplierPolicy,
    ) -> Assessment:
        """Record a self-assessment or an on-site audit with its scores and verdict."""
        if self.status is SupplierStatus.DISQUALIFIED:
            raise NotAllowedNow("a disqualified supplier is not assessed")
        if site not in {s.name for s in self.sites}:
            raise InvalidField("site", f"not a site of this supplier: {site}")
        if on > ctx.at.date():
            raise InvalidField("date", "an assessment cannot be dated in the future")
        if kind is AssessmentKind.ONSITE and not auditors:
            raise InvalidField("auditors", "an on-site audit names its auditors")
        result = score(scores, policy)
        assessment = Assessment(
            id=assessment_id,
            kind=kind,
            site=site,
            date=on,
            auditors=auditors,
            scores=scores,
            findings=findings,
            section_means=result.section_means,
            mean=result.mean,
            passed=result.passed,
            failing_sections=result.failing_sections,
            policy_version=policy.version,
        )
        onsite, passed = kind is AssessmentKind.ONSITE, result.passed
        excellent = result.exact_mean >= Fraction(str(policy.strategic_mean))
        self._record(
            self.AssessmentRecorded,
            ctx,
            assessment=assessment,
            strategic=onsite and passed and excellent,
            reaudit_due_at=add_months(on, policy.reaudit_months) if onsite and passed else None,
        )
        return assessment

    def last_onsite(self) -> Assessment | None:
        return self.latest(AssessmentKind.ONSITE)

    def latest(self, kind: AssessmentKind | None = None) -> Assessment | None:
        """The latest assessment (of a kind) by date; of one day, the last recorded."""
        found = [
            (a.date, n) for n, a in enumerate(self.assessments) if kind is None or a.kind is kind
        ]
        return self.assessments[max(found)[1]] if found else None

    def decide_avl(
        self,
        ctx: Context,
        category: str,
        decision: AvlDecision,
        reason: str,
        policy: SupplierPolicy,
    ) -> None:
        """Approve (fully or on conditions) on a passed, current on-site audit; suspend or
        withdraw an entry that is on the list."""
        if category not in self.categories:
            raise InvalidField("category", f"not a category of this supplier: {category}")
        current = self.avl.get(category)
        audit = self.last_onsite()
        if decision in (AvlDecision.APPROVE, AvlDecision.APPROVE_CONDITIONAL):
            self._active("be approved")
            if audit is None:
                raise AuditNotPassed("approval needs a passed on-site audit; there is none", [])
            if not audit.passed:
                raise AuditNotPassed(
                    f"the last on-site audit ({audit.date}) did not pass: mean {audit.mean}, "
                    f"failing sections: {', '.join(audit.failing_sections) or 'none'} "
                    f"(policy: every section >= {policy.min_section}, mean >= {policy.min_mean})",
                    audit.failing_sections,
                )
            if self.reaudit_due_at is not None and ctx.at.date() > self.reaudit_due_at:
                raise AuditNotPassed(
                    "the last on-site audit is out of date: "
                    f"re-audit was due {self.reaudit_due_at}",
                    [],
                )
        elif current is None or current.status is AvlStatus.WITHDRAWN:
            raise NotAllowedNow(f"category {category} is not on the approved vendor list")
        elif decision is AvlDecision.SUSPEND and current.status is AvlStatus.SUSPENDED:
            raise NotAllowedNow(f"category {category} is suspended already")
        entry = AvlEntry(
            category=category,
            status=AVL_STATUS[decision],
            reason=reason,
            assessment_id=audit.id if audit else None,
            decided_at=ctx.at,
            decided_by=ctx.actor,
        )
        self._record(
            self.AvlDecided,
            ctx,
            entry=entry,
            decision=decision,
            policy_version=policy.version,
            policy=policy,
        )

    def rate_sqs(self, ctx: Context, step: SqsStep, rating: int, evidence: str) -> None:
        if not 0 <= rating <= 4:
            raise InvalidField("rating", "is 0 to 4")
        self._record(self.SqsRated, ctx, step=step, rating=rating, evidence=evidence)

    def open_corrective_action(
        self, ctx: Context, action_id: UUID, problem: str, part: str | None, severity: Severity
    ) -> None:
        if self.status is SupplierStatus.DISQUALIFIED:
            raise NotAllowedNow("a disqualified supplier gets no corrective actions")
        self._record(
            self.CorrectiveActionOpened,
            ctx,
            action_id=action_id,
            problem=problem,
            part=part,
            severity=severity,
        )

    def advance_corrective_action(
        self,
        ctx: Context,
        action_id: UUID,
        step: CaStep,
        text: str,
        effective: bool | None = None,
    ) -> None:
        """Analysis, action, verification and closure, strictly in that order."""
        ca = self.corrective_actions.get(str(action_id))
        if ca is None:
            raise NotFound(f"corrective action {action_id} not found")
        expected = CA_NEXT[ca.step]
        if step is not expected:
            raise NotAllowedNow(
                f"the corrective action is {ca.step.value}; next comes "
                f"{expected.value if expected else 'nothing (it is closed)'}"
            )
        if step is CaStep.VERIFIED and effective is None:
            raise InvalidField("effective", "a verification says whether the action worked")
        self._record(
            self.CorrectiveActionAdvanced,
            ctx,
            action_id=action_id,
            step=step,
            text=text,
            effective=effective,
        )

    def record_reaudit_due(self, ctx: Context, policy: SupplierPolicy) -> bool:
        """Flag the re-audit once it is within the notice period, and again once overdue;
        each once per due date. True if it flagged something now."""
        due, today = self.reaudit_due_at, ctx.at.date()
        if due is None or self.status is SupplierStatus.DISQUALIFIED:
            return False
        if today > due and self.reaudit_overdue_for != due:
            self._record(self.ReauditBecameOverdue, ctx, due_at=due)
            return True
        notice = due - timedelta(days=policy.reaudit_notice_days)
        if notice <= today <= due and self.reaudit_flagged_for != due:
            self._record(self.ReauditFellDue, ctx, due_at=due)
            return True
        return False

    def reaudit_check_at(self, policy: SupplierPolicy) -> date | None:
        """The next day the scheduler has something to flag (None: nothing ahead)."""
        due = self.reaudit_due_at
        if due is None or self.status is SupplierStatus.DISQUALIFIED:
            return None
        if self.reaudit_flagged_for != due:
            return due - timedelta(days=policy.reaudit_notice_days)
        if self.reaudit_overdue_for != due:
            return due + timedelta(days=1)
        return None

    def reaudit_overdue(self, today: date) -> bool:
        return reaudit_overdue(self.reaudit_due_at, today)

    def open_actions(self) -> list[CorrectiveAction]:
        return [c for c in self.corrective_actions.values() if c.step is not CaStep.CLOSED]

    def _active(self, verb: str) -> None:
        if self.status is not SupplierStatus.ACTIVE:
            raise NotAllowedNow(f"a {self.status.value} supplier cannot {verb}")


CA_NEXT: dict[CaStep, CaStep | None] = {
    CaStep.OPENED: CaStep.ANALYSED,
    CaStep.ANALYSED: CaStep.ACTION_TAKEN,
    CaStep.ACTION_TAKEN: CaStep.VERIFIED,
    CaStep.VERIFIED: CaStep.CLOSED,
    CaStep.CLOSED: None,
}


def reaudit_overdue(due: date | None, today: date) -> bool:
    """A re-audit is overdue the day after its due date."""
    return due is not None and today > due
