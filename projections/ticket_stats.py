"""Service-desk statistics over ticket rows (DOMAIN.md §5): pure functions of the view."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.sla import SlaPolicy
from projections.tickets import sla

KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "type": lambda r: r["type"],
    "priority": lambda r: r["priority"],
    "branch": lambda r: r["branch"] or "none",
    "month": lambda r: r["created_at"][:7],
    "group": lambda r: r["group"],
}


def p90(values: list[float]) -> float | None:
    """The 90th percentile by the nearest-rank method."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _hours(row: dict[str, Any], stop: str) -> float | None:
    if not row[stop]:
        return None
    elapsed = datetime.fromisoformat(row[stop]) - datetime.fromisoformat(row["created_at"])
    return elapsed.total_seconds() / 3600


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarise(
    key: str, rows: list[dict[str, Any]], policy: SlaPolicy, now: datetime, clients: int | None
) -> dict[str, Any]:
    """Counts, mean and p90 response and resolution hours (wall clock), SLA attainment
    (resolved tickets whose two clocks were both met), mean satisfaction, complaints."""
    responses = [h for r in rows if (h := _hours(r, "first_responded_at")) is not None]
    resolutions = [h for r in rows if (h := _hours(r, "resolved_at")) is not None]
    resolved = [r for r in rows if r["resolved_at"]]
    met = [r for r in resolved if all(c["state"] == "met" for c in sla(r, policy, now).values())]
    scores = [float(r["satisfaction"]) for r in rows if r["satisfaction"] is not None]
    complaints = sum(1 for r in rows if r["type"] == "complaint")
    return {
        "key": key,
        "count": len(rows),
        "first_response_hours_mean": _mean(responses),
        "first_response_hours_p90": _round(p90(responses)),
        "resolution_hours_mean": _mean(resolutions),
        "resolution_hours_p90": _round(p90(resolutions)),
        "sla_attainment_pct": round(100 * len(met) / len(resolved), 2) if resolved else None,
        "satisfaction_mean": _mean(scores),
        "complaints": complaints,
        "complaints_per_1000_clients": round(1000 * complaints / clients, 3) if clients else None,
    }


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def ticket_stats(
    rows: list[dict[str, Any]],
    group_by: str,
    policy: SlaPolicy,
    now: datetime,
    clients_by_branch: dict[str, int],
) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(KEYS[group_by](row), []).append(row)
    total_clients = sum(clients_by_branch.values())

    def clients(key: str) -> int | None:
        return clients_by_branch.get(key) if group_by == "branch" else total_clients

    return {
        "group_by": group_by,
        "groups": [summarise(k, v, policy, now, clients(k)) for k, v in sorted(groups.items())],
        "total": summarise("total", rows, policy, now, total_clients),
    }
