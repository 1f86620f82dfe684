"""Positions valued at the NAVs: a client's holdings on a day, their daily assets under
management (AUM), and AUM summed by branch or tier. A position is valued at its fund's
latest unit NAV on or before the day (none yet: no value), to the cent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from adapters.shared.sql import ViewDatabase
from projections.funds import FundsView
from projections.holdings.views import HoldingsView, Positions

CENT = Decimal("0.01")


def value_of(units: Decimal, unit_nav: Decimal) -> Decimal:
    return (units * unit_nav).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Holding:
    fund_code: str
    name: str
    risk_rating: str
    units: Decimal
    nav: Decimal | None
    nav_date: date | None
    value: Decimal | None


@dataclass(frozen=True)
class Valuation:
    db: ViewDatabase
    holdings: HoldingsView
    funds: FundsView

    def holdings_on(self, client_id: UUID, on: date) -> tuple[date | None, list[Holding]]:
        """The client's positions at the end of a day, each valued; and the day they were
        reported for."""
        reported, positions = self.holdings.held_on(self.db, client_id, on)
        funds = self.funds.valued_on(self.db, positions, on)
        return reported, [_holding(code, units, funds[code]) for code, units in positions.items()]

    def series(self, client_id: UUID, start: date, end: date) -> list[tuple[date, Decimal]]:
        """The client's AUM on every day from ``start`` to ``end`` on which their positions
        or a held fund's NAV changed (and at ``start`` when they held anything then)."""
        days = self.holdings.days(self.db, client_id, start, end)
        codes = {code for _, positions in days for code in positions}
        navs = self.funds.unit_navs(self.db, codes, start, end)
        return list(_walk(days, navs))

    def by_group(self, on: date, group_by: str, branch: str | None) -> list[dict[str, Any]]:
        """AUM on a day by branch or tier (of one branch's clients when given): each group's
        clients holding anything, and its total."""
        rows = [r for r in self.holdings.standing(self.db, on) if branch in (None, r["branch"])]
        funds = self.funds.valued_on(self.db, {r["fund_code"] for r in rows}, on)
        totals: dict[str, Decimal] = {}
        clients: dict[str, set[str]] = {}
        for r in rows:
            nav = funds[r["fund_code"]]["unit_nav"]
            value = value_of(Decimal(r["units"]), Decimal(nav)) if nav else Decimal(0)
            group = r[group_by]
            totals[group] = totals.get(group, Decimal(0)) + value
            clients.setdefault(group, set()).add(r["client_id"])
        return [{"group": g, "clients": len(clients[g]), "aum": totals[g]} for g in sorted(totals)]


def _holding(code: str, units: Decimal, fund: dict[str, Any]) -> Holding:
    nav = Decimal(fund["unit_nav"]) if fund["unit_nav"] else None
    return Holding(
        fund_code=code,
        name=fund["name"],
        risk_rating=fund["risk_rating"],
        units=units,
        nav=nav,
        nav_date=date.fromisoformat(fund["nav_date"]) if fund["nav_date"] else None,
        value=value_of(units, nav) if nav is not None else None,
    )


def total_of(holdings: list[Holding]) -> Decimal:
    return sum((h.value for h in holdings if h.value is not None), Decimal(0))


def _walk(
    days: list[tuple[date, Positions]], navs: dict[str, list[tuple[date, Decimal]]]
) -> Iterator[tuple[date, Decimal]]:
    """Step through every day on which positions or a NAV changed, valuing the positions
    standing then at the NAVs standing then."""
    changes: dict[date, list[tuple[str, Decimal]]] = {}
    for code, points in navs.items():
        for day, nav in points:
            changes.setdefault(day, []).append((code, nav))
    reports = dict(days)
    first = days[0][0] if days else None
    positions: Positions = {}
    current: dict[str, Decimal] = {}
    for day in sorted(set(changes) | set(reports)):
        current.update(changes.get(day, []))
        positions = reports.get(day, positions)
        if first is None or day < first:
            continue
        yield (
            day,
            sum(
                (value_of(u, current[c]) for c, u in positions.items() if c in current), Decimal(0)
            ),
        )
