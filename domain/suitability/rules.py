"""Suitability at purchase (DOMAIN.md §4): a pure, versioned decision over recorded inputs.

Risk, horizon and variety are matched. The 5x5 risk table: a fund rated at or below the
client's level matches; above it, C1 (the lowest category) is blocked and the other levels
are warned. Horizon and variety mismatches warn. Every input is part of the decision, so a
later replay with the same rule version gives the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.shared.vocab import (
    Horizon,
    RiskLevel,
    RiskRating,
    Variety,
    horizon_matches,
    variety_matches,
)

RULE_VERSION = "suitability-2026.1"


class Outcome(StrEnum):
    MATCH = "match"
    WARN = "warn"
    BLOCK = "block"
    EXEMPT = "exempt"


class AssessmentInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    version: int
    level: RiskLevel
    horizon: Horizon
    varieties: tuple[Variety, ...]
    lowest_category: bool
    expires_at: datetime


class FundInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    version: int
    risk_rating: RiskRating
    horizon: Horizon
    variety: Variety


class Inputs(BaseModel):
    """Everything a decision looks at, as it stood at that moment."""

    model_config = ConfigDict(frozen=True)

    investor_type: str
    exempt: bool
    assessment: AssessmentInput | None
    fund: FundInput
    at: datetime
    client_version: int | None = None  # the client's version read (None in older records)


class Mismatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    dimension: str  # risk | horizon | variety
    client: str
    fund: str


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_version: str
    outcome: Outcome
    mismatches: tuple[Mismatch, ...]
    warning_text: str | None
    reason: str | None


def risk_outcome(level: RiskLevel, rating: RiskRating) -> Outcome:
    """The 5x5 table of DOMAIN.md §4."""
    if rating.rank <= level.rank:
        return Outcome.MATCH
    return Outcome.BLOCK if level is RiskLevel.C1 else Outcome.WARN


def decide(inputs: Inputs) -> Decision:
    """The suitability decision, rule version ``RULE_VERSION``."""
    a, f = inputs.assessment, inputs.fund
    early = standing(inputs.investor_type, inputs.exempt, a.expires_at if a else None, inputs.at)
    if early is not None:
        return early
    assert a is not None  # standing() blocks a purchase without an assessment
    risk, mismatches = match(
        a.level, a.lowest_category, a.horizon, a.varieties, f.risk_rating, f.horizon, f.variety
    )
    if risk is Outcome.BLOCK:
        reason = (
            "a lowest-category client cannot buy above R1"
            if a.lowest_category
            else "blocked by the risk table"
        )
        return _decision(Outcome.BLOCK, mismatches, reason=reason)
    if mismatches:
        return _decision(Outcome.WARN, mismatches, warning=warning_text(f.code, list(mismatches)))
    return _decision(Outcome.MATCH)


def standing(
    investor_type: str, exempt: bool, expires_at: datetime | None, at: datetime
) -> Decision | None:
    """What is decided whatever the fund: an exempt professional investor buys anything; a
    client without a valid assessment buys nothing. None when the fund decides."""
    if investor_type == "professional" and exempt:
        return _decision(Outcome.EXEMPT, reason="professional investor, exemption recorded")
    if expires_at is None:
        return _decision(Outcome.BLOCK, reason="no risk assessment")
    if at >= expires_at:
        return _decision(Outcome.BLOCK, reason="the risk assessment has expired")
    return None


def match(
    level: RiskLevel,
    lowest_category: bool,
    horizon: Horizon,
    varieties: Sequence[Variety],
    rating: RiskRating,
    fund_horizon: Horizon,
    fund_variety: Variety,
) -> tuple[Outcome, tuple[Mismatch, ...]]:
    """How a fund matches a client's profile: the risk table's outcome (a lowest-category
    client is blocked above R1) and every mismatch of risk, horizon and variety."""
    mismatches = []
    risk = risk_outcome(level, rating)
    if lowest_category and rating is not RiskRating.R1:
        risk = Outcome.BLOCK
    if risk is not Outcome.MATCH:
        mismatches.append(Mismatch(dimension="risk", client=level.value, fund=rating.value))
    if not horizon_matches(horizon, fund_horizon):
        mismatches.append(
            Mismatch(dimension="horizon", client=horizon.value, fund=fund_horizon.value)
        )
    if not variety_matches(list(varieties), fund_variety):
        mismatches.append(
            Mismatch(
                dimension="variety",
                client=",".join(v.value for v in varieties),
                fund=fund_variety.value,
            )
        )
    return risk, tuple(mismatches)


def _decision(
    outcome: Outcome,
    mismatches: tuple[Mismatch, ...] = (),
    warning: str | None = None,
    reason: str | None = None,
) -> Decision:
    return Decision(
        rule_version=RULE_VERSION,
        outcome=outcome,
        mismatches=mismatches,
        warning_text=warning,
        reason=reason,
    )


def warning_text(code: str, mismatches: list[Mismatch]) -> str:
    """The written warning naming each mismatch; the client must repeat it to confirm."""
    lines = [f"Suitability warning for fund {code}:"]
    for m in mismatches:
        if m.dimension == "risk":
            lines.append(f"its risk rating {m.fund} is above your risk tolerance {m.client};")
        elif m.dimension == "horizon":
            lines.append(f"its investment horizon ({m.fund}) is longer than yours ({m.client});")
        else:
            lines.append(f"it invests in {m.fund}, which you have not accepted ({m.client});")
    lines.append("I have read this warning and still wish to buy.")
    return " ".join(lines)
