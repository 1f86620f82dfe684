"""What the ticket statistics add up, kept by the tickets view as tickets change.

Each ticket counts in eight cells: its type, priority and group, and "all", each for its
branch and for every branch ("*"). Per cell and UTC day the view keeps the sums
(``view_ticket_days``); per cell and UTC month, how many first-response and resolution
times fall in each bucket (``view_ticket_spread``). A bucket is about 10.5% wide (ten per
e-fold of minutes), so a year's histogram is a few thousand rows whatever the number of
tickets; the exact percentile is then read from the one bucket that holds its rank.

Sums of hours are kept in whole microseconds (what a ``timedelta`` measures), so adding
and taking back a ticket's figures leaves them exactly as they were.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

ALL = "*"  # the cells of every branch
NO_BRANCH = "none"  # a ticket without a client has no branch
DIMENSIONS = {"type": "type", "priority": "priority", "group": "group_name"}
KINDS = {"fr": "first_response_hours", "res": "resolution_hours"}
SUMS = (
    "tickets",
    "fr_us",
    "fr_n",
    "res_us",
    "res_n",
    "resolved",
    "attained",
    "sat_sum",
    "sat_n",
    "complaints",
)
BUCKETS_PER_E = 10  # pragma: no mutate - any resolution gives the same (exact) percentile
MICROS_PER_HOUR = 3_600_000_000


def bucket(hours: float | None) -> int | None:
    """The histogram bucket of a time in hours: monotonic, about 10.5% wide."""
    if hours is None:
        return None
    return int(math.log1p(max(hours, 0.0) * 60) * BUCKETS_PER_E)


def micros(hours: float | None) -> int:
    return 0 if hours is None else round(hours * MICROS_PER_HOUR)


def sums(fact: dict[str, Any]) -> tuple[int, ...]:
    """One ticket's part of each sum, in the order of ``SUMS``."""
    fr, res, sat = fact["first_response_hours"], fact["resolution_hours"], fact["satisfaction"]
    return (
        1,
        micros(fr),
        int(fr is not None),
        micros(res),
        int(res is not None),
        int(fact["resolved"]),
        int(fact["attained"]),
        int(sat or 0),
        int(sat is not None),
        int(fact["type"] == "complaint"),
    )


def cells(fact: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """The cells (dimension, branch, key) a ticket counts in."""
    for branch in (fact["branch"] or NO_BRANCH, ALL):
        for dimension, column in DIMENSIONS.items():
            yield dimension, branch, str(fact[column])
        yield "all", branch, ""


def add(
    days: dict[tuple[str, str, str, str], list[int]],
    spread: dict[tuple[str, str, str, str, str, int], int],
    fact: dict[str, Any],
    sign: int,
) -> None:
    """Add a ticket's figures (``sign`` 1) or take them back (-1) in the pending changes
    (``fact`` as ``rows.facts`` gives it)."""
    day, month = fact["created_at"][:10], fact["created_at"][:7]
    figures = [sign * value for value in sums(fact)]
    for dimension, branch, key in cells(fact):
        total = days.setdefault((dimension, branch, day, key), [0] * len(SUMS))
        for i, value in enumerate(figures):
            total[i] += value
        for kind in KINDS:
            b = fact[f"{kind}_bucket"]  # ``facts`` placed each time in its bucket
            if b is not None:
                at = (kind, dimension, branch, month, key, b)
                spread[at] = spread.get(at, 0) + sign
