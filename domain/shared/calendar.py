"""Calendar arithmetic every context uses."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

DT = TypeVar("DT", date, datetime)


def add_months(moment: DT, months: int) -> DT:
    """The same day ``months`` later (or earlier), or the month's last day when shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# The furthest time zone ahead of UTC (Kiritimati, UTC+14).
FURTHEST_AHEAD = timedelta(hours=14)


def latest_date(at: datetime) -> date:
    """The latest calendar date anywhere on earth at the instant ``at``: a date a person
    writes (an audit's, a milestone's) is in the future only if it is after this one, so a
    reader east of UTC past midnight may write their own today."""
    return (at.astimezone(UTC) + FURTHEST_AHEAD).date()


def days_before(day: date, days: int) -> date:
    """The day ``days`` before, or the first day a calendar holds when that is earlier."""
    return day - timedelta(days=days) if (day - date.min).days >= days else date.min
