"""The console's formats: Babel's, in the reader's locale and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.numbers import format_decimal

from api.shared.console.render import Formats

ZH, EN = Formats("zh_CN", "Asia/Shanghai"), Formats("en", "Asia/Shanghai")


@pytest.mark.parametrize("value", [0, 1.2345, -3.14159, Decimal("1234567.891"), 10**9])
@pytest.mark.parametrize("digits", [0, 2, 4])
def test_numbers_read_as_babel_formats_them(value: float, digits: int) -> None:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    for f in (ZH, EN):
        assert f.number(value, digits) == format_decimal(value, pattern, locale=f.locale)


def test_times_show_in_the_readers_zone_and_amounts_with_their_currency() -> None:
    midnight_utc = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 00:00 on the 2nd in Shanghai
    assert ZH.day(midnight_utc) == "2026年12月2日"
    assert EN.day(midnight_utc) == "Dec 2, 2026"
    assert EN.when("2026-12-01T16:00:00+00:00").startswith("Dec 2, 2026, 12:00:00")
    assert ZH.money("10000.00") == "¥10,000.00"
    assert EN.money("10000.00", "USD") == "$10,000.00"
    assert EN.midnight(date(2026, 12, 2)) == midnight_utc
    assert EN.span(3 * 3600 + 5 * 60) == "3 h 05 min"
    assert EN.span(-90) == "-0 h 01 min"
    assert EN.span(3 * 86400) == "3 days"
    assert ZH.span(3 * 86400) == "3 天"
    assert EN.number(None) == "\u2013"


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_a_moment_reads_as_babel_writes_it_with_its_patterns_parsed_once(
    locale: str, zone: str
) -> None:
    # Given moments across a year (both sides of daylight saving in New York)
    start = datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)
    moments = [start + timedelta(hours=h, minutes=h % 60) for h in range(0, 24 * 366, 13)]
    # Then each reads exactly as Babel's own format_datetime would write it
    f = Formats(locale, zone)
    for moment in moments:
        assert f.when(moment) == format_datetime(
            moment, "medium", tzinfo=ZoneInfo(zone), locale=locale
        )
