"""Request and response schemas of supplier quality: suppliers, AVL, CQP plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.shared.schemas import Name, Note, Person, Reason, Short, Strict, WriteResult
from domain.cqp.measures import Measure
from domain.cqp.milestones import DeliverableKind, Milestone, Waiver
from domain.cqp.phases import Criterion, Member


class MemberIn(Strict):
    name: Person
    role: Short

    def domain(self) -> Member:
        return Member(name=self.name, role=self.role)


class WaiverIn(Strict):
    missing: list[DeliverableKind] = Field(max_length=len(DeliverableKind))
    reason: Reason
    approved_by: Person

    def domain(self) -> Waiver:
        return Waiver(missing=self.missing, reason=self.reason, approved_by=self.approved_by)


class PlanCreate(Strict):
    programme: Short
    component: Name
    supplier_id: UUID
    criteria: list[Criterion] = Field(max_length=7)
    milestone_plan: dict[Milestone, date]


class EvaluateBody(Strict):
    accepted: bool
    reason: Reason


class ReviewBody(Strict):
    participants: list[MemberIn] = Field(min_length=1, max_length=50)


class TeamBody(Strict):
    members: list[MemberIn] = Field(min_length=1, max_length=50)


class MeasuresBody(Strict):
    measures: list[Measure] = Field(min_length=1, max_length=10)


class ActualsResult(WriteResult):
    status: dict[str, str]


class DeliverableBody(Strict):
    kind: DeliverableKind
    reference: Short
    accepted_by: Person | None = None


class MilestonePass(Strict):
    date: date
    note: Note | None = None
    waiver: WaiverIn | None = None


class PlanSummary(BaseModel):
    id: str
    version: int
    programme: str
    component: str
    supplier_id: str
    supplier_name: str | None
    phase: str
    next_milestone: Milestone | None
    next_due: date | None
    overdue: list[str] = Field(description="milestones past their planned date, not passed")
    updated_at: datetime


class PlanDetail(BaseModel):
    id: str
    version: int
    programme: str
    component: str
    supplier_id: str
    supplier_name: str | None
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
