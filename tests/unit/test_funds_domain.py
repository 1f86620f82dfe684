"""The fund aggregate: given, when, then."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

import orjson
import pytest

from domain.funds.fund import Fund, fund_id
from domain.shared.base import Context, Event, Snapshot
from domain.shared.errors import InvalidField
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety

CTX = Context(actor="product", at=datetime(2026, 3, 10, 16, tzinfo=UTC), correlation_id="c")


def given_fund() -> Fund:
    fund = Fund.list_in_catalogue(
        CTX,
        code="000123",
        name="Harbour Steady Bond",
        fund_type=FundType.BOND,
        manager="Harbour AM",
        inception_date=date(2020, 1, 6),
        risk_rating=RiskRating.R2,
        horizon=Horizon.MEDIUM,
        variety=Variety.FIXED_INCOME,
    )
    fund.collect_events()
    return fund


def test_a_fund_id_follows_from_its_code() -> None:
    assert given_fund().id == fund_id("000123")


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456"])
def test_a_code_that_is_not_6_digits_is_refused(code: str) -> None:
    with pytest.raises(InvalidField) as err:
        Fund.list_in_catalogue(
            CTX,
            code=code,
            name="x",
            fund_type=FundType.BOND,
            manager="m",
            inception_date=date(2020, 1, 1),
            risk_rating=RiskRating.R1,
            horizon=Horizon.SHORT,
            variety=Variety.CASH,
        )
    assert err.value.field == "code"


def test_when_nav_published_then_recorded_and_same_value_again_records_nothing() -> None:
    fund = given_fund()
    fund.publish_nav(CTX, date(2026, 3, 9), Decimal("1.0512"), Decimal("1.2512"))
    fund.publish_nav(CTX, date(2026, 3, 9), Decimal("1.0512"), Decimal("1.2512"))
    [event] = fund.collect_events()
    assert isinstance(event, Fund.NavPublished)


def test_given_nav_when_another_value_for_that_date_then_a_correction() -> None:
    fund = given_fund()
    fund.publish_nav(CTX, date(2026, 3, 9), Decimal("1.0512"), Decimal("1.2512"))
    fund.publish_nav(CTX, date(2026, 3, 9), Decimal("1.0521"), Decimal("1.2521"))
    correction = fund.collect_events()[-1]
    assert isinstance(correction, Fund.NavCorrected)
    assert correction.previous_unit_nav == Decimal("1.0512")
    assert fund.navs["2026-03-09"] == "1.0521/1.2521"


@pytest.mark.parametrize(
    ("day", "unit", "field"),
    [
        (date(2026, 3, 11), "1.0", "date"),
        (date(2019, 12, 31), "1.0", "date"),
        (date(2026, 3, 9), "0", "unit_nav"),
        (date(2026, 3, 9), "-1.2", "unit_nav"),
    ],
)
def test_a_nav_in_the_future_before_inception_or_not_positive_is_refused(
    day: date, unit: str, field: str
) -> None:
    with pytest.raises(InvalidField) as err:
        given_fund().publish_nav(CTX, day, Decimal(unit), Decimal("1.1"))
    assert err.value.field == field


def test_when_ratings_change_then_previous_values_are_recorded() -> None:
    fund = given_fund()
    fund.rate_risk(CTX, RiskRating.R3, "more credit risk")
    fund.rate_risk(CTX, RiskRating.R3, "again")
    fund.rate_house(CTX, 4, "steady record")
    events = fund.collect_events()
    assert len(events) == 2
    assert isinstance(events[0], Fund.RiskRatingChanged)
    assert (events[0].previous, events[0].rating) == (RiskRating.R2, RiskRating.R3)
    assert isinstance(events[1], Fund.HouseRatingChanged)
    assert events[1].previous is None
    with pytest.raises(InvalidField):
        fund.rate_house(CTX, 6, "too many")


def published(fund: Fund, *points: tuple[date, str]) -> list[Event]:
    """Each point's unit NAV, its accumulated NAV one more; the events it recorded."""
    for day, unit in points:
        fund.publish_nav(CTX, day, Decimal(unit), Decimal(unit) + 1)
    return [e for e in fund.collect_events() if isinstance(e, Event)]


