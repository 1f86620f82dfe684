"""Milestones A0-A3 and E0-E5 in their order, the deliverables they need, the waivers of
what is missing, and how a passed milestone is recorded."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.shared.errors import Conflict, InvalidField, InvalidFields


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


def checked_plan(milestone_plan: dict[Milestone, date]) -> None:
    """A plan dates every milestone, in their order."""
    absent = [m for m in MILESTONES if m not in milestone_plan]
    errors = [(f"milestone_plan.{m.value}", "is missing") for m in absent]
    if errors:
        raise InvalidFields(errors)
    for earlier, later in itertools.pairwise(MILESTONES):
        if milestone_plan[later] < milestone_plan[earlier]:
            raise InvalidField(
                f"milestone_plan.{later.value}", f"is planned before {earlier.value}"
            )


def checked_waiver(
    milestone: Milestone, missing: list[DeliverableKind], waiver: Waiver | None
) -> None:
    """Deliverables a milestone lacks need a waiver naming exactly them."""
    if missing and waiver is None:
        raise WaiverNeeded(milestone, missing)
    if waiver is None:
        return
    if not missing:
        raise InvalidField("waiver", "nothing is missing: no waiver is needed")
    uncovered = [m for m in missing if m not in waiver.missing]
    if uncovered:
        raise WaiverNeeded(milestone, uncovered)
    extra = [m.value for m in waiver.missing if m not in missing]
    if extra:
        raise InvalidField("waiver.missing", f"not missing: {', '.join(extra)}")
