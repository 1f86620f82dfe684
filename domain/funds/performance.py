"""Fund performance over a period, from accumulated NAV (DOMAIN.md §3). Pure functions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.shared.calendar import add_months


class Period(StrEnum):
    WEEK = "1w"
    MONTH = "1m"
    QUARTER = "3m"
    YEAR = "1y"
    YEAR_TO_DATE = "ytd"
    INCEPTION = "inception"


def period_start(period: Period, end: date) -> date | None:
    """The date a period ending on ``end`` starts from (None: since the first NAV).

    The start value is the last NAV on or before this date, so a fund whose history does
    not reach back that far has no return for the period and is left out of its ranking.
    """
    if period is Period.WEEK:
        return end - timedelta(days=7)
    if period is Period.YEAR_TO_DATE:
        return date(end.year - 1, 12, 31)
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}.get(period)
    if months is None:
        return None
    return add_months(end, -months)


def period_return(start: Decimal, end: Decimal) -> Decimal:
    """The return in percent between two accumulated NAVs, to 4 decimal places."""
    return ((end / start - 1) * 100).quantize(Decimal("0.0001"))
