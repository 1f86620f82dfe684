"""Component Quality Planning (DOMAIN.md §7): one component of one programme with one
supplier, prepared internally (phase 1), documented by the supplier (phase 2), verified
jointly (phase 3), through milestones A0-A3 and E0-E5 passed strictly in order.

The two dpm kinds are different types: neither compares with nor adds to the other.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.shared.base import Aggregate, Context, Created, Event, SnapshotState
from domain.shared.errors import Conflict, InvalidField, InvalidFields

CQP_POLICY_VERSION = "cqp-2026.1"


class Criterion(StrEnum):
    PROGRAMME_SPECIFIC = "programme_specific"
    NEW_TECHNOLOGY = "new_technology"
    COMPLEX_MANUFACTURING = "complex_manufacturing"
    NEW_SUPPLIER = "new_supplier"
    SAFETY_CRITICAL = "safety_critical"
    BAD_EXPERIENCE = "bad_experience"
    HIGHER_REQUIREMENTS = "higher_requirements"


class Milestone(StrEnum):
    A0 = "A0"
    A1 = "A1"
    A2 = "A2"
    A3 = "A3"
    E0 = "E0"
    E1 = "E1"
    E2 = "E2"
    E3 = "E3"
    E4 = "E4"
    E5 = "E5"


MILESTONES = list(Milestone)


class DeliverableKind(StrEnum):
    KEY_COMPONENT_LIST = "key_component_list"
    TRAINING = "training"
    DFMEA = "dfmea"
    PFMEA = "pfmea"
    CONTROL_PLAN = "control_plan"
    MSA = "msa"
    PRE_PRODUCTION_RESULTS = "pre_production_results"
    OUTGOING_QUALITY_LEVEL = "outgoing_quality_level"
    PROCESS_ASSESSMENT = "process_assessment"
    RELIABILITY_REPORT = "reliability_report"


class Phase(StrEnum):
    PREPARATION = "preparation"  # phase 1, the MPL's internal work
    IMPLEMENTATION = "implementation"  # phase 2, the supplier documents and implements
    VERIFICATION = "verification"  # phase 3, joint verification against the targets
    COMPLETED = "completed"
    REJECTED = "rejected"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


# -- quantities: dpm in application and dpm against specification never mix -----------


class _Quantity(BaseModel):
    """A measured or target quantity of one kind: compares and adds only with its own kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: Decimal = Field(ge=0)
    unit: str

    def _same(self, other: object) -> Self:
        if type(other) is not type(self):
            msg = f"{type(self).__name__} does not compare or add with {type(other).__name__}"
            raise TypeError(msg)
        assert isinstance(other, type(self))
        return other

    def __add__(self, other: Self) -> Self:
        return type(self)(value=self.value + self._same(other).value, unit=self.unit)

    def __lt__(self, other: Self) -> bool:
        return self.value < self._same(other).value

    def __le__(self, other: Self) -> bool:
        return self.value <= self._same(other).value

    def __gt__(self, other: Self) -> bool:
        return self.value > self._same(other).value

    def __ge__(self, other: Self) -> bool:
        return self.value >= self._same(other).value

    def __eq__(self, other: object) -> bool:
        return self.value == self._same(other).value

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.value))


class DpmInApplication(_Quantity):
    kind: Literal["dpm_application"] = "dpm_application"
    unit: Literal["dpm"] = "dpm"


class DpmAgainstSpecification(_Quantity):
    kind: Literal["dpm_specification"] = "dpm_specification"
    unit: Literal["dpm"] = "dpm"


class Fit(_Quantity):
    kind: Literal["fit"] = "fit"
    unit: Literal["FIT"] = "FIT"  # failures per 10^9 device-hours


class Cpk(_Quantity):
    kind: Literal["cpk"] = "cpk"
    unit: Literal["index"] = "index"


class FieldFailureRate(_Quantity):
    kind: Literal["field_failure_rate"] = "field_failure_rate"
    unit: Literal["ppm/year"] = "ppm/year"


Measure = Annotated[
    DpmInApplication | DpmAgainstSpecification | Fit | Cpk | FieldFailureRate,
    Field(discriminator="kind"),
]
HIGHER_IS_BETTER = {"cpk"}


