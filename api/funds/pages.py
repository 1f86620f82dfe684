"""The console's fund supermarket: the catalogue with filters, a fund's page with its
ratings and their history, the NAV chart over a chosen range (embedded, so it loads with the
session) with its numbers as a table, and the rankings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from markupsafe import Markup

from api.funds.schemas import FundCode
from api.shared.charts import NAV_WORDS, nav_chart
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import one_of
from api.shared.console.i18n import translations
from api.staff import People
from domain.funds.performance import Period
from domain.shared.errors import NotFound
from domain.shared.vocab import FundType, RiskRating
from domain.staff import Role
from projections.funds.views import FundsView
from projections.shared.paging import paged

router = APIRouter(include_in_schema=False)
Readers = Annotated[
    Desk,
    Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE, reads=(FundsView,))),
]
Choice = Annotated[str | None, Query(max_length=32)]
PAGE = 25
# The chart's ranges, as a person picks them: days back from the latest NAV (None: all).
RANGES = {"1m": 31, "3m": 92, "6m": 183, "1y": 366, "3y": 1096, "all": None}


def _words(desk: Desk) -> dict[str, str]:
    """The chart's words in the reader's language."""
    messages = translations(desk.locale)
    return {english: messages.gettext(english) for english in NAV_WORDS}


@router.get("/funds")
def catalogue(
    desk: Readers,
    q: Annotated[str | None, Query(max_length=100)] = None,
    type: Choice = None,
    max_risk: Choice = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The catalogue by code, filtered by type, up to a risk rating, or by name or code."""
    chosen = {
        "q": (q or "").strip() or None,
        "type": one_of(type, tuple(FundType), "type"),
        "max_risk": one_of(max_risk, tuple(RiskRating), "max_risk"),
    }
    rows = desk.engine.view(FundsView).search(
        desk.engine.db, fund_type=chosen["type"], max_risk=chosen["max_risk"], q=chosen["q"]
    )
    items, next_cursor = paged(rows, lambda r: (r["code"],), PAGE, cursor or None)
    name = "funds/_rows.html" if desk.request.headers.get("hx-request") else "funds/list.html"
    return desk.page(
        name,
        rows=items,
        next_cursor=next_cursor,
        chosen={k: v for k, v in chosen.items() if v},
        types=list(FundType),
        ratings=list(RiskRating),
    )


@router.get("/funds/rankings")
def rankings(desk: Readers, period: Choice = None, type: Choice = None) -> Response:
    """Funds ranked by return over a period, within a type when one is chosen."""
    chosen_period = Period(one_of(period, tuple(Period), "period") or Period.YEAR)
    fund_type = one_of(type, tuple(FundType), "type")
    rows = desk.engine.view(FundsView).rankings(desk.engine.db, chosen_period, fund_type, 100)
    return desk.page(
        "funds/rankings.html",
        rows=rows,
        period=chosen_period.value,
        type=fund_type,
        periods=list(Period),
        types=list(FundType),
    )


@router.get("/funds/{code}")
def fund_page(desk: Readers, code: FundCode, range: Choice = None) -> Response:
    """A fund: its facts, both ratings with their history, and the NAV over a range."""
    engine = desk.engine
    fund = engine.view(FundsView).get(engine.db, code)
    if fund is None:
        raise NotFound(f"fund {code} not found")
    chosen = one_of(range, tuple(RANGES), "range") or "1y"
    latest = fund["latest_nav"]
    days = RANGES[chosen]
    start = None
    if latest is not None and days is not None:
        start = date.fromisoformat(str(latest["date"])) - timedelta(days=days)
    series = engine.view(FundsView).series(engine.db, code, start, None)
    points = [
        (date.fromisoformat(r["nav_date"]), Decimal(r["unit_nav"]), Decimal(r["accumulated_nav"]))
        for r in series
    ]
    people = People.of(engine)
    return desk.page(
        "funds/page.html",
        fund=fund,
        risk_history=people.named(fund["risk_rating_history"], "changed_by"),
        house_history=people.named(fund["house_rating_history"], "changed_by"),
        # Our own SVG (every text in it escaped by the chart): safe to embed as it is.
        chart=Markup(  # noqa: S704
            nav_chart(f"{fund['code']} {fund['name']}", points, 900, 380, words=_words(desk))
        ),
        points=list(reversed(series)),
        range=chosen,
        ranges=list(RANGES),
    )
