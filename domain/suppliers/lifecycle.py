"""The supplier lifecycle (DOMAIN.md §6): stages in order, the repeating part, and the
status beside them (active, suspended, disqualified)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.shared.errors import Conflict, InvalidField


class Stage(StrEnum):
    CONTACT = "contact"
    SURVEY = "survey"
    EVALUATION = "evaluation"
    SAMPLE = "sample"
    DEVELOPMENT = "development"
    AVL = "avl"
    AUDIT = "audit"
    DELIVERY = "delivery"
    PERIODIC_AUDIT = "periodic_audit"
    EXPANDED = "expanded"
    IMPROVEMENT = "improvement"


_LINE = list(Stage)[:8]  # contact ... delivery, in order; then the repeating part


NEXT: dict[Stage, tuple[Stage, ...]] = {
    **{s: (_LINE[i + 1],) for i, s in enumerate(_LINE[:-1])},
    Stage.DELIVERY: (Stage.PERIODIC_AUDIT, Stage.IMPROVEMENT),
    Stage.PERIODIC_AUDIT: (Stage.DELIVERY, Stage.EXPANDED, Stage.IMPROVEMENT),
    Stage.EXPANDED: (Stage.DELIVERY, Stage.PERIODIC_AUDIT, Stage.IMPROVEMENT),
    Stage.IMPROVEMENT: (Stage.DELIVERY, Stage.PERIODIC_AUDIT),
}


class SupplierStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISQUALIFIED = "disqualified"


class Site(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    country: str
    city: str


class StageChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: Stage
    at: datetime
    by: str
    note: str | None


class NotAllowedNow(Conflict):
    """The supplier's state does not allow the command."""


class StageSkipped(Conflict):
    def __init__(self, current: Stage, wanted: Stage) -> None:
        allowed = [s.value for s in NEXT[current]]
        super().__init__(
            f"a supplier at stage {current.value} cannot move to {wanted.value}; "
            f"allowed next: {', '.join(allowed)}",
            current=current.value,
            allowed=allowed,
        )


def checked_registration(sites: list[Site], categories: list[str]) -> None:
    """A supplier has at least one site; sites and categories are each named once."""
    if not sites:
        raise InvalidField("sites", "a supplier has at least one site")
    if len({s.name for s in sites}) != len(sites):
        raise InvalidField("sites", "site names must be distinct")
    if len(set(categories)) != len(categories):
        raise InvalidField("categories", "categories must be distinct")
