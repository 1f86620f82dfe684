"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from application.common import CommandResult
from domain.clients import Channel, InvestorType
from domain.purchases import ConfirmationChannel
from domain.staff import Role
from domain.vocab import FundType, Horizon, RiskLevel, RiskRating, Variety

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,29}$")
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{6,32}$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WriteResult(BaseModel):
    id: UUID
    version: int
    position: int

    @classmethod
    def of(cls, result: CommandResult) -> WriteResult:
        return cls(id=result.id, version=result.version, position=result.position)


class ClientCreate(Strict):
    name: Name
    id_number: IdNumber
    phone: Phone
    email: Email
    address: Address
    branch: Short
    investor_type: InvestorType
    tier: Short | None = None


class ClientPatch(Strict):
    name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def some_field(self) -> ClientPatch:
        if not self.model_fields_set:
            msg = "give at least one of name, phone, email, address"
            raise ValueError(msg)
        return self


class Erasure(Strict):
    reason: Reason


class TierChange(Strict):
    tier: Short
    reason: Reason


class TagsChange(Strict):
    add: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = []
    remove: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = []


class InteractionCreate(Strict):
    channel: Channel
    summary: Text
    occurred_at: AwareDatetime | None = None


class FeedbackCreate(Strict):
    rating: int = Field(ge=1, le=5)
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""


class Feedback(BaseModel):
    count: int
    mean_rating: float | None


class Interaction(BaseModel):
    position: int
    channel: Channel
    summary: str
    occurred_at: datetime
    logged_by: str


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
    """The client page: profile, open tickets and the latest interactions."""

    open_tickets: list[OpenTicket]
    latest_interactions: list[Interaction]


class ClientPage(BaseModel):
    items: list[ClientPublic]
    next_cursor: str | None


class InteractionPage(BaseModel):
    items: list[Interaction]
    next_cursor: str | None


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserCreate(Strict):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64)]
    role: Role
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    branch: Short | None = None


class UserPublic(BaseModel):
    id: UUID
    username: str
    role: Role
    enabled: bool
    version: int
    branch: str | None
    created_at: datetime


class PasswordChange(Strict):
    current_password: str | None = None
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Disable(Strict):
    reason: Reason


class ProjectionHealth(BaseModel):
    name: str
    position: int
    lag: int
    parked: int


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    store_reachable: bool
    head: int | None
    projections: list[ProjectionHealth]


class ParkedEvent(BaseModel):
    position: int
    topic: str
    originator_id: str
    originator_version: int
    error: str
    attempts: int
    parked_at: datetime


class ProjectionStatus(BaseModel):
    name: str
    position: int
    head: int
    lag: int
    parked: list[ParkedEvent]


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
    questionnaire_version: Annotated[str, StringConstraints(min_length=1, max_length=50)]
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
    reason: Reason


FundCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class FundCreate(Strict):
    code: FundCode
    name: Name
    type: FundType
    manager: Name
    inception_date: date
    risk_rating: RiskRating
    horizon: Horizon
    variety: Variety


class RiskRatingChange(Strict):
    rating: RiskRating
    reason: Reason


class HouseRatingChange(Strict):
    stars: int = Field(ge=1, le=5)
    reason: Reason


class NavCreate(Strict):
    date: date
    unit_nav: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    accumulated_nav: Decimal = Field(gt=0, max_digits=12, decimal_places=4)


class LatestNav(BaseModel):
    date: date
    unit_nav: Decimal
    accumulated_nav: Decimal


class RatingChange(BaseModel):
    value: str
    previous: str | None
    reason: str
    changed_at: datetime
    changed_by: str


class FundSummary(BaseModel):
    code: str
    name: str
    type: FundType
    manager: str
    inception_date: date
    risk_rating: RiskRating
    horizon: Horizon
    variety: Variety
    house_rating: int | None
    latest_nav: LatestNav | None
    nav_count: int
    version: int


class FundPublic(FundSummary):
    risk_rating_history: list[RatingChange]
    house_rating_history: list[RatingChange]


class NavPointPublic(BaseModel):
    date: date
    unit_nav: Decimal
    accumulated_nav: Decimal
    corrected: bool


class ImportReport(BaseModel):
    rows: int
    published: int
    corrected: int
    unchanged: int
    position: int


class RankingEntry(BaseModel):
    rank: int
    code: str
    name: str
    type: FundType
    return_pct: Decimal | None = None
    value: Decimal | None = None
    start_date: date | None = None
    end_date: date


class PurchaseCreate(Strict):
    fund_code: FundCode
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)


class MismatchPublic(BaseModel):
    dimension: Literal["risk", "horizon", "variety"]
    client: str
    fund: str


class Suitability(BaseModel):
    client_level: RiskLevel | None
    fund_rating: RiskRating
    outcome: Literal["match", "warn", "block", "exempt"]
    mismatches: list[MismatchPublic]
    warning_text: str | None
    reason: str | None
    rule_version: str
    assessment_id: UUID | None
    assessment_version: int | None
    fund_version: int


PurchaseStatusName = Literal["accepted", "confirmation_required", "rejected", "cancelled", "lapsed"]


class PurchaseResult(WriteResult):
    status: PurchaseStatusName
    suitability: Suitability


class PurchaseConfirm(Strict):
    acknowledgement: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    channel: ConfirmationChannel


class PurchaseCancel(Strict):
    reason: Reason = "cancelled at the client's request"


class PurchasePublic(BaseModel):
    id: UUID
    client_id: UUID
    branch: str
    fund_code: str
    amount: Decimal
    status: PurchaseStatusName
    suitability: Suitability
    requested_at: datetime
    requested_by: str
    confirm_by: datetime
    confirmed_at: datetime | None
    confirmed_by: str | None
    channel: ConfirmationChannel | None
    cancel_reason: str | None
    version: int


class OverrideEntry(BaseModel):
    purchase_id: UUID
    client_id: UUID
    client_name: str | None
    branch: str
    client_level: RiskLevel | None
    fund_code: str
    fund_rating: RiskRating
    mismatches: list[MismatchPublic]
    warning_text: str
    confirmed_by: str
    channel: ConfirmationChannel
    confirmed_at: datetime


class ReviewFlag(BaseModel):
    client_id: UUID
    fund_code: str
    previous_rating: RiskRating
    rating: RiskRating
    client_level: RiskLevel | None
    flagged_at: datetime
