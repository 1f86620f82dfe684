"""Churn warning (the CRM handbook's 客户流失预警): a score from 0 to 100 out of signals
anyone can check, each with its reason in words. A pure, versioned function: the same
signals and weights always give the same score, and a worse signal never lowers it."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

CHURN_VERSION = "churn-2026.1"


class ChurnWeights(BaseModel):
    """The most points each signal gives (policy); the score is their sum, at most 100."""

    model_config = ConfigDict(frozen=True)

    aum_drop: int = Field(default=35, ge=0)  # full at a fall of half the assets
    redemptions: int = Field(default=15, ge=0)  # full at half the assets redeemed
    complaints: int = Field(default=20, ge=0)  # full at two complaints
    inactivity: int = Field(default=15, ge=0)  # from 30 days without contact, full at 180
    expired_assessment: int = Field(default=5, ge=0)
    low_ratings: int = Field(default=10, ge=0)  # full at two ratings of 2 or less


class ChurnPolicy(BaseModel):
    """Weights, the window the signals look back over, and the score that warns."""

    model_config = ConfigDict(frozen=True)

    version: str = CHURN_VERSION
    weights: ChurnWeights = ChurnWeights()
    window_days: int = Field(default=90, ge=7, le=365)
    threshold: int = Field(default=50, ge=1, le=100)
    # Below this, a fall in assets is noise (a client holding almost nothing).
    min_assets: Decimal = Field(default=Decimal(10000), ge=0)


class ChurnSignals(BaseModel):
    """What the score reads, over the policy's window (90 days by default)."""

    model_config = ConfigDict(frozen=True)

    aum_then: Decimal = Field(ge=0)  # assets at the window's start
    aum_now: Decimal = Field(ge=0)
    redeemed: Decimal = Field(ge=0)  # value of the units sold in the window, at today's NAV
    complaints: int = Field(ge=0)
    days_since_interaction: int | None = Field(ge=0)  # None: never contacted
    assessment_expired: bool
    low_ratings: int = Field(ge=0)  # feedback rated 2 or less


class Reason(BaseModel):
    """One signal's share of the score: its code, its points, and its measure."""

    model_config = ConfigDict(frozen=True)

    code: str
    points: int
    measure: str  # the signal's value as shown: "42%", "3", "120 days"

    def words(self) -> str:
        return REASON_WORDS[self.code].format(measure=self.measure)


REASON_WORDS = {
    "aum_drop": "assets fell {measure} in the window",
    "redemptions": "redeemed {measure} of the assets in the window",
    "complaints": "{measure} complaints in the window",
    "inactivity": "no contact for {measure} days",
    "never_contacted": "never contacted",
    "expired_assessment": "the risk assessment has expired",
    "low_ratings": "{measure} low feedback ratings in the window",
}


class ChurnScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: int
    reasons: list[Reason]  # the signals that gave points, the heaviest first
    version: str


def churn_score(signals: ChurnSignals, policy: ChurnPolicy) -> ChurnScore:
    """The score and its reasons. Each signal gives its weight times a share from 0 to 1
    that only grows as the signal worsens; the sum is rounded and capped at 100."""
    w = policy.weights
    parts: list[tuple[str, float, str]] = []
    then = signals.aum_then
    if then >= policy.min_assets and then > 0:
        fall = max(Decimal(0), then - signals.aum_now) / then
        parts.append(("aum_drop", w.aum_drop * _share(float(fall), 0.0, 0.5), _pct(fall)))
        sold = signals.redeemed / then
        parts.append(("redemptions", w.redemptions * _share(float(sold), 0.0, 0.5), _pct(sold)))
    n = signals.complaints
    parts.append(("complaints", w.complaints * _share(n, 0, 2), str(n)))
    days = signals.days_since_interaction
    if days is None:
        parts.append(("never_contacted", float(w.inactivity), ""))
    else:
        parts.append(("inactivity", w.inactivity * _share(days, 30, 180), str(days)))
    if signals.assessment_expired:
        parts.append(("expired_assessment", float(w.expired_assessment), ""))
    low = signals.low_ratings
    parts.append(("low_ratings", w.low_ratings * _share(low, 0, 2), str(low)))
    score = min(100, round(sum(points for _, points, _ in parts)))
    reasons = [
        Reason(code=code, points=round(points), measure=measure)
        for code, points, measure in sorted(parts, key=lambda p: -p[1])
        if round(points) > 0
    ]
    return ChurnScore(score=score, reasons=reasons, version=policy.version)


def _share(value: float, start: float, full: float) -> float:
    """0 up to ``start``, 1 from ``full``, in proportion between."""
    return min(1.0, max(0.0, (value - start) / (full - start)))


def _pct(share: Decimal) -> str:
    return f"{min(share, Decimal(1)) * 100:.0f}%"
