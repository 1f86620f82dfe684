"""Demo fund catalogue: plausible funds, seeded NAV histories, and purchases with overrides."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application.funds import FundCommands
from application.suitability import PurchaseCommands
from domain.shared.base import Context
from domain.shared.errors import DuplicateFound
from domain.shared.vocab import FundType, Horizon, RiskLevel, RiskRating, Variety
from domain.suitability import ConfirmationChannel, PurchaseStatus

HOUSES = [
    "Harbour",
    "Golden Bridge",
    "Pearl River",
    "Great Wall",
    "Jade Mountain",
    "Lotus",
    "Crane",
    "East Sea",
    "Silk Road",
    "Summit",
]
STYLES = {
    FundType.MONEY_MARKET: (["Cash Reserve", "Daily Income", "Liquidity"], 0.0, 0.0),
    FundType.BOND: (["Steady Bond", "Credit Income", "Treasury Plus", "Short Bond"], 0.035, 0.03),
    FundType.HYBRID: (["Balanced", "Flexible Allocation", "Stable Growth"], 0.06, 0.12),
    FundType.EQUITY: (["Growth Equity", "Consumer Select", "Tech Innovation", "Value"], 0.08, 0.22),
    FundType.INDEX: (
        ["CSI 300 Index", "CSI 500 Index", "ChiNext Index", "SSE 50 Index"],
        0.06,
        0.2,
    ),
    FundType.QDII: (["Global Tech", "US Equity", "Asia Pacific", "Global Bond"], 0.05, 0.18),
}
RATINGS = {
    FundType.MONEY_MARKET: ([RiskRating.R1], Horizon.SHORT, Variety.CASH),
    FundType.BOND: (
        [RiskRating.R2, RiskRating.R2, RiskRating.R3],
        Horizon.MEDIUM,
        Variety.FIXED_INCOME,
    ),
    FundType.HYBRID: ([RiskRating.R3, RiskRating.R4], Horizon.MEDIUM, Variety.EQUITY),
    FundType.EQUITY: ([RiskRating.R4, RiskRating.R4, RiskRating.R5], Horizon.LONG, Variety.EQUITY),
    FundType.INDEX: ([RiskRating.R4], Horizon.LONG, Variety.EQUITY),
    FundType.QDII: ([RiskRating.R4, RiskRating.R5], Horizon.LONG, Variety.DERIVATIVES),
}


def load_funds(
    funds: FundCommands, ctx: Context, rng: random.Random, count: int, years: int
) -> list[str]:
    """List ``count`` funds across the types and import ``years`` of weekday NAV."""
    today = ctx.at.date()
    start = today - timedelta(days=365 * years)
    codes: list[str] = []
    drawn: set[str] = set()
    lines = ["code,date,unit_nav,accumulated_nav"]
    types = list(FundType)
    for n in range(count):
        fund_type = types[n % len(types)]
        names, drift, vol = STYLES[fund_type]
        ratings, horizon, variety = RATINGS[fund_type]
        code = ""
        while not code or code in drawn:  # ``count`` funds: no code drawn twice
            code = f"{rng.choice((0, 1, 5, 16)):02d}{rng.randint(0, 9999):04d}"
        drawn.add(code)
        inception = (
            start - timedelta(days=rng.randint(0, 2000))
            if rng.random() < 0.8
            else today - timedelta(days=rng.randint(30, 900))
        )
        try:
            funds.list_fund(
                ctx,
                code=code,
                name=f"{rng.choice(HOUSES)} {rng.choice(names)}",
                fund_type=fund_type,
                manager=f"{rng.choice(HOUSES)} Asset Management",
                inception_date=inception,
                risk_rating=rng.choice(ratings),
                horizon=horizon,
                variety=variety
                if fund_type is not FundType.QDII or rng.random() < 0.5
                else Variety.EQUITY,
            )
        except DuplicateFound:
            continue
        codes.append(code)
        lines += _navs(code, fund_type, max(start, inception), today, drift, vol, rng)
        if rng.random() < 0.6:
            funds.rate_house(ctx, code, rng.randint(2, 5), "Quarterly fund review")
    funds.import_navs(ctx, "\n".join(lines) + "\n", "demo-navs.csv", batch_events=2000)
    return codes


def _navs(
    code: str,
    fund_type: FundType,
    start: date,
    end: date,
    drift: float,
    vol: float,
    rng: random.Random,
) -> list[str]:
    """A geometric random walk on weekdays; money-market funds keep a unit NAV of 1 and
    grow their accumulated NAV; other funds sometimes pay a dividend out of the unit NAV."""
    lines = []
    accumulated, paid = 1.0, 0.0
    day = start
    step = 1 / 250
    while day <= end:
        if day.weekday() < 5:
            if fund_type is FundType.MONEY_MARKET:
                accumulated *= 1 + 0.02 * step
                unit = 1.0
            else:
                accumulated *= math.exp(
                    (drift - vol * vol / 2) * step + vol * math.sqrt(step) * rng.gauss(0, 1)
                )
                if (
                    day.month == 12
                    and day.day <= 7
                    and day.weekday() == 0
                    and fund_type is FundType.BOND
                ):
                    paid += accumulated * 0.02
                unit = max(accumulated - paid, 0.0001)
            lines.append(f"{code},{day.isoformat()},{unit:.4f},{accumulated:.4f}")
        day += timedelta(days=1)
    return lines


def load_purchases(
    purchases: PurchaseCommands,
    ctx: Context,
    rng: random.Random,
    clients: list[UUID],
    codes: list[str],
    now: datetime,
) -> tuple[int, list[str]]:
    """Some purchases for the clients; about two thirds of the warnings are confirmed.
    Returns how many, and the funds held by a client whose level is below R5 (a rating
    raised to R5 flags them for review)."""
    made = 0
    held: list[str] = []
    for client_id in rng.sample(clients, min(len(clients), 180)):
        for code in rng.sample(codes, rng.randint(1, 2)):
            at = Context(
                actor=ctx.actor,
                at=now - timedelta(hours=rng.randint(30, 2000)),
                correlation_id=ctx.correlation_id,
            )
            taken = purchases.request(
                at, client_id, code, Decimal(rng.choice((5000, 10000, 50000, 200000)))
            )
            made += 1
            requested = taken.requested
            assessed = requested.inputs.assessment
            if (
                requested.status is PurchaseStatus.ACCEPTED
                and assessed is not None
                and assessed.level is not RiskLevel.C5
                and requested.inputs.fund.risk_rating is not RiskRating.R5
            ):
                held.append(code)
            if requested.status is not PurchaseStatus.CONFIRMATION_REQUIRED:
                continue
            later = Context(
                actor=ctx.actor,
                at=at.at + timedelta(minutes=rng.randint(2, 600)),
                correlation_id=ctx.correlation_id,
            )
            if rng.random() < 0.66 and requested.decision.warning_text:
                purchases.confirm(
                    later,
                    taken.result.id,
                    requested.decision.warning_text,
                    rng.choice(list(ConfirmationChannel)),
                )
            elif rng.random() < 0.5:
                purchases.cancel(later, taken.result.id, "Client decided not to buy")
    return made, held