def restored(snapshot: Snapshot) -> Fund:
    """The fund as a load reads it: the snapshot's JSON, validated again, then restored."""
    again = Snapshot.model_validate(orjson.loads(orjson.dumps(snapshot.model_dump(mode="json"))))
    fund = again.mutate(None)
    assert isinstance(fund, Fund)
    return fund


def test_given_a_snapshot_and_navs_after_it_when_loaded_then_the_navs_are_all_there() -> None:
    fund = given_fund()
    published(fund, (date(2026, 3, 2), "1.01"), (date(2026, 3, 3), "1.02"))
    fund.publish_nav(CTX, date(2026, 3, 3), Decimal("1.03"), Decimal("2.03"))  # a correction
    fund.collect_events()
    snapshot = Snapshot.take(fund)
    after = published(fund, (date(2026, 3, 4), "1.04"), (date(2026, 3, 5), "1.05"))

    loaded = restored(snapshot)
    for event in after:  # as a load replays the events after the snapshot
        cast(Any, event).mutate(loaded)

    assert snapshot.state["navs"] == "2026-03-02=1.01/2.01,2026-03-03=1.03/2.03"
    assert (
        dict(loaded.navs)
        == dict(fund.navs)
        == {
            "2026-03-02": "1.01/2.01",
            "2026-03-03": "1.03/2.03",
            "2026-03-04": "1.04/2.04",
            "2026-03-05": "1.05/2.05",
        }
    )
    assert loaded.version == fund.version


def test_given_a_loaded_snapshot_when_a_nav_before_it_changes_then_a_correction_of_it() -> None:
    fund = given_fund()
    published(fund, (date(2026, 3, 2), "1.01"), (date(2026, 3, 3), "1.02"))
    snapshot = Snapshot.take(fund)
    after = published(fund, (date(2026, 3, 3), "1.05"), (date(2026, 3, 4), "1.04"))
    loaded = restored(snapshot)
    for event in after:  # a correction of the snapshot's 3 March, then 4 March
        cast(Any, event).mutate(loaded)

    loaded.publish_nav(CTX, date(2026, 3, 2), Decimal("1.01"), Decimal("2.01"))  # the same
    loaded.publish_nav(CTX, date(2026, 3, 3), Decimal("1.05"), Decimal("2.05"))  # the same
    loaded.publish_nav(CTX, date(2026, 3, 2), Decimal("1.11"), Decimal("2.11"))
    loaded.publish_nav(CTX, date(2026, 3, 3), Decimal("1.13"), Decimal("2.13"))

    corrections = loaded.collect_events()
    assert all(isinstance(e, Fund.NavCorrected) for e in corrections)
    assert [
        (e.nav_date, e.previous_unit_nav, e.previous_accumulated_nav)  # type: ignore[attr-defined]
        for e in corrections
    ] == [
        (date(2026, 3, 2), Decimal("1.01"), Decimal("2.01")),
        (date(2026, 3, 3), Decimal("1.05"), Decimal("2.05")),
    ]
    assert Snapshot.take(loaded).state["navs"] == (
        "2026-03-02=1.11/2.11,2026-03-03=1.13/2.13,2026-03-04=1.04/2.04"
    )


def test_given_a_snapshot_keeping_navs_as_an_object_when_loaded_then_they_read() -> None:
    fund = given_fund()
    published(fund, (date(2026, 3, 2), "1.01"))
    snapshot = Snapshot.take(fund)
    older = snapshot.model_copy(
        update={"state": {**snapshot.state, "navs": {"2026-03-02": "1.01/2.01"}}}
    )

    loaded = restored(older)
    loaded.publish_nav(CTX, date(2026, 3, 2), Decimal("1.01"), Decimal("2.01"))

    assert loaded.collect_events() == []
    assert dict(loaded.navs) == {"2026-03-02": "1.01/2.01"}
