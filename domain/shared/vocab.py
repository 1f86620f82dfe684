"""Vocabularies shared by assessments, funds and suitability (DOMAIN.md §2 to §4)."""

from __future__ import annotations

from enum import StrEnum


class Horizon(StrEnum):
    SHORT = "short"  # under a year
    MEDIUM = "medium"  # one to five years
    LONG = "long"  # over five years

    @property
    def rank(self) -> int:
        return list(Horizon).index(self)


class Variety(StrEnum):
    CASH = "cash"
    FIXED_INCOME = "fixed_income"
    EQUITY = "equity"
    DERIVATIVES = "derivatives"


class FundType(StrEnum):
    MONEY_MARKET = "money_market"
    BOND = "bond"
    HYBRID = "hybrid"
    EQUITY = "equity"
    INDEX = "index"
    QDII = "qdii"


class RiskLevel(StrEnum):
    """A client's risk tolerance, C1 (lowest) to C5."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"

    @property
    def rank(self) -> int:
        return int(self.value[1])


class RiskRating(StrEnum):
    """A product's risk rating, R1 (lowest) to R5."""

    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"

    @property
    def rank(self) -> int:
        return int(self.value[1])


def horizon_matches(client: Horizon, fund: Horizon) -> bool:
    """A fund's horizon matches when it is not longer than the client's."""
    return fund.rank <= client.rank


def variety_matches(accepted: list[Variety], fund: Variety) -> bool:
    """A fund's variety matches when the client accepts it."""
    return fund in accepted
