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
    "AVG(satisfaction) AS sat_mean, COUNT(first_response_hours) AS fr_n, "
    "COUNT(resolution_hours) AS res_n, "
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
    aggregates: the sums per group and in total from the covering index, then each
    percentile as the one value at its rank (the group's count gives the rank)."""
    rows = tx.query(
        f"SELECT {key} AS key, {SUMS} FROM {table} WHERE {condition} GROUP BY {key} ORDER BY {key}",
        params,
    )
    rows += tx.query(f"SELECT NULL AS key, {SUMS} FROM {table} WHERE {condition}", params)
    for row in rows:
        mine, more = (condition, params)
        if row["key"] is not None:
            mine, more = f"{condition} AND {key} = ?", [*params, row["key"]]
        for column, name in (("first_response_hours", "fr"), ("resolution_hours", "res")):
            row[f"{name}_p90"] = _nearest_rank(tx, table, mine, more, column, row[f"{name}_n"])
    return rows


def _nearest_rank(
    tx: Tx, table: str, condition: str, params: list[Any], column: str, count: int | None
) -> float | None:
    """The 90th percentile of ``count`` values by nearest rank: the value at rank
    ceil(0.9 n), 1-based, as ``percentile_disc(0.9)`` gives it."""
    if not count:
        return None
    found = tx.query(
        f"SELECT {column} AS v FROM {table} WHERE {condition} AND {column} IS NOT NULL "
        f"ORDER BY {column} LIMIT 1 OFFSET ?",
        [*params, (9 * count + 9) // 10 - 1],
    )
    return float(found[0]["v"])


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
