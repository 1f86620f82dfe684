"""Component Quality Planning (DOMAIN.md §7): one component of one programme with one
supplier, prepared internally (phase 1), documented by the supplier (phase 2), verified
jointly (phase 3), through milestones A0-A3 and E0-E5 passed strictly in order.

The two dpm kinds are different types: neither compares with nor adds to the other.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import Field

from domain.cqp.measures import Measure, Rag, distinct_kinds, rag
from domain.cqp.milestones import (
    MILESTONES,
    Deliverable,
    DeliverableKind,
    Milestone,
    OutOfOrder,
    Passage,
    Waiver,
    checked_plan,
    checked_waiver,
)
from domain.cqp.phases import CQPRuleBroken, Criterion, Evaluation, Member, Phase
from domain.cqp.policy import CQPPolicy
from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.calendar import latest_date
from domain.shared.errors import InvalidField

# Bounds on what commands can grow a plan by (a plan needs about a dozen deliverables).
MAX_DELIVERABLES = 200


class CQPPlan(Aggregate):
    programme: str
    component: str
    supplier_id: UUID
    criteria: list[Criterion]
    milestone_plan: dict[Milestone, date]
    evaluation: Evaluation | None
    reviewers: list[Member]
    agreed_at: datetime | None
    team: list[Member]
    targets: dict[str, Measure]
    actuals: dict[str, Measure]
    deliverables: list[Deliverable]
    passed: list[Passage]
    # Older snapshots lack it.
    overdue_flagged: Annotated[list[Milestone], Field(default_factory=list)]

    class Planned(Created):
        programme: str
        component: str
        supplier_id: UUID
        criteria: list[Criterion]
        milestone_plan: dict[Milestone, date]

        def apply(self, p: CQPPlan) -> None:
            p.programme, p.component, p.supplier_id = (
                self.programme,
                self.component,
                self.supplier_id,
            )
            p.criteria, p.milestone_plan = list(self.criteria), dict(self.milestone_plan)
            p.evaluation, p.reviewers, p.agreed_at, p.team = None, [], None, []
            p.targets, p.actuals, p.deliverables, p.passed = {}, {}, [], []
            p.overdue_flagged = []

    class Evaluated(Event):
        accepted: bool
        reason: str

        def apply(self, p: CQPPlan) -> None:
            p.evaluation = Evaluation(
                accepted=self.accepted, reason=self.reason, by=self.meta.actor
            )

    class Reviewed(Event):
        participants: list[Member]

        def apply(self, p: CQPPlan) -> None:
            p.reviewers = list(self.participants)

    class Agreed(Event):
        def apply(self, p: CQPPlan) -> None:
            p.agreed_at = self.timestamp

    class TeamSet(Event):
        members: list[Member]

        def apply(self, p: CQPPlan) -> None:
            p.team = list(self.members)

    class TargetsSet(Event):
        targets: list[Measure]

        def apply(self, p: CQPPlan) -> None:
            p.targets = {**p.targets, **{t.kind: t for t in self.targets}}

    class ActualsRecorded(Event):
        actuals: list[Measure]

        def apply(self, p: CQPPlan) -> None:
            p.actuals = {**p.actuals, **{a.kind: a for a in self.actuals}}

    class DeliverableRecorded(Event):
        kind: DeliverableKind
        reference: str
        accepted_by: str | None

        def apply(self, p: CQPPlan) -> None:
            p.deliverables = [
                *p.deliverables,
                Deliverable(
                    kind=self.kind,
                    reference=self.reference,
                    accepted_by=self.accepted_by,
                    recorded_at=self.timestamp,
                    recorded_by=self.meta.actor,
                ),
            ]

    class MilestonePassed(Event):
        """A milestone passed, with the deliverables it lacked waived (the waiver is the
        record of who accepted the gap and why)."""

        passage: Passage
        required: list[DeliverableKind]
        policy: CQPPolicy | None = None  # kept for replay (older passes name only its version)

        def apply(self, p: CQPPlan) -> None:
            p.passed = [*p.passed, self.passage]

    class MilestoneBecameOverdue(Event):
        """The scheduler found a milestone past its planned date, not passed (once)."""

        milestone: Milestone
        planned: date

        def apply(self, p: CQPPlan) -> None:
            p.overdue_flagged = [*p.overdue_flagged, self.milestone]

    # -- commands ---------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        ctx: Context,
        plan_id: UUID,
        programme: str,
        component: str,
        supplier_id: UUID,
        criteria: list[Criterion],
        milestone_plan: dict[Milestone, date],
    ) -> CQPPlan:
        if not criteria:
            raise InvalidField("criteria", "a component qualifies by at least one criterion")
        if len(set(criteria)) != len(criteria):
            raise InvalidField("criteria", "criteria must be distinct")
        checked_plan(milestone_plan)
        return cls._start(
            cls.Planned,
            ctx,
            plan_id,
            programme=programme,
            component=component,
            supplier_id=supplier_id,
            criteria=criteria,
            milestone_plan=milestone_plan,
        )

    @property
    def rejected(self) -> bool:
        return self.evaluation is not None and not self.evaluation.accepted

    def phase(self) -> Phase:
        if self.rejected:
            return Phase.REJECTED
        if len(self.passed) == len(MILESTONES):
            return Phase.COMPLETED
        if self.agreed_at is None or not self.team:
            return Phase.PREPARATION
        verifying = self.actuals or any(
            d.kind is DeliverableKind.PROCESS_ASSESSMENT for d in self.deliverables
        )
        return Phase.VERIFICATION if verifying else Phase.IMPLEMENTATION

    def evaluate(self, ctx: Context, accepted: bool, reason: str) -> None:
        if self.evaluation is not None:
            raise CQPRuleBroken("the request was evaluated already")
        self._record(self.Evaluated, ctx, accepted=accepted, reason=reason)

    def review(self, ctx: Context, participants: list[Member]) -> None:
        self._accepted("be reviewed")
        if not participants:
            raise InvalidField("participants", "a review has participants")
        self._record(self.Reviewed, ctx, participants=participants)

    def agree(self, ctx: Context) -> None:
        self._accepted("be agreed")
        if not self.reviewers:
            raise CQPRuleBroken("the plan is agreed after its review")
        if self.agreed_at is not None:
            raise CQPRuleBroken("the plan is agreed already")
        self._record(self.Agreed, ctx)

    def set_team(self, ctx: Context, members: list[Member]) -> None:
        self._accepted("get a team")
        if not any(m.role.upper() == "MPL" for m in members):
            raise InvalidField("members", "the team needs a material project leader (role MPL)")
        self._record(self.TeamSet, ctx, members=members)

    def set_targets(self, ctx: Context, targets: list[Measure]) -> None:
        self._accepted("get targets")
        distinct_kinds("targets", targets)
        self._record(self.TargetsSet, ctx, targets=targets)

    def record_actuals(self, ctx: Context, actuals: list[Measure]) -> None:
        self._accepted("record actuals")
        distinct_kinds("actuals", actuals)
        unknown = [a.kind for a in actuals if a.kind not in self.targets]
        if unknown:
            raise InvalidField("actuals", f"no target set for {', '.join(unknown)}")
        self._record(self.ActualsRecorded, ctx, actuals=actuals)

    def record_deliverable(
        self, ctx: Context, kind: DeliverableKind, reference: str, accepted_by: str | None
    ) -> None:
        self._accepted("record deliverables")
        if len(self.deliverables) >= MAX_DELIVERABLES:
            raise InvalidField("deliverables", f"a plan holds at most {MAX_DELIVERABLES}")
        self._record(
            self.DeliverableRecorded, ctx, kind=kind, reference=reference, accepted_by=accepted_by
        )

    def status(self, tolerance: Decimal) -> dict[str, Rag]:
        """Each actual against its target."""
        return {
            kind: rag(kind, self.targets[kind].value, actual.value, tolerance)
            for kind, actual in self.actuals.items()
            if kind in self.targets
        }

    def next_milestone(self) -> Milestone | None:
        return MILESTONES[len(self.passed)] if len(self.passed) < len(MILESTONES) else None

    def missing_for(self, milestone: Milestone, policy: CQPPolicy) -> list[DeliverableKind]:
        """Required deliverables (of this milestone and every earlier one) not accepted."""
        accepted = {d.kind for d in self.deliverables if d.accepted_by}
        upto = MILESTONES[: MILESTONES.index(milestone) + 1]
        required = [k for m in upto for k in policy.required.get(m, ())]
        return [k for k in dict.fromkeys(required) if k not in accepted]

    def pass_milestone(
        self,
        ctx: Context,
        milestone: Milestone,
        on: date,
        note: str | None,
        waiver: Waiver | None,
        policy: CQPPolicy,
    ) -> None:
        """Pass the next milestone; deliverables it lacks need a waiver naming them."""
        self._accepted("pass milestones")
        if self.agreed_at is None or not self.team:
            raise CQPRuleBroken("milestones start once the plan is agreed and has its team")
        expected = self.next_milestone()
        if milestone is not expected:
            raise OutOfOrder(milestone, expected)
        if self.passed and on < self.passed[-1].date:
            raise InvalidField("date", f"is before {self.passed[-1].milestone.value} passed")
        if on < self.agreed_at.date():
            raise InvalidField("date", "is before the plan was agreed")
        if on > latest_date(ctx.at):
            raise InvalidField("date", "a milestone cannot pass in the future")
        checked_waiver(milestone, self.missing_for(milestone, policy), waiver)
        required = list(policy.required.get(milestone, ()))
        self._record(
            self.MilestonePassed,
            ctx,
            passage=Passage(
                milestone=milestone,
                date=on,
                note=note,
                waiver=waiver,
                passed_by=ctx.actor,
                policy_version=policy.version,
            ),
            required=required,
            policy=policy,
        )

    def offers(self) -> frozenset[str]:
        """What the rules above let anyone do with the plan now: ``evaluate``, ``review``,
        ``agree``, ``team``, ``targets``, ``actuals``, ``deliverable``, ``pass`` (the next
        milestone; what it lacks still needs a waiver)."""
        if self.evaluation is None:
            return frozenset({"evaluate"})
        if not self.evaluation.accepted:
            return frozenset()
        offered = {"review", "team", "targets"}
        if len(self.deliverables) < MAX_DELIVERABLES:
            offered.add("deliverable")
        if self.reviewers and self.agreed_at is None:
            offered.add("agree")
        if self.targets:
            offered.add("actuals")
        if self.agreed_at is not None and self.team and self.next_milestone() is not None:
            offered.add("pass")
        return frozenset(offered)

    def overdue(self, today: date) -> list[Milestone]:
        """Milestones past their planned date and not passed."""
        done = {p.milestone for p in self.passed}
        return [m for m in MILESTONES if m not in done and self.milestone_plan[m] < today]

    def record_overdue(self, ctx: Context) -> bool:
        """Flag each milestone that has become overdue, once (for the scheduler)."""
        if self.rejected:
            return False
        late = [m for m in self.overdue(ctx.at.date()) if m not in self.overdue_flagged]
        for milestone in late:
            self._record(
                self.MilestoneBecameOverdue,
                ctx,
                milestone=milestone,
                planned=self.milestone_plan[milestone],
            )
        return bool(late)

    def overdue_check_at(self) -> date | None:
        """The first day a milestone not yet flagged becomes overdue (None: none ahead)."""
        if self.rejected:
            return None
        done = {p.milestone for p in self.passed} | set(self.overdue_flagged)
        pending = [self.milestone_plan[m] for m in MILESTONES if m not in done]
        return min(pending) + timedelta(days=1) if pending else None

    def _accepted(self, verb: str) -> None:
        if self.evaluation is None:
            raise CQPRuleBroken(f"the request is evaluated before the plan can {verb}")
        if not self.evaluation.accepted:
            raise CQPRuleBroken(f"a rejected plan cannot {verb}")
