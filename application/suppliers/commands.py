"""Commands of suppliers (DOMAIN.md §6): lifecycle, assessments, AVL, 3SQS, corrective
actions and the re-audit flag the scheduler raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.shared.base import Context
from domain.suppliers.audits import Assessment, AssessmentKind, Finding, Severity
from domain.suppliers.avl import AvlDecision
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import Site, Stage
from domain.suppliers.policy import SupplierPolicy
from domain.suppliers.sqs import SqsStep
from domain.suppliers.supplier import Supplier


@dataclass(frozen=True)
class AssessmentResult:
    result: CommandResult
    assessment: Assessment


class SupplierCommands(Commands):
    def __init__(self, store: Store, policy: SupplierPolicy) -> None:
        super().__init__(store)
        self.policy = policy

    def _update(
        self,
        ctx: Context,
        supplier_id: UUID,
        action: Callable[[Supplier], object],
        idem: Idempotency | None,
    ) -> CommandResult:
        return self.update(ctx, Supplier, supplier_id, action, idem=idem)

    def register(
        self,
        ctx: Context,
        name: str,
        sites: list[Site],
        categories: list[str],
        idem: Idempotency | None = None,
    ) -> CommandResult:
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        supplier = Supplier.register(ctx, uuid4(), name, sites, categories)
        return self.commit(ctx, supplier, idem=idem)

    def move(
        self,
        ctx: Context,
        supplier_id: UUID,
        to: Stage,
        note: str | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(ctx, supplier_id, lambda s: s.move(ctx, to, note), idem)

    def suspend(
        self, ctx: Context, supplier_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        return self._update(ctx, supplier_id, lambda s: s.suspend(ctx, reason), idem)

    def disqualify(
        self, ctx: Context, supplier_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        return self._update(ctx, supplier_id, lambda s: s.disqualify(ctx, reason), idem)

    def reinstate(
        self, ctx: Context, supplier_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        return self._update(ctx, supplier_id, lambda s: s.reinstate(ctx, reason), idem)

    def assess(
        self,
        ctx: Context,
        supplier_id: UUID,
        *,
        kind: AssessmentKind,
        site: str,
        on: date,
        auditors: list[str],
        scores: dict[str, list[int]],
        findings: list[Finding],
        idem: Idempotency | None = None,
    ) -> AssessmentResult:
        """Record an assessment; answer with its section means, mean and verdict."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            recorded = self.event_at(earlier.id, earlier.version, Supplier.AssessmentRecorded)
            return AssessmentResult(earlier, recorded.assessment)
        supplier = self.load(Supplier, supplier_id)
        assessment = supplier.assess(
            ctx, uuid4(), kind, site, on, auditors, scores, findings, self.policy
        )
        return AssessmentResult(self.commit(ctx, supplier, idem=idem), assessment)

    def decide_avl(
        self,
        ctx: Context,
        supplier_id: UUID,
        category: str,
        decision: AvlDecision,
        reason: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(
            ctx,
            supplier_id,
            lambda s: s.decide_avl(ctx, category, decision, reason, self.policy),
            idem,
        )

    def rate_sqs(
        self,
        ctx: Context,
        supplier_id: UUID,
        step: SqsStep,
        rating: int,
        evidence: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(
            ctx, supplier_id, lambda s: s.rate_sqs(ctx, step, rating, evidence), idem
        )

    def open_corrective_action(
        self,
        ctx: Context,
        supplier_id: UUID,
        problem: str,
        part: str | None,
        severity: Severity,
        idem: Idempotency | None = None,
    ) -> tuple[CommandResult, UUID]:
        """Open a corrective action; answer with its id (the same one when replayed)."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            opened = self.event_at(earlier.id, earlier.version, Supplier.CorrectiveActionOpened)
            return earlier, opened.action_id
        action_id = uuid4()
        result = self._update(
            ctx,
            supplier_id,
            lambda s: s.open_corrective_action(ctx, action_id, problem, part, severity),
            idem,
        )
        return result, action_id

    def advance_corrective_action(
        self,
        ctx: Context,
        supplier_id: UUID,
        action_id: UUID,
        step: CaStep,
        text: str,
        effective: bool | None = None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(
            ctx,
            supplier_id,
            lambda s: s.advance_corrective_action(ctx, action_id, step, text, effective),
            idem,
        )

    def record_reaudit_due(self, ctx: Context, supplier_id: UUID) -> CommandResult:
        """Flag a re-audit coming due, then overdue (for the scheduler): each once per due
        date, a no-op otherwise."""
        return self._update(
            ctx, supplier_id, lambda s: s.record_reaudit_due(ctx, self.policy), None
        )
