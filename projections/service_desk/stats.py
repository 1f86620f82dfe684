"""Service-desk statistics (DOMAIN.md §5) from what the tickets view keeps as tickets change.

Response and resolution times are wall-clock hours from opening; SLA attainment is the share
of resolved tickets whose two clocks were both met (stored when each clock stopped).

A period's sums come from the whole UTC days it covers (``view_ticket_days``) and, for the
hours at its ends, from the tickets themselves. Each percentile is the exact nearest-rank
value (``percentile_disc``): the histograms of the whole UTC months covered
(``view_ticket_spread``) plus the ends' buckets show which bucket holds its rank, and that
one bucket's values give it. The work grows with the days and months of the period and
the tickets of one bucket, not with every ticket of the period. While a catch-up has left
the days and months to count again (``TicketsView.deferred``), the whole period is read
from the tickets, as its ends are: the same answers, more slowly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapters.shared.sql import Tx, ViewDatabase
from projections.service_desk.figures import (
    ALL,
    DIMENSIONS,
    KINDS,
    MICROS_PER_HOUR,
    NO_BRANCH,
    SUMS,
    sums,
)
from projections.service_desk.tickets import FACT_FIGURES, TicketsView

GROUPINGS = ("type", "priority", "branch", "month", "group")
# What a ticket adds to the sums (covered by the facts' index on created_at).
EDGE_COLUMNS = f"created_at, branch, {FACT_FIGURES}"
TOTAL = ""

# A period as ISO bounds (either may be open) of created_at.
Bounds = tuple[str | None, str | None]


@dataclass(frozen=True)
class _Ask:
    """One question: the grouping, the branch in scope (or every branch) and the period."""

    view: TicketsView
    group_by: str
    branch: str | None
    start: datetime | None
    end: datetime | None
    deferred: bool = False  # the days and months wait to be counted again: no whole units

    def parts(self, unit: Callable[[datetime], datetime]) -> tuple[Bounds | None, list[Bounds]]:
        """The period as whole units (days or months) and its ends, as ``_split`` gives
        them, or all of it as one end while the units are not counted."""
        if self.deferred:
            return None, [_bounds(self.start, self.end)]
        return _split(self.start, self.end, unit)

    def cells(self) -> tuple[str, str]:
        """The cells answering by group: their dimension and the column of a cell that
        is its group ("month" stands for the month of its day or its month)."""
        if self.group_by in DIMENSIONS:
            return self.group_by, "key"
        return "all", self.group_by

    def branch_cells(self) -> tuple[str, list[Any]]:
        """Which branch cells to read: the one in scope, every branch's cells apart when
        grouped by branch, otherwise the cells of every branch together."""
        if self.branch is not None:
            return "branch = ?", [self.branch]
        if self.group_by == "branch":
            return "branch <> ?", [ALL]
        return "branch = ?", [ALL]

    def key_of(self, fact: dict[str, Any]) -> str:
        """A ticket's group."""
        if self.group_by in DIMENSIONS:
            return str(fact[DIMENSIONS[self.group_by]])
        if self.group_by == "month":
            return str(fact["created_at"][:7])
        return str(fact["branch"] or NO_BRANCH)

    def fact_key(self) -> str:
        """The SQL of a ticket's group, over the facts table."""
        if self.group_by in DIMENSIONS:
            return DIMENSIONS[self.group_by]
        if self.group_by == "month":
            return "substr(created_at, 1, 7)"
        return f"COALESCE(branch, '{NO_BRANCH}')"

    def facts_where(self, bounds: Bounds) -> tuple[str, list[Any]]:
        """The condition on the facts of the tickets created within ``bounds``, in scope."""
        where, params = _range("created_at", bounds)
        if self.branch is not None:
            where += " AND branch = ?"
            params.append(self.branch)
        return where, params


def ticket_stats(
    db: ViewDatabase,
    view: TicketsView,
    group_by: str,
    start: datetime | None,
    end: datetime | None,
    branch: str | None,
    clients_by_branch: dict[str, int],
) -> dict[str, Any]:
    """The figures of the tickets created in [start, end), one group per value of
    ``group_by`` and the total, for one branch or all."""
    with db.read() as tx:
        ask = _Ask(view, group_by, branch, _utc(start), _utc(end), view.deferred(tx))
        totals = _sums(tx, ask)
        p90 = _percentiles(tx, ask)
    total_clients = sum(clients_by_branch.values())
    groups = []
    for key in sorted(k for k in totals if k != TOTAL and totals[k][0] > 0):
        clients = clients_by_branch.get(key) if group_by == "branch" else total_clients
        groups.append(
            _summary(key, totals[key], p90.get(("fr", key)), p90.get(("res", key)), clients)
        )
    overall = _summary(
        "total",
        totals.get(TOTAL, [0] * len(SUMS)),
        p90.get(("fr", TOTAL)),
        p90.get(("res", TOTAL)),
        total_clients,
    )
    return {"group_by": group_by, "groups": groups, "total": overall}


