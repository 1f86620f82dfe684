"""Service-desk statistics (DOMAIN.md §5), aggregated in SQL over the tickets view.

Response and resolution times are wall-clock hours from opening; SLA attainment is the share
of resolved tickets whose two clocks were both met (stored when each clock stopped).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.sql import Tx, ViewDatabase
from projections.tickets import TicketsView

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
    table, condition = view.t("view_tickets"), " AND ".join(where)
    key = KEYS[group_by]
    summary = (
        "COUNT(*) AS count, AVG(first_response_hours) AS fr_mean, "
        "AVG(resolution_hours) AS res_mean, COUNT(resolved_at) AS resolved, "
        "SUM(CASE WHEN resolved_at IS NOT NULL AND first_response_met = 1 AND "
        "resolution_met = 1 THEN 1 ELSE 0 END) AS attained, AVG(satisfaction) AS sat_mean, "
        "SUM(CASE WHEN type = 'complaint' THEN 1 ELSE 0 END) AS complaints, "
        "COUNT(first_response_hours) AS responded"
    )
    with db.read() as tx:
        grouped = tx.query(
            f"SELECT {key} AS key, {summary} FROM {table} WHERE {condition} "
            f"GROUP BY {key} ORDER BY {key}",
            params,
        )
        [total] = tx.query(
            f"SELECT 'total' AS key, {summary} FROM {table} WHERE {condition}", params
        )

        fr_p90 = _p90(tx, table, condition, params, key, "first_response_hours")
        res_p90 = _p90(tx, table, condition, params, key, "resolution_hours")
        fr_total = _p90(tx, table, condition, params, "'total'", "first_response_hours")
        res_total = _p90(tx, table, condition, params, "'total'", "resolution_hours")
        total_clients = sum(clients_by_branch.values())
    groups = []
    for row in grouped:
        k = str(row["key"])
        clients = clients_by_branch.get(k) if group_by == "branch" else total_clients
        groups.append(_summary(row, clients, fr_p90.get(k), res_p90.get(k)))
    overall = _summary(total, total_clients, fr_total.get("total"), res_total.get("total"))
    return {"group_by": group_by, "groups": groups, "total": overall}


def _p90(
    tx: Tx, table: str, condition: str, params: list[Any], key: str, column: str
) -> dict[str, float]:
    """The 90th percentile of a column per group, by nearest rank, in one query."""
    rows = tx.query(
        f"SELECT k, v FROM (SELECT {key} AS k, {column} AS v, ROW_NUMBER() OVER "
        f"(PARTITION BY {key} ORDER BY {column}) AS rn, COUNT(*) OVER (PARTITION BY {key}) "
        f"AS n FROM {table} WHERE {condition} AND {column} IS NOT NULL) ranked "
        "WHERE rn = (9 * n + 9) / 10",
        params,
    )
    return {str(r["k"]): round(float(r["v"]), 4) for r in rows}


def _summary(row: dict[str, Any], clients: int | None, fr_p90: Any, res_p90: Any) -> dict[str, Any]:
    def mean(value: Any) -> float | None:
        return round(float(value), 4) if value is not None else None

    resolved, complaints = int(row["resolved"]), int(row["complaints"] or 0)
    return {
        "key": str(row["key"]),
        "count": int(row["count"]),
        "first_response_hours_mean": mean(row["fr_mean"]),
        "first_response_hours_p90": fr_p90,
        "resolution_hours_mean": mean(row["res_mean"]),
        "resolution_hours_p90": res_p90,
        "sla_attainment_pct": round(100 * int(row["attained"] or 0) / resolved, 2)
        if resolved
        else None,
        "satisfaction_mean": mean(row["sat_mean"]),
        "complaints": complaints,
        "complaints_per_1000_clients": round(1000 * complaints / clients, 3) if clients else None,
    }
