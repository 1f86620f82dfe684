"""Calendar arithmetic every context uses."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TypeVar

DT = TypeVar("DT", date, datetime)


def add_months(moment: DT, months: int) -> DT:
    """The same day ``months`` later (or earlier), or the month's last day when shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
