"""A client's positions, day by day, as the back office reports them (trading is out of
scope): the aggregate keeps which days were reported and a digest of each, so that a file
imported again records nothing and a day reported with other units is a correction."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Self
from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.calendar import latest_date
from domain.shared.errors import InvalidField
from domain.shared.keys import NAMESPACE

MAX_UNITS = Decimal("1e12")
UNIT_PLACES = 4  # fund units are kept to 4 decimal places at most


def portfolio_id(client_id: UUID) -> UUID:
    """One portfolio per client."""
    return uuid5(NAMESPACE, f"portfolio:{client_id}")


def check_units(units: Decimal) -> Decimal:
    """Units held: not negative, below 10^12, at most 4 decimal places."""
    if not units.is_finite() or units < 0:
        raise InvalidField("units", "must be zero or more")
    if units >= MAX_UNITS:
        raise InvalidField("units", "must be below 10^12")
    if units != units.quantize(Decimal(1).scaleb(-UNIT_PLACES)):
        raise InvalidField("units", f"has more than {UNIT_PLACES} decimal places")
    return units


def positions_digest(positions: dict[str, Decimal]) -> str:
    """A short digest of a day's positions, the same however the units are written."""
    text = ";".join(
        f"{code}={format(units.normalize(), 'f')}" for code, units in sorted(positions.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Portfolio(Aggregate):
    """The days a client's positions were reported, each with its digest."""

    client_id: UUID
    days: dict[str, str]  # ISO date -> digest of the positions reported for it

    class Opened(Created):
        client_id: UUID

        def apply(self, aggregate: Portfolio) -> None:
            aggregate.client_id = self.client_id
            aggregate.days = {}

    class PositionsReported(Event):
        """The client's positions at the end of a day: every fund held with its units (a
        fund not named is not held). ``corrects``: the day was reported before with other
        units."""

        client_id: UUID
        as_of: date
        positions: dict[str, Decimal]
        digest: str
        corrects: bool

        def apply(self, aggregate: Portfolio) -> None:
            aggregate.days[self.as_of.isoformat()] = self.digest

    @classmethod
    def open(cls, ctx: Context, client_id: UUID) -> Self:
        """The portfolio of a client, before any positions."""
        return cls._start(cls.Opened, ctx, portfolio_id(client_id), client_id=client_id)

    def report(self, ctx: Context, as_of: date, units: dict[str, Decimal]) -> bool:
        """Record a day's positions (a fund at zero units is not held); a day reported
        before with the same positions records nothing. Answers whether it recorded."""
        if as_of > latest_date(ctx.at):
            raise InvalidField("date", "is in the future")
        positions = {code: check_units(u) for code, u in sorted(units.items()) if u != 0}
        digest = positions_digest(positions)
        earlier = self.days.get(as_of.isoformat())
        if earlier == digest:
            return False
        self._record(
            self.PositionsReported,
            ctx,
            client_id=self.client_id,
            as_of=as_of,
            positions=positions,
            digest=digest,
            corrects=earlier is not None,
        )
        return True
