"""Request and response schemas of supplier quality: suppliers, AVL, CQP plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.shared.schemas import Name, Note, Person, Reason, Short, Strict, WriteResult, example
from domain.cqp.measures import Measure
from domain.cqp.milestones import DeliverableKind, Milestone, Waiver
from domain.cqp.phases import Criterion, Member


class MemberIn(Strict):
    model_config = example({"name": "Lin Wei", "role": "SQE"})

    name: Person
    role: Short

    def domain(self) -> Member:
        return Member(name=self.name, role=self.role)


class WaiverIn(Strict):
    model_config = example(
        {
            "missing": ["pfmea"],
            "reason": "the PFMEA follows with the pilot run",
            "approved_by": "Zhou Min",
        }
    )

    missing: list[DeliverableKind] = Field(max_length=len(DeliverableKind))
    reason: Reason
    approved_by: Person

    def domain(self) -> Waiver:
        return Waiver(missing=self.missing, reason=self.reason, approved_by=self.approved_by)


class PlanCreate(Strict):
    model_config = example(
        {
            "programme": "Falcon",
            "component": "USB-C receptacle",
            "supplier_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "criteria": ["new_technology"],
            "milestone_plan": {
                "A0": "2026-01-15",
                "A1": "2026-02-15",
                "A2": "2026-03-15",
                "A3": "2026-04-15",
                "E0": "2026-05-15",
                "E1": "2026-06-15",
                "E2": "2026-07-15",
                "E3": "2026-08-15",
                "E4": "2026-09-15",
                "E5": "2026-10-15",
            },
        }
    )

    programme: Short
    component: Name
    supplier_id: UUID
    criteria: list[Criterion] = Field(max_length=7)
    milestone_plan: dict[Milestone, date]


class EvaluateBody(Strict):
    model_config = example({"accepted": True, "reason": "new technology for this supplier"})

    accepted: bool
    reason: Reason


class ReviewBody(Strict):
    model_config = example(
        {"participants": [{"name": "Lin Wei", "role": "SQE"}, {"name": "Zhou Min", "role": "MPL"}]}
    )

    participants: list[MemberIn] = Field(min_length=1, max_length=50)


class TeamBody(Strict):
    model_config = example(
        {"members": [{"name": "Lin Wei", "role": "SQE"}, {"name": "Zhou Min", "role": "MPL"}]}
    )

    members: list[MemberIn] = Field(min_length=1, max_length=50)


class MeasuresBody(Strict):
    model_config = example(
        {"measures": [{"kind": "dpm_application", "value": "50"}, {"kind": "cpk", "value": "1.33"}]}
    )

    measures: list[Measure] = Field(min_length=1, max_length=10)


class ActualsResult(WriteResult):
    status: dict[str, str]


class DeliverableBody(Strict):
    model_config = example({"kind": "dfmea", "reference": "DOC-DFMEA-7", "accepted_by": "Lin Wei"})

    kind: DeliverableKind
    reference: Short
    accepted_by: Person | None = None


class MilestonePass(Strict):
    model_config = example({"date": "2026-01-15", "note": "kick-off held"})

    date: date
    note: Note | None = None
    waiver: WaiverIn | None = None


class PlanHeading(BaseModel):
    """What names a plan: its programme and component, and its supplier."""

    id: str
    version: int
    programme: str
    component: str
    supplier_id: str
    supplier_name: str | None


class PlanSummary(PlanHeading):
    phase: str
    next_milestone: Milestone | None
    next_due: date | None
    overdue: list[str] = Field(description="milestones past their planned date, not passed")
    updated_at: datetime


class PlanDetail(PlanHeading):
    criteria: list[Criterion]
    phase: str
    evaluation: dict[str, Any] | None
    reviewers: list[Member]
    agreed_at: datetime | None
    team: list[Member]
    targets: list[dict[str, Any]]
    deliverables: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    next_milestone: Milestone | None
    waivers: list[dict[str, Any]]


class BoardRow(BaseModel):
    id: str
    programme: str
    component: str
    supplier_id: str
    supplier_name: str | None
    phase: str
    milestones: dict[str, dict[str, Any]]


class Board(BaseModel):
    milestones: list[str]
    rows: list[BoardRow]
