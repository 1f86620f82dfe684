"""Rule-based segments (the seed's classification by value, 第三步) and tier suggestions: a
segment is data (a name and a condition over a client's facts); membership is decided by
pure functions, and a scheduler job records each change on the client."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.clients.churn import ChurnPolicy
from domain.clients.contacts import ContactPolicy


class ClientFacts(BaseModel):
    """What segment conditions read about a client, as of one day."""

    model_config = ConfigDict(frozen=True)

    aum: Decimal  # assets under management, CNY
    tier: str
    assessment: str  # none, valid, review_due or expired
    days_since_interaction: int  # since the last interaction, or registration without one
    complaints: int  # complaints in the churn window
    churn_score: int


FACTS = tuple(ClientFacts.model_fields)


class Bound(BaseModel):
    """A condition on one fact: at least, at most, or one of (``in``, as written in the
    policy's JSON, which is also how it is written back)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    gte: Decimal | None = None
    lte: Decimal | None = None
    one_of: tuple[str, ...] | None = Field(default=None, alias="in")

    def holds(self, value: Decimal | int | str) -> bool:
        if self.one_of is not None and str(value) not in self.one_of:
            return False
        if self.gte is not None and not (isinstance(value, int | Decimal) and value >= self.gte):
            return False
        return self.lte is None or (isinstance(value, int | Decimal) and value <= self.lte)


class SegmentRule(BaseModel):
    """A segment: its name and the facts' bounds a member meets, all of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    condition: dict[str, Bound]

    @model_validator(mode="after")
    def _known_facts(self) -> Self:
        unknown = sorted(set(self.condition) - set(FACTS))
        if unknown:
            msg = f"segment {self.name}: no fact {unknown[0]} (known: {', '.join(FACTS)})"
            raise ValueError(msg)
        return self

    def admits(self, facts: ClientFacts) -> bool:
        return all(bound.holds(getattr(facts, fact)) for fact, bound in self.condition.items())


DEFAULT_SEGMENTS = (
    SegmentRule(name="high_value", condition={"aum": Bound(gte=Decimal(1_000_000))}),
    SegmentRule(
        name="assessment_overdue",
        condition={"assessment": Bound.model_validate({"in": ("review_due", "expired")})},
    ),
    SegmentRule(name="dormant", condition={"days_since_interaction": Bound(gte=Decimal(90))}),
    SegmentRule(name="churn_risk", condition={"churn_score": Bound(gte=Decimal(50))}),
)


class CoveragePolicy(BaseModel):
    """Segments, the churn score, and the assets that qualify for a tier (policy): gold
    from CNY 500,000 and platinum from 3,000,000, held at each of the last 3 month ends."""

    model_config = ConfigDict(frozen=True)

    segments: tuple[SegmentRule, ...] = DEFAULT_SEGMENTS
    churn: ChurnPolicy = ChurnPolicy()
    tier_assets: dict[str, Decimal] = {
        "standard": Decimal(0),
        "gold": Decimal(500_000),
        "platinum": Decimal(3_000_000),
    }
    qualifying_months: int = Field(default=3, ge=1, le=12)
    contacts: ContactPolicy = ContactPolicy()

    @model_validator(mode="after")
    def _unique(self) -> Self:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            msg = "segments: each name once"
            raise ValueError(msg)
        return self

    def segments_of(self, facts: ClientFacts) -> list[str]:
        """The segments a client with these facts belongs to, in the policy's order."""
        return [s.name for s in self.segments if s.admits(facts)]

    def qualifying_tier(self, month_ends: list[Decimal]) -> str | None:
        """The highest tier whose assets the client held at each of the last month ends
        (None while fewer month ends are known than the policy asks for)."""
        if len(month_ends) < self.qualifying_months:
            return None
        lowest = min(month_ends[-self.qualifying_months :])
        reached = [(floor, tier) for tier, floor in self.tier_assets.items() if lowest >= floor]
        return max(reached)[1] if reached else None
