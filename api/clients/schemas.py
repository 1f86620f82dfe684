"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from api.clients.coverage_schemas import ClientSegment, ContactPlan
from api.shared.schemas import (
    Address,
    Email,
    IdNumber,
    Name,
    Note,
    OneLine,
    Phone,
    Reason,
    Short,
    Strict,
    Text,
    WriteResult,
    example,
)
from domain.clients.registry import Channel, InvestorType
from domain.shared.vocab import Horizon, RiskLevel, Variety


class ClientCreate(Strict):
    model_config = example(
        {
            "name": "Chen Jing",
            "id_number": "310101198805061234",
            "phone": "+86 13812345678",
            "email": "chen.jing@example.cn",
            "address": "88 Century Avenue, Pudong, Shanghai",
            "branch": "SH-LUJIAZUI",
            "investor_type": "ordinary",
            "tier": "standard",
        }
    )

    name: Name
    id_number: IdNumber
    phone: Phone
    email: Email
    address: Address
    branch: Short
    investor_type: InvestorType
    tier: Short | None = None


class ClientPatch(Strict):
    model_config = example(
        {"phone": "+86 13987654321", "email": "chen.jing@example.com"}, minProperties=1
    )

    name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def some_field(self) -> ClientPatch:
        if not self.model_fields_set:
            msg = "give at least one of name, phone, email, address"  # the schema's minProperties
            raise ValueError(msg)
        return self


class Erasure(Strict):
    model_config = example({"reason": "the client asked for erasure under PIPL art. 47"})

    reason: Reason


class TierChange(Strict):
    model_config = example({"tier": "gold", "reason": "assets under management above 1M CNY"})

    tier: Short
    reason: Reason


Tag = Annotated[str, StringConstraints(min_length=1, max_length=64), OneLine]


class TagsChange(Strict):
    model_config = example({"add": ["retiree", "vip"], "remove": ["prospect"]})

    add: list[Tag] = Field(default=[], max_length=50)
    remove: list[Tag] = Field(default=[], max_length=50)


class InteractionCreate(Strict):
    model_config = example(
        {
            "channel": "call",
            "summary": "Discussed the bond fund switch",
            "occurred_at": "2026-11-30T10:15:00+08:00",
        }
    )

    channel: Channel
    summary: Text
    occurred_at: AwareDatetime | None = None


class FeedbackCreate(Strict):
    model_config = example(
        {"rating": 4, "comment": "Quick answer, clear explanation", "topic": "advisor"}
    )

    rating: int = Field(ge=1, le=5)
    comment: Note = ""
    topic: Short = Field(
        default="other",
        description="what it is about: fees, advisor, products, platform, service_hours or "
        "other (the client policy's feedback_topics)",
    )


class Feedback(BaseModel):
    count: int
    mean_rating: float | None


class Interaction(BaseModel):
    position: int
    channel: Channel
    summary: str
    occurred_at: datetime
    logged_by: str = Field(description="the username of who logged it")
    logged_by_id: str


class RiskProfile(BaseModel):
    assessment_id: UUID | None = None
    level: RiskLevel | None = None
    score: int | None = None
    horizon: Horizon | None = None
    varieties: list[Variety] | None = None
    lowest_category: bool | None = None
    assessed_at: datetime | None = None
    review_due_at: datetime | None = None
    expires_at: datetime | None = None
    status: Literal["valid", "review_due", "expired", "none"]
    # What the scheduler flagged on the assessment (a reminder for the advisor).
    reminder: Literal["review_due", "expired"] | None = None


class Exemption(BaseModel):
    exempt: bool
    reason: str | None


class ClientPublic(BaseModel):
    id: UUID
    name: str
    id_number_masked: str
    phone: str
    email: str
    address: str
    branch: str
    tier: str
    investor_type: InvestorType
    tags: list[str]
    interaction_count: int
    last_interaction_at: datetime | None
    feedback: Feedback
    risk: RiskProfile
    suitability_exemption: Exemption
    version: int
    registered_at: datetime
    updated_at: datetime
    erased_at: datetime | None = None


class OpenTicket(BaseModel):
    id: UUID
    number: str
    subject: str
    status: str
    priority: str
    created_at: datetime


class ClientDetail(ClientPublic):
    """The client page: profile, open tickets, the latest interactions, the segments the
    client is in (since when) and their communication plan."""

    open_tickets: list[OpenTicket]
    latest_interactions: list[Interaction]
    segments: list[ClientSegment]
    contact_plan: ContactPlan | None = Field(description="null for an erased client")


class OptionPublic(BaseModel):
    id: str
    text: str


class QuestionPublic(BaseModel):
    id: str
    text: str
    options: list[OptionPublic]


class QuestionnairePublic(BaseModel):
    version: str
    questions: list[QuestionPublic]


class AssessmentCreate(Strict):
    model_config = example(
        {
            "questionnaire_version": "2026-1",
            "answers": {
                "age": "b",
                "income": "b",
                "assets": "b",
                "share": "b",
                "experience": "b",
                "knowledge": "b",
                "objective": "b",
                "drawdown": "b",
                "obligations": "b",
                "loss": "b",
                "horizon": "c",
                "varieties": "d",
            },
        }
    )

    questionnaire_version: Short
    answers: dict[
        Annotated[str, StringConstraints(max_length=50)],
        Annotated[str, StringConstraints(max_length=50)],
    ]


class AssessmentResult(WriteResult):
    score: int
    risk_level: RiskLevel
    horizon: Horizon
    varieties: list[Variety]
    lowest_category: bool
    review_due_at: datetime
    expires_at: datetime


class ExemptionCreate(Strict):
    model_config = example(
        {"reason": "professional investor: qualified institution, documents on file"}
    )

    reason: Reason
