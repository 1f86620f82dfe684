"""NAV import on each store: all rows checked first, batches, idempotent re-import."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.engine import Engine
from application.funds.commands import FundCommands
from domain.shared.base import Context
from domain.shared.errors import InvalidRows
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from projections.funds.views import FundsView

HEADER = "code,date,unit_nav,accumulated_nav\n"


def given_funds(engine: Engine, ctx: Context, *codes: str) -> None:
    for code in codes:
        engine.handler(FundCommands).list_fund(
            ctx,
            code=code,
            name=f"Fund {code}",
            fund_type=FundType.BOND,
            manager="AM",
            inception_date=date(2020, 1, 1),
            risk_rating=RiskRating.R2,
            horizon=Horizon.MEDIUM,
            variety=Variety.FIXED_INCOME,
        )


def csv_for(codes: list[str], days: int, start: date = date(2024, 1, 1)) -> str:
    lines = [HEADER]
    for code in codes:
        for n in range(days):
            value = f"{1 + n / 1000:.4f}"
            lines.append(f"{code},{start + timedelta(days=n)},{value},{value}\n")
    return "".join(lines)


def test_given_a_valid_file_when_imported_then_every_point_lands_and_again_nothing_new(
    engine: Engine, ctx: Context
) -> None:
    given_funds(engine, ctx, "000001", "000002")
    text = csv_for(["000001", "000002"], 300)
    report = engine.handler(FundCommands).import_navs(ctx, text, batch_events=250)
    assert (report.rows, report.published, report.corrected) == (600, 600, 0)
    assert report.position == engine.store.head()
    head = engine.store.head()
    again = engine.handler(FundCommands).import_navs(ctx, text)
    assert (again.published, again.unchanged) == (0, 600)
    assert engine.store.head() == head
    engine.projector.catch_up()
    assert len(engine.view(FundsView).series(engine.db, "000001", None, None)) == 300
    fund = engine.handler(FundCommands).fund("000001")
    assert len(fund.navs) == 300
    assert engine.store.snapshots is not None
    assert list(engine.store.snapshots.get(fund.id))  # a bulk save still snapshots


def test_given_a_changed_value_when_reimported_then_counted_as_a_correction(
    engine: Engine, ctx: Context
) -> None:
    given_funds(engine, ctx, "000001")
    engine.handler(FundCommands).import_navs(ctx, csv_for(["000001"], 3))
    changed = HEADER + "000001,2024-01-02,1.2000,1.2000\n"
    report = engine.handler(FundCommands).import_navs(ctx, changed)
    assert (report.published, report.corrected) == (0, 1)


def test_given_bad_rows_when_imported_then_each_is_reported_and_nothing_is_written(
    engine: Engine, ctx: Context
) -> None:
    given_funds(engine, ctx, "000001")
    head = engine.store.head()
    text = (
        HEADER
        + "000001,2024-01-02,1.01,1.01\n"  # line 2: fine
        + "000001,2024-13-01,1.01,1.01\n"  # line 3: no such date
        + "999999,2024-01-02,1.01,1.01\n"  # line 4: no such fund
        + "000001,2024-01-03,-1,1.01\n"  # line 5: negative
        + "000001,2024-01-02,1.02,1.02\n"  # line 6: contradicts line 2
        + "000001,2019-06-01,1.00,1.00\n"  # line 7: before inception
        + "12,2024-01-02,1,1\n"  # line 8: bad code
        + "000001,2024-01-04,abc,1\n"  # line 9: not a number
        + "000001,2024-01-05\n"
    )  # line 10: too few values
    with pytest.raises(InvalidRows) as err:
        engine.handler(FundCommands).import_navs(ctx, text)
    assert [(e["line"], e["field"]) for e in err.value.errors] == [
        (3, "date"),
        (4, "code"),
        (5, "unit_nav"),
        (6, "date"),
        (7, "date"),
        (8, "code"),
        (9, "unit_nav"),
        (10, "row"),
    ]
    assert engine.store.head() == head


def test_a_file_without_the_header_is_refused(engine: Engine, ctx: Context) -> None:
    with pytest.raises(InvalidRows) as err:
        engine.handler(FundCommands).import_navs(ctx, "000001,2024-01-02,1,1\n")
    assert err.value.errors[0]["field"] == "header"
