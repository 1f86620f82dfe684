"""Ticket numbers (T-YYYY-NNNNNN): one counter aggregate a year, issued in order."""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.keys import NAMESPACE


def numbers_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"ticket-numbers:{year}")


class TicketNumbers(Aggregate):
    """The year's ticket counter: each issued number is an event, so numbers never repeat."""

    year: int
    last: int

    class Started(Created):
        year: int

        def apply(self, aggregate: TicketNumbers) -> None:
            aggregate.year = self.year
            aggregate.last = 0

    class Issued(Event):
        number: int

        def apply(self, aggregate: TicketNumbers) -> None:
            aggregate.last = self.number

    @classmethod
    def start(cls, ctx: Context, year: int) -> TicketNumbers:
        return cls._start(cls.Started, ctx, numbers_id(year), year=year)

    def issue(self, ctx: Context) -> str:
        """The next number, as ``T-YYYY-NNNNNN``."""
        self._record(self.Issued, ctx, number=self.last + 1)
        return f"T-{self.year}-{self.last:06d}"
