"""The SLA clock's business time, property-tested on a working-hours calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.sla import (
    Calendar,
    Pause,
    Priority,
    SlaPolicy,
    add_business_time,
    business_time,
    clock,
)

OFFICE = Calendar(
    timezone="Asia/Shanghai",
    hours={d: (time(9), time(18)) for d in range(1, 6)},
    holidays=(date(2026, 10, 1), date(2026, 10, 2)),
)
INSTANTS = st.datetimes(
    min_value=datetime(2026, 9, 1), max_value=datetime(2026, 11, 30), timezones=st.just(UTC)
)
CALENDARS = st.sampled_from([Calendar(), OFFICE])


@given(CALENDARS, INSTANTS, INSTANTS, INSTANTS)
def test_business_time_is_bounded_and_adds_up(
    cal: Calendar, a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    assert timedelta(0) <= business_time(cal, a, c) <= c - a
    assert business_time(cal, a, c) == business_time(cal, a, b) + business_time(cal, b, c)


@given(CALENDARS, INSTANTS, st.integers(min_value=0, max_value=200 * 3600))
def test_adding_business_time_is_undone_by_measuring_it(
    cal: Calendar, start: datetime, seconds: int
) -> None:
    amount = timedelta(seconds=seconds)
    end = add_business_time(cal, start, amount)
    assert business_time(cal, start, end) == amount


def test_a_24x7_calendar_counts_wall_time_and_an_office_one_does_not() -> None:
    friday_5pm = datetime(2026, 9, 25, 9, tzinfo=UTC)  # 17:00 in Shanghai
    monday_10am = datetime(2026, 9, 28, 2, tzinfo=UTC)
    assert business_time(Calendar(), friday_5pm, monday_10am) == monday_10am - friday_5pm
    assert business_time(OFFICE, friday_5pm, monday_10am) == timedelta(hours=2)
    assert add_business_time(
        OFFICE, datetime(2026, 9, 30, 9, tzinfo=UTC), timedelta(hours=2)
    ) == datetime(2026, 10, 5, 2, tzinfo=UTC)


@given(
    INSTANTS,
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 30)), max_size=4),
    st.integers(0, 150),
)
def test_pauses_never_add_time(
    created: datetime, pauses: list[tuple[int, int]], hours: int
) -> None:
    policy = SlaPolicy()
    now = created + timedelta(hours=hours)
    windows, start = [], created
    for gap, length in pauses:
        begin = start + timedelta(hours=gap)
        windows.append(Pause(start=begin, end=begin + timedelta(hours=length)))
        start = begin + timedelta(hours=length)
    with_pauses = clock(policy, "resolution", Priority.P3, "x", created, windows, None, now)
    plain = clock(policy, "resolution", Priority.P3, "x", created, [], None, now)
    assert with_pauses.consumed_seconds <= plain.consumed_seconds
    assert with_pauses.consumed_seconds >= 0
    # On the default 24x7 calendar, exactly the paused wall time up to now is not counted,
    # and the due time moves by as much
    paused = sum(
        (max(timedelta(0), min(p.end, now) - p.start) for p in windows if p.end), timedelta(0)
    )
    assert plain.consumed_seconds - with_pauses.consumed_seconds == paused.total_seconds()
    assert plain.due_at is not None
    assert with_pauses.due_at is not None
    assert with_pauses.due_at - plain.due_at == paused
