"""The fund aggregate: given, when, then."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.funds.fund import Fund, fund_id
from domain.shared.base import Context
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
