"""Request and response schemas of holdings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

Currency = Literal["CNY"]  # every value is in yuan


class HoldingPublic(BaseModel):
    fund_code: str
    name: str
    units: Decimal
    nav: Decimal | None = Field(description="the latest unit NAV on or before the day")
    nav_date: date | None
    value: Decimal | None = Field(description="units x NAV, to the cent; null without a NAV")
    risk_rating: str


class HoldingsPublic(BaseModel):
    client_id: UUID
    as_of: date
    reported_on: date | None = Field(
        description="the day of the positions standing then (the latest reported on or before "
        "as_of); null when none was reported"
    )
    items: list[HoldingPublic]
    total: Decimal
    currency: Currency = "CNY"


class AumPoint(BaseModel):
    date: date
    aum: Decimal


class AumSeries(BaseModel):
    client_id: UUID
    points: list[AumPoint]
    currency: Currency = "CNY"


class AumGroup(BaseModel):
    group: str
    clients: int = Field(description="clients holding anything on the day")
    aum: Decimal


class AumByGroup(BaseModel):
    date: date
    group_by: Literal["branch", "tier"]
    items: list[AumGroup]
    total: Decimal
    currency: Currency = "CNY"