class CQPPolicy(BaseModel):
    """Deliverables each milestone needs (accepted by then, or waived), and how far from
    its target an actual may be and still be amber (a fraction of the target)."""

    model_config = ConfigDict(frozen=True)

    version: str = CQP_POLICY_VERSION
    required: dict[Milestone, tuple[DeliverableKind, ...]] = {
        Milestone.A0: (DeliverableKind.KEY_COMPONENT_LIST,),
        Milestone.A1: (DeliverableKind.DFMEA,),
        Milestone.A2: (DeliverableKind.PFMEA, DeliverableKind.CONTROL_PLAN),
        Milestone.A3: (DeliverableKind.TRAINING,),
        Milestone.E1: (DeliverableKind.PRE_PRODUCTION_RESULTS,),
        Milestone.E2: (DeliverableKind.PROCESS_ASSESSMENT,),
        Milestone.E3: (DeliverableKind.OUTGOING_QUALITY_LEVEL,),
    }
    amber_tolerance: Decimal = Field(default=Decimal("0.1"), ge=0)


def rag(kind: str, target: Decimal, actual: Decimal, tolerance: Decimal) -> Rag:
    """Green when the actual meets its target, amber within the tolerance, red beyond."""
    if kind in HIGHER_IS_BETTER:
        if actual >= target:
            return Rag.GREEN
        return Rag.AMBER if actual >= target * (1 - tolerance) else Rag.RED
    if actual <= target:
        return Rag.GREEN
    return Rag.AMBER if actual <= target * (1 + tolerance) else Rag.RED


class Member(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: str


class Deliverable(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: DeliverableKind
    reference: str
    accepted_by: str | None
    recorded_at: datetime
    recorded_by: str


class Waiver(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    missing: list[DeliverableKind]
    reason: str
    approved_by: str


class Passage(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone: Milestone
    date: date
    note: str | None
    waiver: Waiver | None
    passed_by: str
    policy_version: str


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted: bool
    reason: str
    by: str


class CQPRuleBroken(Conflict):
    """A CQP command the plan's state does not allow."""


class OutOfOrder(Conflict):
    def __init__(self, wanted: Milestone, expected: Milestone | None) -> None:
        nxt = expected.value if expected else "none: every milestone is passed"
        super().__init__(
            f"milestone {wanted.value} cannot pass now; the next one is {nxt}",
            expected=expected.value if expected else None,
        )
        self.expected = expected


class WaiverNeeded(Conflict):
    def __init__(self, milestone: Milestone, missing: list[DeliverableKind]) -> None:
        names = ", ".join(m.value for m in missing)
        super().__init__(
            f"milestone {milestone.value} needs {names}, not accepted yet: pass it with a "
            "waiver naming them, a reason and an approver",
            missing=[m.value for m in missing],
        )
        self.missing = missing


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
    overdue_flagged: list[Milestone]

    class State(SnapshotState):
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
        overdue_flagged: list[Milestone] = []

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
        absent = [m for m in MILESTONES if m not in milestone_plan]
        errors = [(f"milestone_plan.{m.value}", "is missing") for m in absent]
        if errors:
            raise InvalidFields(errors)
        for earlier, later in itertools.pairwise(MILESTONES):
            if milestone_plan[later] < milestone_plan[earlier]:
                raise InvalidField(
                    f"milestone_plan.{later.value}", f"is planned before {earlier.value}"
                )
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
        _distinct("targets", targets)
        self._record(self.TargetsSet, ctx, targets=targets)

    def record_actuals(self, ctx: Context, actuals: list[Measure]) -> None:
        self._accepted("record actuals")
        _distinct("actuals", actuals)
        unknown = [a.kind for a in actuals if a.kind not in self.targets]
        if unknown:
            raise InvalidField("actuals", f"no target set for {', '.join(unknown)}")
        self._record(self.ActualsRecorded, ctx, actuals=actuals)

    def record_deliverable(
        self, ctx: Context, kind: DeliverableKind, reference: str, accepted_by: str | None
    ) -> None:
        self._accepted("record deliverables")
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
        if on > ctx.at.date():
            raise InvalidField("date", "a milestone cannot pass in the future")
        missing = self.missing_for(milestone, policy)
        if missing and waiver is None:
            raise WaiverNeeded(milestone, missing)
        if waiver is not None:
            if not missing:
                raise InvalidField("waiver", "nothing is missing: no waiver is needed")
            uncovered = [m for m in missing if m not in waiver.missing]
            if uncovered:
                raise WaiverNeeded(milestone, uncovered)
            extra = [m.value for m in waiver.missing if m not in missing]
            if extra:
                raise InvalidField("waiver.missing", f"not missing: {', '.join(extra)}")
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


def _distinct(field: str, measures: list[Measure]) -> None:
    kinds = [m.kind for m in measures]
    if not kinds:
        raise InvalidField(field, "name at least one measure")
    if len(set(kinds)) != len(kinds):
        raise InvalidField(field, "each kind once")
