"""Holdings on each store: the daily position file (checked first, batches, idempotent,
resumable), a client's holdings valued at NAV, their AUM series, AUM by branch and tier."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from api.engine import Engine
from application.clients.commands import ClientCommands
from application.funds.commands import FundCommands
from application.holdings import HoldingsCommands
from domain.shared.base import Context
from domain.shared.errors import InvalidRows
from domain.shared.imports import ImportKind
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from projections.funds import FundsView
from projections.holdings import HoldingsView
from projections.holdings.valuation import Valuation, total_of
from projections.shared.imports import ImportsView
from projections.suitability import ReviewsView
from tests.conftest import built_by_batches, client_fields

HEADER = "client_id,fund_code,date,units\n"
DAY = date(2026, 3, 2)


def given_funds_with_navs(engine: Engine, ctx: Context) -> None:
    """Fund 000001 at 1.0000 from DAY, 1.1000 from DAY+2; 000002 at 2.5000 from DAY."""
    commands = engine.handler(FundCommands)
    for code in ("000001", "000002"):
        commands.list_fund(
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
    navs = "code,date,unit_nav,accumulated_nav\n" + "".join(
        f"{code},{DAY + timedelta(days=n)},{nav},{nav}\n"
        for code, n, nav in [
            ("000001", 0, "1.0000"),
            ("000001", 2, "1.1000"),
            ("000002", 0, "2.5000"),
        ]
    )
    commands.import_navs(ctx, navs)


def given_clients(engine: Engine, ctx: Context, *branches: str) -> list[UUID]:
    commands = engine.handler(ClientCommands)
    return [commands.register(ctx, **client_fields(branch=b)).id for b in branches]


def valuation(engine: Engine) -> Valuation:
    return Valuation(engine.db, engine.view(HoldingsView), engine.view(FundsView))


def test_given_a_position_file_when_imported_then_each_client_day_is_recorded_once(
    engine: Engine, ctx: Context
) -> None:
    given_funds_with_navs(engine, ctx)
    a, b = given_clients(engine, ctx, "SH-LUJIAZUI", "BJ-JINRONGJIE")
    text = HEADER + (
        f"{a},000001,{DAY},1000\n"
        f"{a},000002,{DAY},200.5\n"
        f"{b},000001,{DAY},300\n"
        f"{a},000001,{DAY + timedelta(days=1)},1000\n"
        f"{a},000002,{DAY + timedelta(days=1)},0\n"  # sold out
    )
    commands = engine.handler(HoldingsCommands)
    report = commands.import_positions(ctx, text, "positions.csv", batch_events=1)
    assert (report.rows, report.published, report.corrected, report.unchanged) == (5, 3, 0, 0)
    head = engine.store.head()
    again = commands.import_positions(ctx, text, "positions.csv")
    assert (again.published, again.corrected, again.unchanged) == (0, 0, 3)
    added = engine.store.recorder.select_notifications(head + 1, 100)
    assert [n.topic.rsplit(".", 1)[-1] for n in added] == ["Restarted", "Completed"]
    engine.projector.catch_up()
    reported, held = valuation(engine).holdings_on(a, DAY)
    assert reported == DAY
    assert [(h.fund_code, h.units, h.nav, h.value) for h in held] == [
        ("000001", Decimal(1000), Decimal("1.0000"), Decimal("1000.00")),
        ("000002", Decimal("200.5"), Decimal("2.5000"), Decimal("501.25")),
    ]
    assert total_of(held) == Decimal("1501.25")
    # The day after: 000002 sold out; two days after, nothing reported: the day after stands
    reported, held = valuation(engine).holdings_on(a, DAY + timedelta(days=5))
    assert reported == DAY + timedelta(days=1)
    assert [(h.fund_code, h.nav, h.value) for h in held] == [
        ("000001", Decimal("1.1000"), Decimal("1100.00"))
    ]
    assert valuation(engine).holdings_on(a, DAY - timedelta(days=1)) == (None, [])


def test_given_a_day_reported_again_with_other_units_then_it_is_a_correction(
    engine: Engine, ctx: Context
) -> None:
    given_funds_with_navs(engine, ctx)
    [a] = given_clients(engine, ctx, "SH-LUJIAZUI")
    commands = engine.handler(HoldingsCommands)
    commands.import_positions(ctx, HEADER + f"{a},000001,{DAY},1000\n{a},000002,{DAY},10\n")
    report = commands.import_positions(ctx, HEADER + f"{a},000001,{DAY},900\n")
    assert (report.published, report.corrected) == (0, 1)
    engine.projector.catch_up()
    _, held = valuation(engine).holdings_on(a, DAY)
    assert [(h.fund_code, h.units) for h in held] == [("000001", Decimal(900))]


def test_given_bad_rows_when_imported_then_each_is_reported_and_nothing_is_written(
    engine: Engine, ctx: Context
) -> None:
    given_funds_with_navs(engine, ctx)
    [a] = given_clients(engine, ctx, "SH-LUJIAZUI")
    head = engine.store.head()
    future = ctx.at.date() + timedelta(days=3)
    text = HEADER + (
        f"{a},000001,{DAY},100\n"  # line 2: fine
        f"not-a-uuid,000001,{DAY},100\n"  # line 3: no client id
        f"{UUID(int=7)},000001,{DAY},100\n"  # line 4: no such client
        f"{a},999999,{DAY},100\n"  # line 5: no such fund
        f"{a},000001,{DAY},-5\n"  # line 6: negative (and contradicts line 2)
        f"{a},000001,{future},100\n"  # line 7: in the future
        f"{a},000001,{DAY},101\n"  # line 8: contradicts line 2
        f"{a},000001,{DAY},1.00001\n"  # line 9: five decimal places
        f"{a},000001,2026-02-30,1\n"  # line 10: no such date
        f"{a},000001\n"  # line 11: too few values
    )
    with pytest.raises(InvalidRows) as err:
        engine.handler(HoldingsCommands).import_positions(ctx, text)
    assert [(e["line"], e["field"]) for e in err.value.errors] == [
        (3, "client_id"),
        (4, "client_id"),
        (5, "fund_code"),
        (6, "units"),
        (7, "date"),
        (8, "units"),
        (9, "units"),
        (10, "date"),
        (11, "row"),
    ]
    assert engine.store.head() == head


class PowerCut(Exception):
    pass


def test_an_import_cut_short_shows_how_far_it_got_and_the_same_file_finishes_it(
    engine: Engine, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three clients' positions over 10 days, a client (10 events) a batch
    given_funds_with_navs(engine, ctx)
    clients = given_clients(engine, ctx, "SH-LUJIAZUI", "SH-LUJIAZUI", "SH-LUJIAZUI")
    text = HEADER + "".join(
        f"{c},000001,{DAY + timedelta(days=n)},{100 + n}\n" for c in clients for n in range(10)
    )
    commands = engine.handler(HoldingsCommands)
    saved = engine.store.save
    calls = 0

    def cut(*objs: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:  # the record, the first client, then the power goes
            raise PowerCut
        return saved(*objs, **kwargs)

    # When the power goes after the first client's batch
    monkeypatch.setattr(engine.store, "save", cut)
    with pytest.raises(PowerCut):
        commands.import_positions(ctx, text, "pos.csv", batch_events=10)
    monkeypatch.undo()
    # Then the import shows how far it got, and the same file finishes it
    engine.projector.catch_up()
    [cut_short], _ = engine.view(ImportsView).recent(engine.db, ImportKind.HOLDINGS, 10)
    assert (cut_short["applied"], cut_short["rows_total"], cut_short["completed"]) == (10, 30, 0)
    assert engine.view(ImportsView).recent(engine.db, ImportKind.NAV, 10)[0][0]["kind"] == "nav"
    report = commands.import_positions(ctx, text, "pos.csv", batch_events=10)
    assert (report.published, report.unchanged) == (20, 10)
    engine.projector.catch_up()
    [done], _ = engine.view(ImportsView).recent(engine.db, ImportKind.HOLDINGS, 10)
    assert (done["completed"], done["runs"], done["interrupted_at"]) == (True, 2, 10)


def test_given_positions_and_navs_then_the_aum_series_steps_on_either_change(
    engine: Engine, ctx: Context
) -> None:
    given_funds_with_navs(engine, ctx)
    [a] = given_clients(engine, ctx, "SH-LUJIAZUI")
    text = HEADER + (
        f"{a},000001,{DAY - timedelta(days=10)},500\n"  # before the first NAV
        f"{a},000001,{DAY + timedelta(days=1)},1000\n"
        f"{a},000002,{DAY + timedelta(days=1)},100\n"
    )
    engine.handler(HoldingsCommands).import_positions(ctx, text)
    engine.projector.catch_up()
    series = valuation(engine).series(a, DAY, DAY + timedelta(days=5))
    assert series == [
        (DAY, Decimal("500.00")),  # 500 x 1.0000
        (DAY + timedelta(days=1), Decimal("1250.00")),  # 1000 x 1.0 + 100 x 2.5
        (DAY + timedelta(days=2), Decimal("1350.00")),  # 1000 x 1.1 + 100 x 2.5
    ]
    assert valuation(engine).series(a, DAY - timedelta(days=30), DAY - timedelta(days=20)) == []


def test_aum_by_branch_and_tier_sums_the_positions_standing_that_day(
    engine: Engine, ctx: Context
) -> None:
    given_funds_with_navs(engine, ctx)
    a, b, c = given_clients(engine, ctx, "SH-LUJIAZUI", "SH-LUJIAZUI", "BJ-JINRONGJIE")
    engine.handler(ClientCommands).change_tier(ctx, c, "gold", "assets")
    text = HEADER + (
        f"{a},000001,{DAY},1000\n"
        f"{b},000002,{DAY},100\n"
        f"{c},000001,{DAY},2000\n"
        f"{c},000001,{DAY + timedelta(days=3)},0\n"  # sold out later
    )
    engine.handler(HoldingsCommands).import_positions(ctx, text)
    engine.projector.catch_up()
    by_branch = valuation(engine).by_group(DAY + timedelta(days=2), "branch", None)
    assert by_branch == [
        {"group": "BJ-JINRONGJIE", "clients": 1, "aum": Decimal("2200.00")},
        {"group": "SH-LUJIAZUI", "clients": 2, "aum": Decimal("1350.00")},
    ]
    by_tier = valuation(engine).by_group(DAY + timedelta(days=3), "tier", "SH-LUJIAZUI")
    assert by_tier == [{"group": "standard", "clients": 2, "aum": Decimal("1350.00")}]


def test_the_review_view_keeps_the_latest_day_reported_in_one_batch_as_event_by_event(
    engine: Engine, ctx: Context
) -> None:
    # Given two days reported for one client, then its earlier day corrected, and a second
    # client reported once
    given_funds_with_navs(engine, ctx)
    a, b = given_clients(engine, ctx, "SH-LUJIAZUI", "SH-LUJIAZUI")
    commands = engine.handler(HoldingsCommands)
    later = DAY + timedelta(days=1)
    commands.import_positions(
        ctx, HEADER + f"{a},000001,{DAY},1\n{a},000002,{DAY},1\n{a},000001,{later},1\n"
    )
    commands.import_positions(ctx, HEADER + f"{a},000002,{DAY},5\n{b},000002,{DAY},3\n")
    # When one copy of the view applies them one event a batch, another all in one batch
    copies = built_by_batches(engine, ReviewsView)

    # Then both hold what each client holds on their latest day reported
    def held(view: ReviewsView) -> list[tuple[str, str, str]]:
        with engine.db.read() as tx:
            rows = tx.query(
                f"SELECT p.client_id, p.fund_code, d.as_of FROM {view.t('view_review_positions')} "
                f"p JOIN {view.t('view_review_position_days')} d ON d.client_id = p.client_id "
                "ORDER BY 1, 2"
            )
        return [(r["client_id"], r["fund_code"], r["as_of"]) for r in rows]

    assert held(copies[0]) == held(copies[1])
    assert held(copies[0]) == sorted(
        [(str(a), "000001", later.isoformat()), (str(b), "000002", DAY.isoformat())]
    )
