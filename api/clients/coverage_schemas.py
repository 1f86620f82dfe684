"""Request and response schemas of client coverage."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.shared.schemas import Reason, Strict, example


class SegmentPublic(BaseModel):
    name: str
    condition: dict[str, Any] = Field(description="the bounds of each fact a member meets")
    members: int


class SegmentMember(BaseModel):
    client_id: UUID
    client_name: str | None
    branch: str
    entered_at: datetime
    facts: dict[str, str] = Field(description="the facts when the client entered")


class ReasonPublic(BaseModel):
    code: str
    points: int
    words: str


class AtRisk(BaseModel):
    client_id: UUID
    client_name: str | None
    branch: str
    tier: str
    score: int
    aum: Decimal
    reasons: list[ReasonPublic]
    version: str


class TierSuggestionPublic(BaseModel):
    client_id: UUID
    client_name: str | None
    branch: str
    tier: str
    previous_tier: str
    month_ends: dict[str, Decimal]
    suggested_at: datetime


class Decline(Strict):
    model_config = example({"reason": "the client prefers their branch advisor's service"})

    reason: Reason


class FeedbackGroup(BaseModel):
    group: str
    count: int
    mean_rating: float
    low_share: float = Field(description="the share rated the client policy's low_rating or less")


class FeedbackStats(BaseModel):
    group_by: Literal["topic", "branch", "month"]
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    items: list[FeedbackGroup]


class ContactDue(BaseModel):
    client_id: UUID
    client_name: str | None
    branch: str
    tier: str
    due_on: date = Field(description="the day the tier's cadence asks for the next contact")
    state: Literal["due", "overdue"]
    days_overdue: int = Field(description="days past the due day (0 while due)")
    last_contact_at: datetime | None = Field(description="null: never contacted")
    last_contact_by: str | None = Field(description="who logged the last contact (username)")


class ContactAdherence(BaseModel):
    branch: str
    on_time: int = Field(description="contacts made on or before their due day")
    late: int = Field(description="contacts made after their due day")
    overdue: int = Field(description="clients past their due day, not yet contacted")
    share_on_time: float | None = Field(
        description="on time / (on time + late + overdue); null with nothing to count"
    )


class ClientSegment(BaseModel):
    segment: str
    entered_at: datetime


class ContactPlan(BaseModel):
    tier: str
    every_days: int = Field(description="the tier's cadence: days between contacts")
    due_on: date
    state: Literal["on_plan", "due", "overdue"]
    days_overdue: int
    last_contact_at: datetime | None
    last_contact_by: str | None = Field(description="who logged it (username)")
