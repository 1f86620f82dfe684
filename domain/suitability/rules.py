"""Suitability at purchase (DOMAIN.md §4): a pure, versioned decision over recorded inputs.

Risk, horizon and variety are matched. The 5x5 risk table: a fund rated at or below the
client's level matches; above it, C1 (the lowest category) is blocked and the other levels
are warned. Horizon and variety mismatches warn. Every input is part of the decision, so a
later replay with the same rule version gives the same answer.
"""

from __future__ import annotations

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
    if inputs.investor_type == "professional" and inputs.exempt:
        return Decision(
            rule_version=RULE_VERSION,
            outcome=Outcome.EXEMPT,
            mismatches=(),
            warning_text=None,
            reason="professional investor, exemption recorded",
        )
    a, f = inputs.assessment, inputs.fund
    if a is None or inputs.at >= a.expires_at:
        reason = "no risk assessment" if a is None else "the risk assessment has expired"
        return Decision(
            rule_version=RULE_VERSION,
            outcome=Outcome.BLOCK,
            mismatches=(),
            warning_text=None,
            reason=reason,
        )
    mismatches = []
    risk = risk_outcome(a.level, f.risk_rating)
    if a.lowest_category and f.risk_rating is not RiskRating.R1:
        risk = Outcome.BLOCK
    if risk is not Outcome.MATCH:
        mismatches.append(
            Mismatch(dimension="risk", client=a.level.value, fund=f.risk_rating.value)
        )
    if not horizon_matches(a.horizon, f.horizon):
        mismatches.append(
            Mismatch(dimension="horizon", client=a.horizon.value, fund=f.horizon.value)
        )
    if not variety_matches(list(a.varieties), f.variety):
        mismatches.append(
            Mismatch(
                dimension="variety",
                client=",".join(v.value for v in a.varieties),
                fund=f.variety.value,
            )
        )
    if risk is Outcome.BLOCK:
        reason = (
            "a lowest-category client cannot buy above R1"
            if a.lowest_category
            else "blocked by the risk table"
        )
        return Decision(
            rule_version=RULE_VERSION,
            outcome=Outcome.BLOCK,
            mismatches=tuple(mismatches),
            warning_text=None,
            reason=reason,
        )
    if mismatches:
        return Decision(
            rule_version=RULE_VERSION,
            outcome=Outcome.WARN,
            mismatches=tuple(mismatches),
            warning_text=warning_text(f.code, mismatches),
            reason=None,
        )
    return Decision(
        rule_version=RULE_VERSION,
        outcome=Outcome.MATCH,
        mismatches=(),
        warning_text=None,
        reason=None,
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
