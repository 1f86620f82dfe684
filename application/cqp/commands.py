"""Commands of CQP plans (DOMAIN.md §7): phase 1, targets and actuals, deliverables, and
milestones passed in order, with waivers for what is missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.cqp.measures import Measure, Rag
from domain.cqp.milestones import DeliverableKind, Milestone, Waiver
from domain.cqp.phases import Criterion, Member
from domain.cqp.plan import CQPPlan
from domain.cqp.policy import CQPPolicy
from domain.shared.base import Context
from domain.shared.errors import InvalidField, NotFound
from domain.suppliers import Supplier


class CQPCommands(Commands):
    def __init__(self, store: Store, policy: CQPPolicy) -> None:
        super().__init__(store)
        self.policy = policy

    def create(
        self,
        ctx: Context,
        *,
        programme: str,
        component: str,
        supplier_id: UUID,
        criteria: list[Criterion],
        milestone_plan: dict[Milestone, date],
        idem: Idempotency | None = None,
    ) -> CommandResult:
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        try:
            self.load(Supplier, supplier_id)
        except NotFound:
            raise InvalidField("supplier_id", f"no supplier {supplier_id}") from None
        plan = CQPPlan.create(
            ctx, uuid4(), programme, component, supplier_id, criteria, milestone_plan
        )
        return self.commit(ctx, plan, idem=idem)

    def _update(
        self,
        ctx: Context,
        plan_id: UUID,
        action: Callable[[CQPPlan], object],
        idem: Idempotency | None,
    ) -> CommandResult:
        return self.update(ctx, CQPPlan, plan_id, action, idem=idem)

    def evaluate(
        self,
        ctx: Context,
        plan_id: UUID,
        accepted: bool,
        reason: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(ctx, plan_id, lambda p: p.evaluate(ctx, accepted, reason), idem)

    def review(
        self,
        ctx: Context,
        plan_id: UUID,
        participants: list[Member],
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(ctx, plan_id, lambda p: p.review(ctx, participants), idem)

    def agree(self, ctx: Context, plan_id: UUID, idem: Idempotency | None = None) -> CommandResult:
        return self._update(ctx, plan_id, lambda p: p.agree(ctx), idem)

    def set_team(
        self, ctx: Context, plan_id: UUID, members: list[Member], idem: Idempotency | None = None
    ) -> CommandResult:
        return self._update(ctx, plan_id, lambda p: p.set_team(ctx, members), idem)

    def set_targets(
        self, ctx: Context, plan_id: UUID, targets: list[Measure], idem: Idempotency | None = None
    ) -> CommandResult:
        return self._update(ctx, plan_id, lambda p: p.set_targets(ctx, targets), idem)

    def record_actuals(
        self, ctx: Context, plan_id: UUID, actuals: list[Measure], idem: Idempotency | None = None
    ) -> tuple[CommandResult, dict[str, Rag]]:
        """Record measured values; answer with each actual's status against its target."""
        status: dict[str, Rag] = {}

        def record(plan: CQPPlan) -> None:
            plan.record_actuals(ctx, actuals)
            status.update(plan.status(self.policy.amber_tolerance))

        result = self._update(ctx, plan_id, record, idem)
        kinds = {a.kind for a in actuals}
        return result, {k: v for k, v in status.items() if k in kinds}

    def record_deliverable(
        self,
        ctx: Context,
        plan_id: UUID,
        kind: DeliverableKind,
        reference: str,
        accepted_by: str | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(
            ctx, plan_id, lambda p: p.record_deliverable(ctx, kind, reference, accepted_by), idem
        )

    def pass_milestone(
        self,
        ctx: Context,
        plan_id: UUID,
        milestone: Milestone,
        on: date,
        note: str | None,
        waiver: Waiver | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self._update(
            ctx,
            plan_id,
            lambda p: p.pass_milestone(ctx, milestone, on, note, waiver, self.policy),
            idem,
        )

    def record_overdue(self, ctx: Context, plan_id: UUID) -> CommandResult:
        """Flag milestones that became overdue (for the scheduler): each once."""
        return self._update(ctx, plan_id, lambda p: p.record_overdue(ctx), None)
