"""NAV import on each store: all rows checked first, batches, idempotent re-import."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.engine import Engine
from api.shared.schemas import ImportPublic
from application.funds.commands import FundCommands
from domain.shared.base import Context
from domain.shared.errors import InvalidRows
from domain.shared.imports import ImportKind
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from projections.funds.views import FundsView
from projections.shared.imports import ImportsView

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
    # Nothing new for the funds: only the file's import record restarted and completed
    added = engine.store.recorder.select_notifications(head + 1, 100)
    assert [n.topic.rsplit(".", 1)[-1] for n in added] == ["Restarted", "Completed"]
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


class PowerCut(Exception):
    pass


def test_an_import_cut_short_shows_how_far_it_got_and_the_same_file_finishes_it(
    engine: Engine, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given four funds' NAVs in one file, saved a fund (300 events) a batch
    given_funds(engine, ctx, "000001", "000002", "000003", "000004")
    text = csv_for(["000001", "000002", "000003", "000004"], 300)
    commands = engine.handler(FundCommands)
    # When the power goes after the record and two batches are saved
    saved = engine.store.save
    calls = 0

    def cut(*objs: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise PowerCut
        return saved(*objs, **kwargs)

    monkeypatch.setattr(engine.store, "save", cut)
    with pytest.raises(PowerCut):
        commands.import_navs(ctx, text, "navs-2026-12.csv", batch_events=300)
    monkeypatch.undo()
    # Then the import is on record as cut short: who, when, how far
    engine.projector.catch_up()
    [cut_short], _ = engine.view(ImportsView).recent(engine.db, ImportKind.NAV, 10)
    shown = {**cut_short, "started_by_id": cut_short["started_by"]}
    later = ImportPublic.of(shown, ctx.at + timedelta(minutes=2))
    assert (later.status, later.rows, later.applied) == ("interrupted", 1200, 600)
    assert (later.filename, later.started_by, later.started_at) == (
        "navs-2026-12.csv",
        ctx.actor,
        ctx.at,
    )
    assert ImportPublic.of(shown, ctx.at).status == "running"
    assert [len(commands.fund(c).navs) for c in ("000001", "000002", "000003")] == [300, 300, 0]
    # And importing the same file again finishes it
    report = commands.import_navs(ctx, text, "navs-2026-12.csv", batch_events=300)
    assert (report.published, report.unchanged) == (600, 600)
    engine.projector.catch_up()
    [finished], _ = engine.view(ImportsView).recent(engine.db, ImportKind.NAV, 10)
    done = ImportPublic.of({**finished, "started_by_id": ctx.actor}, ctx.at + timedelta(minutes=2))
    assert (done.status, done.applied, done.runs, done.previous_run_stopped_at) == (
        "completed",
        1200,
        2,
        600,
    )
    assert [len(commands.fund(c).navs) for c in ("000001", "000004")] == [300, 300]
