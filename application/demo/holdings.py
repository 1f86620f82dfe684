"""Demo positions: two years of the back office's daily position file for most clients,
imported as the back office would (``POST /api/v1/holdings/import``). Clients buy and redeem
now and then; the churners among them redeem most of their assets in the last 90 days."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from application.funds import FundCommands
from application.holdings import HoldingsCommands
from domain.shared.base import Context

YEARS = 2
HOLDING = 0.7  # the share of clients with positions
CHURNING = 0.12  # the share of those who redeem most of their assets in the last 90 days
CHURN_DAYS = 90
TRADE_EVERY = 40  # trading days between a client's trades, on average


@dataclass(frozen=True)
class DemoHoldings:
    rows: int
    days: int
    churners: list[UUID]  # the clients who are leaving: the churn warning's ground truth


def load_holdings(
    holdings: HoldingsCommands,
    funds: FundCommands,
    ctx: Context,
    rng: random.Random,
    clients: list[UUID],
    codes: list[str],
    nav_years: int,
) -> DemoHoldings:
    """Draw each holding client's positions day by day over two years (or the years of
    NAV, when fewer) and import them."""
    today = ctx.at.date()
    start = today - timedelta(days=365 * min(YEARS, nav_years))
    days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    navs = _start_navs(funds, codes, start)
    if not navs:
        return DemoHoldings(0, 0, [])
    holders = [c for c in clients if rng.random() < HOLDING]
    churners = [c for c in holders if rng.random() < CHURNING]
    lines = ["client_id,fund_code,date,units"]
    for client in holders:
        lines += _positions(client, client in churners, days, navs, rng)
    report = holdings.import_positions(
        ctx, "\n".join(lines) + "\n", "demo-positions.csv", batch_events=2000
    )
    return DemoHoldings(report.rows, report.published, churners)


def _start_navs(funds: FundCommands, codes: list[str], start: date) -> dict[str, Decimal]:
    """The unit NAV on the first day of the funds that had one then (the others came
    later: nobody holds them from the start)."""
    found: dict[str, Decimal] = {}
    for code in codes:
        navs = funds.fund(code).navs
        first = min((d for d in navs if d >= start.isoformat()), default=None)
        if first is not None and first <= (start + timedelta(days=7)).isoformat():
            found[code] = Decimal(navs[first].split("/")[0])
    return found


def _positions(
    client: UUID, churns: bool, days: list[date], navs: dict[str, Decimal], rng: random.Random
) -> list[str]:
    """One client's rows: a portfolio bought on the first day (a few funds, a lognormal
    amount around CNY 300,000, some above a million), trades now and then; a churner sells
    down to a fifth or less over the last 90 days, with the last of it often sold out."""
    amount = min(rng.lognormvariate(12.6, 1.1), 30_000_000.0)
    picked = rng.sample(sorted(navs), min(len(navs), rng.randint(1, 4)))
    units = {
        code: Decimal(amount / len(picked) / float(navs[code])).quantize(Decimal("0.01"))
        for code in picked
    }
    leaving_from = days[-1] - timedelta(days=CHURN_DAYS)
    lines: list[str] = []
    for day in days:
        if churns and day > leaving_from and rng.random() < 0.08:
            units = {
                c: (u * Decimal(rng.uniform(0.3, 0.7))).quantize(Decimal("0.01"))
                for c, u in units.items()
            }
        elif not churns and rng.random() < 1 / TRADE_EVERY:
            code = rng.choice(sorted(units))
            units[code] = (units[code] * Decimal(rng.uniform(0.8, 1.3))).quantize(Decimal("0.01"))
        lines += [f"{client},{c},{day.isoformat()},{u}" for c, u in sorted(units.items())]
    return lines
