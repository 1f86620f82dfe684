"""The fund supermarket (DOMAIN.md §3): funds, their ratings and daily NAV."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import InvalidField
from domain.shared.keys import NAMESPACE
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety


def fund_id(code: str) -> UUID:
    """A fund's id follows from its code: the code is the fund's identity, so saving a
    second fund with the same code fails on the store's key, like any index claim."""
    return uuid5(NAMESPACE, f"fund:{code}")


def check_code(code: str, field: str = "code") -> str:
    if len(code) != 6 or not code.isdigit():
        raise InvalidField(field, "a fund code is 6 digits")
    return code


def nav_key(unit_nav: Decimal, accumulated_nav: Decimal) -> str:
    """A NAV point's values as one string: the aggregate keeps thousands of them, and a
    flat ``{date: "unit/accumulated"}`` map loads from a snapshot far faster than models."""
    return f"{unit_nav.normalize()}/{accumulated_nav.normalize()}"


class NavTable(MutableMapping[str, str]):
    """A fund's NAV points, ``{ISO date: "unit/accumulated"}``.

    A snapshot keeps them as one string (``date=unit/accumulated`` joined by commas), read
    into the map only when a NAV decision first asks: most loads of a fund (a purchase's
    suitability, a rating) need its ratings, not its thousands of NAVs. A snapshot written
    before kept a JSON object; it reads too.
    """

    __slots__ = ("_map", "_raw")

    def __init__(self, points: Mapping[str, str] | None = None, *, raw: str = "") -> None:
        self._map: dict[str, str] | None = dict(points) if points is not None else None
        self._raw = raw

    @property
    def _points(self) -> dict[str, str]:
        if self._map is None:  # an ISO date is 10 characters, then "=", then the values;
            # a date's later point (a correction) comes after its earlier one and wins
            self._map = {p[:10]: p[11:] for p in self._raw.split(",")} if self._raw else {}
        return self._map

    def __getitem__(self, nav_date: str) -> str:
        return self._points[nav_date]

    def __setitem__(self, nav_date: str, values: str) -> None:
        if self._map is None:  # replaying the events after a snapshot reads nothing
            self._raw = f"{self._raw},{nav_date}={values}" if self._raw else f"{nav_date}={values}"
        else:
            self._map[nav_date] = values

    def __delitem__(self, nav_date: str) -> None:
        del self._points[nav_date]

    def __iter__(self) -> Iterator[str]:
        return iter(self._points)

    def __len__(self) -> int:
        return len(self._points)

    def dumped(self) -> str:
        """The points as a snapshot keeps them (as read, when never read into the map)."""
        if self._map is None:
            return self._raw
        return ",".join(f"{d}={v}" for d, v in self._map.items())

    @classmethod
    def _read(cls, value: Any) -> NavTable:
        if isinstance(value, NavTable):
            return value
        if isinstance(value, str):
            return cls(raw=value)
        if isinstance(value, dict):  # a snapshot written before NAVs were kept as one string
            return cls({str(d): str(v) for d, v in value.items()})
        raise ValueError("NAV points are a string or an object")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._read,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda t: t.dumped()),
        )


