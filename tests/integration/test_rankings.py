"""Rankings from hand-computed series, on each store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from api.engine import Engine
from application.funds.commands import FundCommands
from domain.funds.performance import Period
from domain.shared.base import Context
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from projections.funds.views import FundsView

SERIES = {
    ("000001", FundType.BOND): [
        ("2025-01-02", "1.0000"),
        ("2025-12-31", "1.0500"),
        ("2026-03-02", "1.0600"),
        ("2026-03-24", "1.0700"),
        ("2026-03-31", "1.0800"),
    ],
    ("000002", FundType.EQUITY): [
        ("2025-12-31", "2.0000"),
        ("2026-02-27", "2.1000"),
        ("2026-03-31", "2.2000"),
    ],
    ("000003", FundType.EQUITY): [("2026-03-30", "1.0000"), ("2026-03-31", "1.0100")],
}


@pytest.fixture
def ranked(engine: Engine) -> Engine:
    ctx = Context(actor="product", at=datetime(2026, 4, 1, tzinfo=UTC), correlation_id="r")
    for (code, fund_type), points in SERIES.items():
        engine.handler(FundCommands).list_fund(
            ctx,
            code=code,
            name=f"Fund {code}",
            fund_type=fund_type,
            manager="AM",
            inception_date=date(2025, 1, 1),
            risk_rating=RiskRating.R3,
            horizon=Horizon.MEDIUM,
            variety=Variety.EQUITY,
        )
        for day, value in points:
            engine.handler(FundCommands).publish_nav(
                ctx, code, date.fromisoformat(day), Decimal(value), Decimal(value)
            )
    engine.projector.catch_up()
    return engine


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period.YEAR, [("000001", "8.0000")]),
        (Period.YEAR_TO_DATE, [("000002", "10.0000"), ("000001", "2.8571")]),
        (Period.MONTH, [("000002", "4.7619"), ("000001", "2.8571")]),
        (Period.WEEK, [("000002", "4.7619"), ("000001", "0.9346")]),
        (Period.INCEPTION, [("000002", "10.0000"), ("000001", "8.0000"), ("000003", "1.0000")]),
    ],
)
def test_returns_rank_best_first_and_leave_out_funds_without_the_history(
    ranked: Engine, period: Period, expected: list[tuple[str, str]]
) -> None:
    rows = ranked.view(FundsView).rankings(ranked.db, period, None, 50)
    assert [(r["code"], str(r["return_pct"])) for r in rows] == expected
    assert [r["rank"] for r in rows] == list(range(1, len(expected) + 1))
    assert all(r["end_date"] == "2026-03-31" for r in rows)


def test_ranks_within_a_type(ranked: Engine) -> None:
    rows = ranked.view(FundsView).rankings(ranked.db, Period.INCEPTION, "equity", 50)
    assert [(r["rank"], r["code"]) for r in rows] == [(1, "000002"), (2, "000003")]
    assert rows[0]["start_date"] == "2025-12-31"


def test_latest_nav_ranking(ranked: Engine) -> None:
    rows = ranked.view(FundsView).latest_ranking(ranked.db, "unit_nav", None, 2)
    assert [(r["code"], r["value"]) for r in rows] == [
        ("000002", Decimal("2.2000")),
        ("000001", Decimal("1.0800")),
    ]
