"""Rendering: one Jinja2 environment per language with the catalog's messages, and the
locale's formats for times, dates, numbers and amounts in the reader's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    DateTimePattern,
    format_date,
    get_date_format,
    get_datetime_format,
    get_time_format,
)
from babel.numbers import NumberPattern, format_currency, format_percent, parse_pattern
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.shared.console.i18n import translations

HERE = Path(__file__).parent
NONE = "\u2013"  # an en dash: no value


@cache
def templates(locale: str) -> Environment:
    """The templates in one language (one environment per locale: nothing switches)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


Moment = datetime | str | None


@dataclass(frozen=True)
class Formats:
    """How one reader sees times, numbers and amounts: their locale and time zone."""

    locale: str
    zone: str

    @property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def _messages(self) -> Translations:
        return translations(self.locale)

    def when(self, at: Moment) -> str:
        """A date and time in the reader's zone ("" for none)."""
        moment = _moment(at)
        if moment is None:
            return ""
        # Babel's format_datetime, with its patterns parsed once per locale.
        joined, date_pattern, time_pattern = _when_patterns(self.locale)
        local, locale = moment.astimezone(self._tz), _locale(self.locale)
        return joined.replace("{0}", time_pattern.apply(local, locale)).replace(
            "{1}", date_pattern.apply(local, locale)
        )

    def day(self, at: Moment | date) -> str:
        """A date (an instant's date in the reader's zone)."""
        if isinstance(at, date) and not isinstance(at, datetime):
            return format_date(at, "medium", locale=self.locale)
        moment = _moment(at)
        if moment is None:
            return ""
        return format_date(moment.astimezone(self._tz).date(), "medium", locale=self.locale)

    def local_input(self, at: Moment) -> str:
        """An instant as a ``datetime-local`` field's value, in the reader's zone."""
        moment = _moment(at)
        return moment.astimezone(self._tz).strftime("%Y-%m-%dT%H:%M") if moment else ""

    def midnight(self, day: date) -> datetime:
        """The instant a day starts in the reader's zone (a date filter's bound)."""
        return self.local(datetime.combine(day, datetime.min.time()))

    def local(self, naive: datetime) -> datetime:
        """A date and time a person typed, read in their zone."""
        return naive.replace(tzinfo=self._tz)

    def number(self, value: float | Decimal | int | None, digits: int = 2) -> str:
        if value is None:
            return NONE
        pattern, locale = _decimals(digits), _locale(self.locale)
        return str(pattern.apply(Decimal(str(value)), locale))

    def percent(self, value: float | None) -> str:
        """A fraction as a percentage (0.1234 → 12.34%)."""
        if value is None:
            return NONE
        return format_percent(value, "#,##0.00%", locale=self.locale)

    def money(self, amount: float | Decimal | str | None, currency: str = "CNY") -> str:
        if amount is None:
            return NONE
        return format_currency(Decimal(str(amount)), currency, locale=self.locale)

    def span(self, seconds: float | None) -> str:
        """A duration in hours and minutes ("3 h 05 min"), negative for an overdue one."""
        if seconds is None:
            return ""
        sign = "-" if seconds < 0 else ""
        minutes = int(abs(seconds)) // 60
        hours, minutes = divmod(minutes, 60)
        if hours >= 48:
            days = hours // 24
            return sign + self._messages.ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        text = self._messages.gettext("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
        return sign + text


@cache
def _decimals(digits: int) -> NumberPattern:
    """A parsed number pattern (Babel parses one on every call otherwise: a page of
    figures spends most of its time there)."""
    return parse_pattern("#,##0." + "0" * digits if digits else "#,##0")


@cache
def _when_patterns(name: str) -> tuple[str, DateTimePattern, DateTimePattern]:
    """A locale's medium date-and-time format: how the two join, and each pattern parsed."""
    locale = _locale(name)
    return (
        str(get_datetime_format("medium", locale=locale)).replace("'", ""),
        get_date_format("medium", locale=locale),
        get_time_format("medium", locale=locale),
    )


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def _moment(at: Moment) -> datetime | None:
    if at is None or at == "":
        return None
    return at if isinstance(at, datetime) else datetime.fromisoformat(at)


def render(locale: str, name: str, **values: Any) -> str:
    return (
        templates(locale)
        .get_template(name)
        .render(lang=locale.replace("_", "-"), locale=locale, **values)
    )
