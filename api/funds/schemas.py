"""Request and response schemas of the API, apart from the domain's events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.shared.schemas import Name, Reason, Strict, example
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety

FundCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class FundCreate(Strict):
    model_config = example(
        {
            "code": "000123",
            "name": "Steady Bond A",
            "type": "bond",
            "manager": "Harbour Asset Management",
            "inception_date": "2019-03-01",
            "risk_rating": "R2",
            "horizon": "medium",
            "variety": "fixed_income",
        }
    )

    code: FundCode
    name: Name
    type: FundType
    manager: Name
    inception_date: date
    risk_rating: RiskRating
    horizon: Horizon
    variety: Variety


class RiskRatingChange(Strict):
    model_config = example({"rating": "R3", "reason": "the strategy now holds convertibles"})

    rating: RiskRating
    reason: Reason


class HouseRatingChange(Strict):
    model_config = example({"stars": 4, "reason": "consistent top-quartile returns"})

    stars: int = Field(ge=1, le=5)
    reason: Reason


class NavCreate(Strict):
    model_config = example(
        {"date": "2026-11-30", "unit_nav": "1.0234", "accumulated_nav": "1.2234"}
    )

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
    changed_by: str = Field(description="the username of who changed it")
    changed_by_id: str


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


class RankingEntry(BaseModel):
    rank: int
    code: str
    name: str
    type: FundType
    return_pct: Decimal | None = None
    value: Decimal | None = None
    start_date: date | None = None
    end_date: date
