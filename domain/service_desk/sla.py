"""SLA clocks (DOMAIN.md §5): pure, versioned functions of a ticket's recorded history.

Business time follows a calendar: 24x7 by default, or working hours per weekday in a time
zone with holidays. Time while the ticket waits for the client does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.service_desk.workflow import LAYERS

SLA_VERSION = "sla-2026.2"  # .2: the service layer and budgets by the client's tier
BREACH_KINDS = ("first_response", "resolution")  # the two clocks of a ticket


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Calendar(BaseModel):
    """Working hours per ISO weekday (1 = Monday) in a time zone, and holidays.

    No ``hours`` means every hour of every day counts (24x7)."""

    model_config = ConfigDict(frozen=True)

    timezone: str = "UTC"
    hours: dict[int, tuple[time, time]] | None = None
    holidays: tuple[date, ...] = ()

    def windows(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of one local day, as UTC instants (None: a day off, or a 24x7
        calendar, which has no windows)."""
        if self.hours is None or day in self.holidays or day.isoweekday() not in self.hours:
            return None
        zone = ZoneInfo(self.timezone)
        opens, closes = self.hours[day.isoweekday()]
        return (
            datetime.combine(day, opens, zone).astimezone(UTC),
            datetime.combine(day, closes, zone).astimezone(UTC),
        )


class TierService(BaseModel):
    """How a client tier is served (客户体系建设方案, 第四步): the service layer that owns its
    clients' tickets, and the budgets (hours per priority) that replace the standard ones."""

    model_config = ConfigDict(frozen=True)

    layer: str = LAYERS[0]
    first_response_hours: dict[Priority, float] = {}
    resolution_hours: dict[Priority, float] = {}

    @field_validator("layer")
    @classmethod
    def _known_layer(cls, layer: str) -> str:
        if layer not in LAYERS:
            msg = f"must be one of {', '.join(LAYERS)}"
            raise ValueError(msg)
        return layer


# Gold clients are served at their branch a quarter faster; platinum clients by the
# headquarters' wealth desk in half the time or less.
DEFAULT_TIERS = {
    "standard": TierService(),
    "gold": TierService(
        layer="branch",
        first_response_hours={Priority.P1: 0.75, Priority.P2: 3, Priority.P3: 6, Priority.P4: 18},
        resolution_hours={Priority.P1: 6, Priority.P2: 18, Priority.P3: 54, Priority.P4: 90},
    ),
    "platinum": TierService(
        layer="headquarters",
        first_response_hours={Priority.P1: 0.5, Priority.P2: 2, Priority.P3: 4, Priority.P4: 8},
        resolution_hours={Priority.P1: 4, Priority.P2: 12, Priority.P3: 24, Priority.P4: 48},
    ),
}


class SlaPolicy(BaseModel):
    """The budgets by priority (the matrix's standard row), each tier's layer and faster
    budgets (a tier not named, or a ticket with no client, is served as standard), the
    business calendars by layer."""

    model_config = ConfigDict(frozen=True)

    version: str = SLA_VERSION
    first_response_hours: dict[Priority, float] = {
        Priority.P1: 1,
        Priority.P2: 4,
        Priority.P3: 8,
        Priority.P4: 24,
    }
    resolution_hours: dict[Priority, float] = {
        Priority.P1: 8,
        Priority.P2: 24,
        Priority.P3: 72,
        Priority.P4: 120,
    }
    tiers: dict[str, TierService] = DEFAULT_TIERS
    calendars: dict[str, Calendar] = {}
    at_risk_fraction: float = Field(default=0.2, gt=0, lt=1)
    reopen_days: int = Field(default=14, ge=0)

    def calendar(self, group: str) -> Calendar:
        return self.calendars.get(group, Calendar())

    def layer(self, tier: str | None) -> str:
        """The service layer where a client of this tier's tickets open."""
        return self.tiers[tier].layer if tier in self.tiers else LAYERS[0]

    def budget(self, kind: str, priority: Priority, tier: str | None = None) -> timedelta:
        first = kind == "first_response"
        hours = (self.first_response_hours if first else self.resolution_hours)[priority]
        if tier is not None and tier in self.tiers:
            service = self.tiers[tier]
            hours = (service.first_response_hours if first else service.resolution_hours).get(
                priority, hours
            )
        return timedelta(hours=hours)


def business_time(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """How much of [start, end) counts on the calendar."""
    if calendar.hours is None:
        return max(end - start, timedelta(0))
    zone = ZoneInfo(calendar.timezone)
    total = timedelta(0)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        window = calendar.windows(day)
        if window is not None:
            total += max(min(end, window[1]) - max(start, window[0]), timedelta(0))
        day += timedelta(days=1)
    return total


def add_business_time(calendar: Calendar, start: datetime, amount: timedelta) -> datetime:
    """The instant when ``amount`` of business time has passed after ``start``."""
    if calendar.hours is None:
        return start + amount
    day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    left = amount
    for _ in range(3700):  # pragma: no mutate - safety cap: ten years of days
        window = calendar.windows(day)
        if window is not None:
            lo = max(start, window[0])
            available = max(window[1] - lo, timedelta(0))
            if available >= left:
                return lo + left
            left -= available
        day += timedelta(days=1)
    msg = "the calendar has no working time"
    raise ValueError(msg)


class Pause(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime | None = None


class ClockState(BaseModel):
    """One SLA clock (first response or resolution) at an instant."""

    model_config = ConfigDict(frozen=True)

    kind: str
    budget_seconds: float
    consumed_seconds: float
    remaining_seconds: float
    due_at: datetime | None  # None while paused
    stopped: bool
    state: str  # ok | at_risk | breached | met | missed


def clock(
    policy: SlaPolicy,
    kind: str,
    priority: Priority,
    group: str,
    created_at: datetime,
    pauses: list[Pause],
    stopped_at: datetime | None,
    now: datetime,
    tier: str | None = None,
) -> ClockState:
    """A clock's state: business time since creation, less paused time, against the
    budget of the priority for the client's tier."""
    calendar = policy.calendar(group)
    until = min(now, stopped_at) if stopped_at else now
    paused_time = timedelta(0)
    for pause in pauses:
        paused_time += business_time(
            calendar, max(pause.start, created_at), min(pause.end or until, until)
        )
    consumed = business_time(calendar, created_at, until) - paused_time
    budget = policy.budget(kind, priority, tier)
    remaining = budget - consumed
    paused = stopped_at is None and any(p.end is None for p in pauses)
    # The instant the budget runs out if nothing pauses it again (None while paused).
    due = None if paused else add_business_time(calendar, created_at, budget + paused_time)
    if stopped_at is not None:
        state = "met" if remaining >= timedelta(0) else "missed"
    elif remaining < timedelta(0):
        state = "breached"
    elif remaining < budget * policy.at_risk_fraction:
        state = "at_risk"
    else:
        state = "ok"
    return ClockState(
        kind=kind,
        budget_seconds=budget.total_seconds(),
        consumed_seconds=consumed.total_seconds(),
        remaining_seconds=remaining.total_seconds(),
        due_at=due,
        stopped=stopped_at is not None,
        state=state,
    )


def overall(clocks: Iterable[ClockState]) -> Literal["ok", "at_risk", "breached"]:
    """``ok``, ``at_risk`` or ``breached`` across a ticket's clocks: the worst of them (a
    clock that stopped late counts as breached)."""
    states = {c.state for c in clocks}
    if states & {"breached", "missed"}:
        return "breached"
    return "at_risk" if "at_risk" in states else "ok"
