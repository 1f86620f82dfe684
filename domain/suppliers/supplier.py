"""Suppliers (DOMAIN.md §6): lifecycle, capability assessments and audits, the approved
vendor list, the four 3SQS steps, corrective actions and periodic re-audits.

Every decision records its inputs and the policy that made it: an AVL approval keeps the
audit it rests on, an assessment keeps its section means and whether it passed.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.calendar import latest_date
from domain.shared.errors import InvalidField
from domain.suppliers.audits import (
    Assessment,
    AssessmentKind,
    Finding,
    Severity,
    checked_assessment,
    follow_up,
    latest_of,
    score,
)
from domain.suppliers.avl import (
    AVL_STATUS,
    AvlDecision,
    AvlEntry,
    AvlStatus,
    approvable,
    changeable,
)
from domain.suppliers.corrective import CaStep, CorrectiveAction, advanceable
from domain.suppliers.lifecycle import (
    NEXT,
    NotAllowedNow,
    Site,
    Stage,
    StageChange,
    StageSkipped,
    SupplierStatus,
    checked_registration,
)
from domain.suppliers.policy import SupplierPolicy, reaudit_check_at, reaudit_flag, reaudit_overdue
from domain.suppliers.sqs import SqsRating, SqsStep

# Bounds on what commands can grow a supplier by (audits are yearly; actions a few a year).
MAX_ASSESSMENTS = 200
MAX_CORRECTIVE_ACTIONS = 500


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
    reaudit_overdue_for: date | None = None  # older snapshots lack it
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
                    opened_by=self.meta.actor,
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
        checked_registration(sites, categories)
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
        if len(self.assessments) >= MAX_ASSESSMENTS:
            raise InvalidField("assessments", f"a supplier keeps at most {MAX_ASSESSMENTS}")
        checked_assessment(
            kind, site, on, auditors, {s.name for s in self.sites}, latest_date(ctx.at)
        )
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
        strategic, reaudit_due_at = follow_up(kind, on, result, policy)
        self._record(
            self.AssessmentRecorded,
            ctx,
            assessment=assessment,
            strategic=strategic,
            reaudit_due_at=reaudit_due_at,
        )
        return assessment

    def last_onsite(self) -> Assessment | None:
        return self.latest(AssessmentKind.ONSITE)

    def latest(self, kind: AssessmentKind | None = None) -> Assessment | None:
        """The latest assessment (of a kind) by date; of one day, the last recorded."""
        return latest_of(self.assessments, kind)

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
            approvable(audit, self.reaudit_due_at, ctx.at.date(), policy)
        else:
            changeable(category, current, decision)
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
        if len(self.corrective_actions) >= MAX_CORRECTIVE_ACTIONS:
            raise InvalidField(
                "corrective_actions", f"a supplier keeps at most {MAX_CORRECTIVE_ACTIONS}"
            )
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
        advanceable(action_id, self.corrective_actions.get(str(action_id)), step, effective)
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
        due = self.reaudit_due_at
        if due is None or self.status is SupplierStatus.DISQUALIFIED:
            return False
        flag = reaudit_flag(
            due,
            ctx.at.date(),
            self.reaudit_flagged_for,
            self.reaudit_overdue_for,
            policy.reaudit_notice_days,
        )
        if flag is not None:
            event = self.ReauditBecameOverdue if flag == "overdue" else self.ReauditFellDue
            self._record(event, ctx, due_at=due)
        return flag is not None

    def reaudit_check_at(self, policy: SupplierPolicy) -> date | None:
        """The next day the scheduler has something to flag (None: nothing ahead)."""
        due = self.reaudit_due_at
        if due is None or self.status is SupplierStatus.DISQUALIFIED:
            return None
        return reaudit_check_at(
            due, self.reaudit_flagged_for, self.reaudit_overdue_for, policy.reaudit_notice_days
        )

    def reaudit_overdue(self, today: date) -> bool:
        return reaudit_overdue(self.reaudit_due_at, today)

    def offers(self) -> frozenset[str]:
        """What the rules above let anyone do with the supplier now: the stages it may move
        to, and ``suspend``, ``disqualify``, ``reinstate``, ``assess``, ``approve`` (which
        still needs a passed, current on-site audit), ``open_action``, and
        ``suspend:<category>`` / ``withdraw:<category>`` for the categories on the list."""
        offered: set[str] = set()
        active = self.status is SupplierStatus.ACTIVE
        if active:
            offered.update(s.value for s in NEXT[self.stage])
            offered.update({"suspend", "approve"})
        if self.status is not SupplierStatus.DISQUALIFIED:
            offered.update({"disqualify", "assess"})
            if len(self.corrective_actions) < MAX_CORRECTIVE_ACTIONS:
                offered.add("open_action")
        if self.status is SupplierStatus.SUSPENDED:
            offered.add("reinstate")
        for category, entry in self.avl.items():
            if entry.status is not AvlStatus.WITHDRAWN:
                offered.add(f"withdraw:{category}")
                if entry.status is not AvlStatus.SUSPENDED:
                    offered.add(f"suspend:{category}")
        return frozenset(offered)

    def open_actions(self) -> list[CorrectiveAction]:
        return [c for c in self.corrective_actions.values() if c.open]

    def _active(self, verb: str) -> None:
        if self.status is not SupplierStatus.ACTIVE:
            raise NotAllowedNow(f"a {self.status.value} supplier cannot {verb}")
