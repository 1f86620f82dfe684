"""Service-desk statistics (DOMAIN.md §5), aggregated in SQL over the narrow facts table.

Response and resolution times are wall-clock hours from opening; SLA attainment is the share
of resolved tickets whose two clocks were both met (stored when each clock stopped).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.shared.sql import Tx, ViewDatabase
from projections.service_desk.tickets import TicketsView

KEYS = {
    "type": "type",
    "priority": "priority",
    "branch": "COALESCE(branch, 'none')",
    "month": "substr(created_at, 1, 7)",
    "group": "group_name",
}


def ticket_stats(
    db: ViewDatabase,
    view: TicketsView,
    group_by: str,
    start: datetime | None,
    end: datetime | None,
    branch: str | None,
    clients_by_branch: dict[str, int],
) -> dict[str, Any]:
    where, params = ["1 = 1"], []
    for clause, value in (("created_at >= ?", start), ("created_at < ?", end)):
        if value is not None:
            where.append(clause)
            params.append(value.isoformat())
    if branch is not None:
        where.append("branch = ?")
        params.append(branch)
    table, condition = view.t("view_ticket_facts"), " AND ".join(where)
    key = KEYS[group_by]
    with db.read() as tx:
        if tx.dialect == "postgres":
            rows = _postgres(tx, table, condition, params, key)
        else:
            rows = _sqlite(tx, table, condition, params, key)
    total_clients = sum(clients_by_branch.values())
    groups, overall = [], None
    for row in rows:
        if row["key"] is None:
            overall = _summary({**row, "key": "total"}, total_clients)
            continue
        k = str(row["key"])
        clients = clients_by_branch.get(k) if group_by == "branch" else total_clients
        groups.append(_summary(row, clients))
    if overall is None:  # no tickets: the total is all zeros
        overall = _summary({"key": "total", "count": 0, "resolved": 0}, total_clients)
    return {"group_by": group_by, "groups": groups, "total": overall}


SUMS = (
    "COUNT(*) AS count, AVG(first_response_hours) AS fr_mean, "
    "AVG(resolution_hours) AS res_mean, SUM(resolved) AS resolved, SUM(attained) AS attained, "
    "AVG(satisfaction) AS sat_mean, "
    "SUM(CASE WHEN type = 'complaint' THEN 1 ELSE 0 END) AS complaints"
)


def _postgres(
    tx: Tx, table: str, condition: str, params: list[Any], key: str
) -> list[dict[str, Any]]:
    """Groups and the total in one pass; percentiles by nearest rank (percentile_disc)."""
    return tx.query(
        f"SELECT {key} AS key, {SUMS}, "
        "percentile_disc(0.9) WITHIN GROUP (ORDER BY first_response_hours) AS fr_p90, "
        "percentile_disc(0.9) WITHIN GROUP (ORDER BY resolution_hours) AS res_p90 "
        f"FROM {table} WHERE {condition} GROUP BY GROUPING SETS (({key}), ()) "
        f"ORDER BY {key} NULLS LAST",
        params,
    )


def _sqlite(
    tx: Tx, table: str, condition: str, params: list[Any], key: str
) -> list[dict[str, Any]]:
    """The same figures on SQLite, which has neither grouping sets nor ordered-set
    aggregates: the period's narrow rows read once, and aggregated here (a window function
    per percentile and group costs several sorts of the same rows)."""
    rows = tx.query(
        f"SELECT {key} AS key, type, first_response_hours AS fr, resolution_hours AS res, "
        f"resolved, attained, satisfaction FROM {table} WHERE {condition}",
        params,
    )
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["key"], []).append(row)
    found = [_aggregate(k, groups[k]) for k in sorted(groups)]
    if rows:
        found.append(_aggregate(None, rows))
    return found


def _aggregate(key: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SUMS and the two percentiles (nearest rank) of one group's rows."""
    fr = sorted(r["fr"] for r in rows if r["fr"] is not None)
    res = sorted(r["res"] for r in rows if r["res"] is not None)
    sat = [r["satisfaction"] for r in rows if r["satisfaction"] is not None]
    return {
        "key": key,
        "count": len(rows),
        "fr_mean": sum(fr) / len(fr) if fr else None,
        "res_mean": sum(res) / len(res) if res else None,
        "resolved": sum(r["resolved"] for r in rows),
        "attained": sum(r["attained"] for r in rows),
        "sat_mean": sum(sat) / len(sat) if sat else None,
        "complaints": sum(1 for r in rows if r["type"] == "complaint"),
        "fr_p90": _nearest_rank(fr),
        "res_p90": _nearest_rank(res),
    }


def _nearest_rank(ordered: list[float]) -> float | None:
    """The 90th percentile by nearest rank (``percentile_disc(0.9)``): the value at rank
    ceil(0.9 n), 1-based."""
    if not ordered:
        return None
    return float(ordered[(9 * len(ordered) + 9) // 10 - 1])


def _summary(row: dict[str, Any], clients: int | None) -> dict[str, Any]:
    def figure(value: Any) -> float | None:
        return round(float(value), 4) if value is not None else None

    resolved, complaints = int(row["resolved"] or 0), int(row.get("complaints") or 0)
    return {
        "key": str(row["key"]),
        "count": int(row["count"]),
        "first_response_hours_mean": figure(row.get("fr_mean")),
        "first_response_hours_p90": figure(row.get("fr_p90")),
        "resolution_hours_mean": figure(row.get("res_mean")),
        "resolution_hours_p90": figure(row.get("res_p90")),
        "sla_attainment_pct": round(100 * int(row["attained"] or 0) / resolved, 2)
        if resolved
        else None,
        "satisfaction_mean": figure(row.get("sat_mean")),
        "complaints": complaints,
        "complaints_per_1000_clients": round(1000 * complaints / clients, 3) if clients else None,
    }
