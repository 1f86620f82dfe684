"""Targets and actuals as typed measures: each kind its own class with its unit, so two
kinds never compare or add (mypy refuses it too); green, amber or red against a target."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from domain.shared.errors import InvalidField


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class _Quantity(BaseModel):
    """A measured or target quantity of one kind: compares and adds only with its own kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: Decimal = Field(ge=0)
    unit: str

    def _same(self, other: object) -> Self:
        if type(other) is not type(self):
            msg = f"{type(self).__name__} does not compare or add with {type(other).__name__}"
            raise TypeError(msg)
        assert isinstance(other, type(self))
        return other

    def __add__(self, other: Self) -> Self:
        return type(self)(value=self.value + self._same(other).value, unit=self.unit)

    def __lt__(self, other: Self) -> bool:
        return self.value < self._same(other).value

    def __le__(self, other: Self) -> bool:
        return self.value <= self._same(other).value

    def __gt__(self, other: Self) -> bool:
        return self.value > self._same(other).value

    def __ge__(self, other: Self) -> bool:
        return self.value >= self._same(other).value

    def __eq__(self, other: object) -> bool:
        return self.value == self._same(other).value

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.value))


class DpmInApplication(_Quantity):
    kind: Literal["dpm_application"] = "dpm_application"
    unit: Literal["dpm"] = "dpm"


class DpmAgainstSpecification(_Quantity):
    kind: Literal["dpm_specification"] = "dpm_specification"
    unit: Literal["dpm"] = "dpm"


class Fit(_Quantity):
    kind: Literal["fit"] = "fit"
    unit: Literal["FIT"] = "FIT"  # failures per 10^9 device-hours


class Cpk(_Quantity):
    kind: Literal["cpk"] = "cpk"
    unit: Literal["index"] = "index"


class FieldFailureRate(_Quantity):
    kind: Literal["field_failure_rate"] = "field_failure_rate"
    unit: Literal["ppm/year"] = "ppm/year"


Measure = Annotated[
    DpmInApplication | DpmAgainstSpecification | Fit | Cpk | FieldFailureRate,
    Field(discriminator="kind"),
]


HIGHER_IS_BETTER = {"cpk"}


def rag(kind: str, target: Decimal, actual: Decimal, tolerance: Decimal) -> Rag:
    """Green when the actual meets its target, amber within the tolerance, red beyond."""
    if kind in HIGHER_IS_BETTER:
        if actual >= target:
            return Rag.GREEN
        return Rag.AMBER if actual >= target * (1 - tolerance) else Rag.RED
    if actual <= target:
        return Rag.GREEN
    return Rag.AMBER if actual <= target * (1 + tolerance) else Rag.RED


def distinct_kinds(field: str, measures: list[Measure]) -> None:
    kinds = [m.kind for m in measures]
    if not kinds:
        raise InvalidField(field, "name at least one measure")
    if len(set(kinds)) != len(kinds):
        raise InvalidField(field, "each kind once")
