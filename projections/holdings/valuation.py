"""Positions valued at the NAVs: a client's holdings on a day, their daily assets under
management (AUM), and AUM summed by branch or tier. A position is valued at its fund's
latest unit NAV on or before the day (none yet: no value), to the cent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

    def book(self, on: date, client_id: str | None = None) -> Book:
        """Every client's positions at the end of a day (or one client's), with the NAVs
        then."""
        positions: dict[str, Positions] = {}
        if client_id is not None:
            positions[client_id] = self.holdings.held_on(self.db, UUID(client_id), on)[1]
        else:
            for r in self.holdings.standing(self.db, on):
                positions.setdefault(r["client_id"], {})[r["fund_code"]] = Decimal(r["units"])
        codes = {code for held in positions.values() for code in held}
        funds = self.funds.valued_on(self.db, codes, on)
        navs = {c: Decimal(f["unit_nav"]) for c, f in funds.items() if f["unit_nav"]}
        return Book(positions, navs)

    def by_group(self, on: date, group_by: str, branch: str | None) -> list[dict[str, Any]]:
        """AUM on a day by branch or tier (of one branch's clients when given): each group's
        clients holding anything, and its total."""
        sums = self._sums(on, branch, lambda r: (r[group_by],))
        return [{"group": key[0], **sums[key]} for key in sorted(sums)]

    def by_branch_and_tier(self, on: date, branch: str | None) -> dict[str, list[dict[str, Any]]]:
        """AUM on a day by tier within each branch (one branch's when given)."""
        sums = self._sums(on, branch, lambda r: (r["branch"], r["tier"]))
        found: dict[str, list[dict[str, Any]]] = {}
        for key in sorted(sums):
            found.setdefault(key[0], []).append({"group": key[1], **sums[key]})
        return found

    def _sums(
        self, on: date, branch: str | None, key: Callable[[dict[str, Any]], tuple[str, ...]]
    ) -> dict[tuple[str, ...], dict[str, Any]]:
        rows = [r for r in self.holdings.standing(self.db, on) if branch in (None, r["branch"])]
        funds = self.funds.valued_on(self.db, {r["fund_code"] for r in rows}, on)
        totals: dict[tuple[str, ...], Decimal] = {}
        clients: dict[tuple[str, ...], set[str]] = {}
        for r in rows:
            nav = funds[r["fund_code"]]["unit_nav"]
            value = value_of(Decimal(r["units"]), Decimal(nav)) if nav else Decimal(0)
            group = key(r)
            totals[group] = totals.get(group, Decimal(0)) + value
            clients.setdefault(group, set()).add(r["client_id"])
        return {g: {"clients": len(clients[g]), "aum": totals[g]} for g in totals}


@dataclass(frozen=True)
class Book:
    """Every client's positions standing at the end of a day, and the NAVs then."""

    positions: dict[str, Positions]
    navs: dict[str, Decimal]  # funds without a NAV by then are left out

    def assets(self, client_id: str) -> Decimal:
        held = self.positions.get(client_id, {})
        return sum(
            (value_of(u, self.navs[c]) for c, u in held.items() if c in self.navs), Decimal(0)
        )

    def sold_since(self, earlier: Book, client_id: str) -> Decimal:
        """The value, at this book's NAVs, of the units sold since the earlier book."""
        now, then = self.positions.get(client_id, {}), earlier.positions.get(client_id, {})
        return sum(
            (
                value_of(units - now.get(code, Decimal(0)), self.navs[code])
                for code, units in then.items()
                if units > now.get(code, Decimal(0)) and code in self.navs
            ),
            Decimal(0),
        )


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
