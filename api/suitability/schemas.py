"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from api.funds import FundCode
from api.shared.schemas import Lines, MultiLine, Reason, Strict, WriteResult, example
from domain.shared.vocab import RiskLevel, RiskRating
from domain.suitability.purchases import ConfirmationChannel

PurchaseStatusName = Literal["accepted", "confirmation_required", "rejected", "cancelled", "lapsed"]


class PurchaseCreate(Strict):
    model_config = example({"fund_code": "000123", "amount": "50000.00"})

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


class PurchaseResult(WriteResult):
    status: PurchaseStatusName
    suitability: Suitability


class PurchaseConfirm(Strict):
    model_config = example(
        {
            "acknowledgement": "the warning text the purchase answered, word for word",
            "channel": "phone",
        }
    )

    acknowledgement: Annotated[
        str, StringConstraints(min_length=1, max_length=4000), Lines, MultiLine()
    ]
    channel: ConfirmationChannel


class PurchaseCancel(Strict):
    model_config = example({"reason": "the client changed their mind"})

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
    requested_by: str = Field(description="the requesting advisor's username")
    requested_by_id: str
    confirm_by: datetime
    confirmed_at: datetime | None
    confirmed_by: str | None = Field(description="the confirming advisor's username")
    confirmed_by_id: str | None
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
    confirmed_by: str = Field(description="the confirming advisor's username")
    confirmed_by_id: str
    channel: ConfirmationChannel
    confirmed_at: datetime


class ReviewFlag(BaseModel):
    client_id: UUID
    client_name: str | None
    fund_code: str
    reason: Literal["rating_rose", "level_lowered"] = Field(
        description="the fund's risk rating rose above the client's level, or a new "
        "assessment lowered the client's level below the fund's rating"
    )
    previous_rating: RiskRating
    rating: RiskRating
    previous_level: RiskLevel | None
    client_level: RiskLevel | None
    flagged_at: datetime
