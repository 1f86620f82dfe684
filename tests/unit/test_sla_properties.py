"""The SLA clock's business time, property-tested on a working-hours calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.service_desk.sla import (
    Calendar,
    ClockState,
    Pause,
    Priority,
    SlaPolicy,
    add_business_time,
    business_time,
    clock,
    overall,
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


# -- boundaries, on the office calendar and the clock's states --------------------------------

MONDAY_9AM = datetime(2026, 9, 28, 1, tzinfo=UTC)  # 09:00 in Shanghai


def test_business_time_is_each_working_window_inside_the_span_in_utc() -> None:
    # From Friday 17:00 to Tuesday 10:00 in Shanghai: Friday 1 h, Monday 9 h, Tuesday 1 h
    friday_5pm = datetime(2026, 9, 25, 9, tzinfo=UTC)
    tuesday_10am = datetime(2026, 9, 29, 2, tzinfo=UTC)
    assert business_time(OFFICE, friday_5pm, tuesday_10am) == timedelta(hours=11)
    assert business_time(OFFICE, tuesday_10am, friday_5pm) == timedelta(0)  # backwards
    assert business_time(Calendar(), tuesday_10am, friday_5pm) == timedelta(0)
    assert OFFICE.windows(date(2026, 9, 28)) == (MONDAY_9AM, MONDAY_9AM + timedelta(hours=9))
    assert OFFICE.windows(date(2026, 10, 1)) is None  # a holiday
    assert OFFICE.windows(date(2026, 9, 27)) is None  # a Sunday


def test_an_amount_ending_at_closing_time_is_due_at_closing_not_the_next_opening() -> None:
    due = add_business_time(OFFICE, MONDAY_9AM, timedelta(hours=9))
    assert due == MONDAY_9AM + timedelta(hours=9)  # 18:00 Monday, not 09:00 Tuesday
    assert due.utcoffset() == timedelta(0)
    one_more = add_business_time(OFFICE, MONDAY_9AM, timedelta(hours=9, minutes=1))
    assert one_more == MONDAY_9AM + timedelta(days=1, minutes=1)  # 09:01 Tuesday
    evening = MONDAY_9AM + timedelta(hours=12)  # 21:00 Monday: counts from Tuesday 09:00
    assert add_business_time(OFFICE, evening, timedelta(0)) == evening
    assert add_business_time(OFFICE, evening, timedelta(minutes=5)) == one_more + timedelta(
        minutes=4
    )


def test_a_calendar_without_any_working_day_is_refused() -> None:
    never = Calendar(timezone="Asia/Shanghai", hours={})
    with pytest.raises(ValueError, match=r"^the calendar has no working time$"):
        add_business_time(never, MONDAY_9AM, timedelta(hours=1))


def state_after(consumed: timedelta, stopped: bool = False) -> ClockState:
    """The P3 resolution clock (72 h, 24x7) of a ticket opened at MONDAY_9AM."""
    now = MONDAY_9AM + consumed
    return clock(
        SlaPolicy(), "resolution", Priority.P3, "x", MONDAY_9AM, [], now if stopped else None, now
    )


@pytest.mark.parametrize(
    ("consumed", "stopped", "state"),
    [
        (timedelta(hours=36), False, "ok"),  # half the budget left
        (timedelta(hours=72 * 0.8), False, "ok"),  # exactly the at-risk share left
        (timedelta(hours=72 * 0.8, seconds=1), False, "at_risk"),
        (timedelta(hours=72), False, "at_risk"),  # nothing left, not yet over
        (timedelta(hours=72, seconds=1), False, "breached"),
        (timedelta(hours=72), True, "met"),  # stopped exactly on time
        (timedelta(hours=72, seconds=1), True, "missed"),
    ],
)
def test_the_clock_state_at_its_boundaries(consumed: timedelta, stopped: bool, state: str) -> None:
    result = state_after(consumed, stopped)
    assert (result.state, result.stopped) == (state, stopped)
    assert result.remaining_seconds == (timedelta(hours=72) - consumed).total_seconds()
    assert result.due_at == MONDAY_9AM + timedelta(hours=72)


def test_business_time_follows_the_calendar_zone_never_the_hosts(host_zone: str) -> None:
    # An office in New York (09:00-18:00) and one in Shanghai, on a host elsewhere
    new_york = Calendar(timezone="America/New_York", hours={d: (time(9), time(18)) for d in (1, 2)})
    ny_monday_5pm = datetime(2026, 9, 28, 21, tzinfo=UTC)  # 17:00 in New York
    shanghai_monday_10am = datetime(2026, 9, 28, 2, tzinfo=UTC)
    # Then the last office hour of Monday counts, and Shanghai's first hour too
    assert business_time(new_york, ny_monday_5pm, ny_monday_5pm + timedelta(hours=2)) == (
        timedelta(hours=1)
    )
    assert business_time(OFFICE, MONDAY_9AM - timedelta(hours=2), shanghai_monday_10am) == (
        timedelta(hours=1)
    )
    due = add_business_time(new_york, ny_monday_5pm, timedelta(minutes=30))
    assert due == ny_monday_5pm + timedelta(minutes=30)
    # And every instant it gives is in UTC, as stored and shown
    assert due.utcoffset() == timedelta(0)
    window = OFFICE.windows(date(2026, 9, 28))
    assert window is not None
    assert [w.utcoffset() for w in window] == [timedelta(0), timedelta(0)]
    assert add_business_time(OFFICE, MONDAY_9AM - timedelta(hours=3), timedelta(hours=1)) == (
        MONDAY_9AM + timedelta(hours=1)
    )
    assert add_business_time(OFFICE, MONDAY_9AM, timedelta(hours=1)).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("states", "worst"),
    [
        (("ok", "ok"), "ok"),
        (("ok", "met"), "ok"),
        (("at_risk", "ok"), "at_risk"),
        (("ok", "at_risk"), "at_risk"),
        (("at_risk", "breached"), "breached"),
        (("missed", "ok"), "breached"),  # a clock that stopped late counts as breached
        (("met", "missed"), "breached"),
    ],
)
def test_a_tickets_sla_state_is_the_worst_of_its_clocks(
    states: tuple[str, str], worst: str
) -> None:
    clocks = [state_after(timedelta(hours=1)).model_copy(update={"state": s}) for s in states]
    assert overall(clocks) == worst