class Fund(Aggregate):
    """A fund: the state its decisions need (ratings, horizon, variety, NAV by date)."""

    code: str
    risk_rating: RiskRating
    house_rating: int | None
    horizon: Horizon
    variety: Variety
    inception_date: date
    navs: NavTable

    class Listed(Created):
        code: str
        name: str
        fund_type: FundType
        manager: str
        inception_date: date
        risk_rating: RiskRating
        horizon: Horizon
        variety: Variety

        def apply(self, aggregate: Fund) -> None:
            aggregate.code = self.code
            aggregate.risk_rating = self.risk_rating
            aggregate.house_rating = None
            aggregate.horizon = self.horizon
            aggregate.variety = self.variety
            aggregate.inception_date = self.inception_date
            aggregate.navs = NavTable({})

    class RiskRatingChanged(Event):
        rating: RiskRating
        previous: RiskRating
        reason: str

        def apply(self, aggregate: Fund) -> None:
            aggregate.risk_rating = self.rating

    class HouseRatingChanged(Event):
        stars: int
        previous: int | None
        reason: str

        def apply(self, aggregate: Fund) -> None:
            aggregate.house_rating = self.stars

    class NavPublished(Event):
        nav_date: date
        unit_nav: Decimal
        accumulated_nav: Decimal

        def apply(self, aggregate: Fund) -> None:
            aggregate.navs[self.nav_date.isoformat()] = nav_key(self.unit_nav, self.accumulated_nav)

    class NavCorrected(Event):
        nav_date: date
        unit_nav: Decimal
        accumulated_nav: Decimal
        previous_unit_nav: Decimal
        previous_accumulated_nav: Decimal

        def apply(self, aggregate: Fund) -> None:
            aggregate.navs[self.nav_date.isoformat()] = nav_key(self.unit_nav, self.accumulated_nav)

    @classmethod
    def list_in_catalogue(
        cls,
        ctx: Context,
        *,
        code: str,
        name: str,
        fund_type: FundType,
        manager: str,
        inception_date: date,
        risk_rating: RiskRating,
        horizon: Horizon,
        variety: Variety,
    ) -> Fund:
        """Add a fund to the catalogue."""
        if inception_date > ctx.at.date():
            raise InvalidField("inception_date", "is in the future")
        return cls._start(
            cls.Listed,
            ctx,
            fund_id(check_code(code)),
            code=code,
            name=name,
            fund_type=fund_type,
            manager=manager,
            inception_date=inception_date,
            risk_rating=risk_rating,
            horizon=horizon,
            variety=variety,
        )

    def rate_risk(self, ctx: Context, rating: RiskRating, reason: str) -> None:
        """Change the product risk rating; its history is kept."""
        if rating != self.risk_rating:
            self._record(
                self.RiskRatingChanged, ctx, rating=rating, previous=self.risk_rating, reason=reason
            )

    def rate_house(self, ctx: Context, stars: int, reason: str) -> None:
        """Change the house rating (1 to 5 stars); its history is kept."""
        if not 1 <= stars <= 5:
            raise InvalidField("stars", "must be between 1 and 5")
        if stars != self.house_rating:
            self._record(
                self.HouseRatingChanged, ctx, stars=stars, previous=self.house_rating, reason=reason
            )

    def publish_nav(
        self, ctx: Context, nav_date: date, unit_nav: Decimal, accumulated_nav: Decimal
    ) -> None:
        """Record a daily NAV; a second, different value for a date is a correction."""
        check_nav(nav_date, unit_nav, accumulated_nav, self.inception_date, ctx.at.date())
        known = self.navs.get(nav_date.isoformat())
        if known is None:
            self._record(
                self.NavPublished,
                ctx,
                nav_date=nav_date,
                unit_nav=unit_nav,
                accumulated_nav=accumulated_nav,
            )
        elif known != nav_key(unit_nav, accumulated_nav):
            previous_unit, previous_accumulated = known.split("/")
            self._record(
                self.NavCorrected,
                ctx,
                nav_date=nav_date,
                unit_nav=unit_nav,
                accumulated_nav=accumulated_nav,
                previous_unit_nav=Decimal(previous_unit),
                previous_accumulated_nav=Decimal(previous_accumulated),
            )


def check_nav(
    nav_date: date, unit_nav: Decimal, accumulated_nav: Decimal, inception: date, today: date
) -> None:
    """The rules a NAV point must meet, shared by single points and imports."""
    if unit_nav <= 0 or not unit_nav.is_finite():
        raise InvalidField("unit_nav", "must be a positive number")
    if accumulated_nav <= 0 or not accumulated_nav.is_finite():
        raise InvalidField("accumulated_nav", "must be a positive number")
    if nav_date < inception:
        raise InvalidField("date", "is before the fund's inception")
    if nav_date > today:
        raise InvalidField("date", "is in the future")