def _utc(moment: datetime | None) -> datetime | None:
    """A bound as the stored timestamps are written (UTC); a naive one is read as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _split(
    start: datetime | None, end: datetime | None, unit: Callable[[datetime], datetime]
) -> tuple[Bounds | None, list[Bounds]]:
    """A period as the whole units it covers (``unit`` gives the start of the day or
    month a moment is in) and the parts at its ends that are not whole units."""
    lo = None if start is None else start if unit(start) == start else _after(unit, start)
    hi = None if end is None else unit(end)
    if lo is not None and hi is not None and lo >= hi:  # no whole unit: all of it is ends
        return None, [_bounds(start, end)]
    ends = []
    if start is not None and lo is not None and start < lo:
        ends.append(_bounds(start, lo))
    if end is not None and hi is not None and hi < end:
        ends.append(_bounds(hi, end))
    return _bounds(lo, hi), ends


def _after(unit: Callable[[datetime], datetime], moment: datetime) -> datetime:
    """The start of the day or month after the one ``moment`` is in."""
    return unit(unit(moment) + timedelta(days=32 if unit is _month else 1))


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _month(moment: datetime) -> datetime:
    return _day(moment).replace(day=1)


def _bounds(lo: datetime | None, hi: datetime | None) -> Bounds:
    return (lo.isoformat() if lo else None, hi.isoformat() if hi else None)


def _sums(tx: Tx, ask: _Ask) -> dict[str, list[int]]:
    """Each group's sums (and the total's, under ``TOTAL``)."""
    whole, ends = ask.parts(_day)
    totals: dict[str, list[int]] = {}

    def count(key: str, figures: Any) -> None:
        for k in (key, TOTAL):
            row = totals.setdefault(k, [0] * len(SUMS))
            for i, value in enumerate(figures):
                row[i] += int(value or 0)

    if whole is not None:
        dim, key = ask.cells()
        on_branch, params = ask.branch_cells()
        where, more = _range("day", _as_dates(whole))
        key_sql = "substr(day, 1, 7)" if key == "month" else key
        for row in tx.query(
            f"SELECT {key_sql} AS k, {', '.join(f'SUM({s}) AS {s}' for s in SUMS)} "
            f"FROM {ask.view.t('view_ticket_days')} WHERE dim = ? AND {on_branch} AND {where} "
            f"GROUP BY {key_sql}",
            [dim, *params, *more],
        ):
            count(str(row["k"]), [row[s] for s in SUMS])
    for bounds in ends:
        where, params = ask.facts_where(bounds)
        for fact in tx.query(
            f"SELECT {EDGE_COLUMNS} FROM {ask.view.t('view_ticket_facts')} WHERE {where}",
            params,
        ):
            count(ask.key_of(fact), sums(fact))
    return totals


def _as_dates(bounds: Bounds) -> Bounds:
    return (bounds[0][:10] if bounds[0] else None, bounds[1][:10] if bounds[1] else None)


def _range(column: str, bounds: Bounds) -> tuple[str, list[Any]]:
    where, params = ["1 = 1"], []
    for clause, value in ((f"{column} >= ?", bounds[0]), (f"{column} < ?", bounds[1])):
        if value is not None:
            where.append(clause)
            params.append(value)
    return " AND ".join(where), params


def _percentiles(tx: Tx, ask: _Ask) -> dict[tuple[str, str], float]:
    """The 90th percentile of each time (``KINDS``), by nearest rank (the value at rank
    ceil(0.9 n), 1-based, as ``percentile_disc(0.9)`` gives it), per group and in total,
    keyed by (kind, group). Three statements whatever the grouping: the months' buckets,
    the ends' buckets, then each rank's value from its bucket."""
    whole, ends = ask.parts(_month)
    spread: dict[tuple[str, str], dict[int, int]] = {}

    def count(kind: str, key: str, bucket: int, n: int) -> None:
        for k in (key, TOTAL):
            histogram = spread.setdefault((kind, k), {})
            histogram[bucket] = histogram.get(bucket, 0) + n

    if whole is not None:
        dim, key = ask.cells()
        on_branch, params = ask.branch_cells()
        where, more = _range("month", (whole[0] and whole[0][:7], whole[1] and whole[1][:7]))
        for row in tx.query(
            f"SELECT kind, {key} AS k, bucket, SUM(n) AS n "
            f"FROM {ask.view.t('view_ticket_spread')} WHERE dim = ? AND {on_branch} "
            f"AND {where} GROUP BY kind, {key}, bucket",
            [dim, *params, *more],
        ):
            count(row["kind"], str(row["k"]), int(row["bucket"]), int(row["n"]))
    facts = ask.view.t("view_ticket_facts")
    for bounds in ends:
        where, params = ask.facts_where(bounds)
        for row in tx.query(
            " UNION ALL ".join(
                f"SELECT '{kind}' AS kind, {ask.fact_key()} AS k, {kind}_bucket AS bucket, "
                f"COUNT(*) AS n FROM {facts} WHERE {where} AND {kind}_bucket IS NOT NULL "
                f"GROUP BY {ask.fact_key()}, {kind}_bucket"
                for kind in KINDS
            ),
            params * len(KINDS),
        ):
            count(row["kind"], str(row["k"]), int(row["bucket"]), int(row["n"]))
    wanted = []
    for (kind, key), histogram in sorted(spread.items()):
        rank = (9 * sum(histogram.values()) + 9) // 10  # 1-based
        before = 0
        for bucket in sorted(histogram):
            if rank and before + histogram[bucket] >= rank:
                wanted.append((kind, key, bucket, rank - before - 1))
                break
            before += histogram[bucket]
    return _in_buckets(tx, ask, wanted)


def _in_buckets(
    tx: Tx, ask: _Ask, wanted: list[tuple[str, str, int, int]]
) -> dict[tuple[str, str], float]:
    """For each (kind, group, bucket, offset), the value at that offset (0-based) among
    the group's values in the bucket: one statement, a scalar subquery each."""
    if not wanted:
        return {}
    parts, params = [], []
    for i, (kind, key, bucket, offset) in enumerate(wanted):
        start, end = ask.start, ask.end
        if ask.group_by == "month" and key != TOTAL:  # a month's group: only that month
            first = datetime.combine(date.fromisoformat(f"{key}-01"), datetime.min.time(), UTC)
            start = max(start, first) if start else first
            after = _after(_month, first)
            end = min(end, after) if end else after
        where, more = ask.facts_where(_bounds(start, end))
        if key != TOTAL and ask.group_by != "month":
            where += f" AND {ask.fact_key()} = ?"
            more.append(key)
        column = KINDS[kind]
        parts.append(
            f"SELECT {i} AS i, (SELECT {column} FROM {ask.view.t('view_ticket_facts')} "
            f"WHERE {kind}_bucket = ? AND {where} ORDER BY {column} LIMIT 1 OFFSET ?) AS v"
        )
        params += [bucket, *more, offset]
    found = {int(row["i"]): float(row["v"]) for row in tx.query(" UNION ALL ".join(parts), params)}
    return {(kind, key): found[i] for i, (kind, key, _, _) in enumerate(wanted)}


def _summary(
    key: str, figures: list[int], fr_p90: float | None, res_p90: float | None, clients: int | None
) -> dict[str, Any]:
    s = dict(zip(SUMS, figures, strict=True))

    def mean(total: int, n: int, scale: float) -> float | None:
        return round(total / n / scale, 4) if n else None

    def figure(value: float | None) -> float | None:
        return round(value, 4) if value is not None else None

    resolved, complaints = s["resolved"], s["complaints"]
    return {
        "key": key,
        "count": s["tickets"],
        "first_response_hours_mean": mean(s["fr_us"], s["fr_n"], MICROS_PER_HOUR),
        "first_response_hours_p90": figure(fr_p90),
        "resolution_hours_mean": mean(s["res_us"], s["res_n"], MICROS_PER_HOUR),
        "resolution_hours_p90": figure(res_p90),
        "sla_attainment_pct": round(100 * s["attained"] / resolved, 2) if resolved else None,
        "satisfaction_mean": mean(s["sat_sum"], s["sat_n"], 1),
        "complaints": complaints,
        "complaints_per_1000_clients": round(1000 * complaints / clients, 3) if clients else None,
    }
