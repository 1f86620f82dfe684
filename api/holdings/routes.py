"""Holdings routes: the back office's daily position file, a client's holdings and AUM,
AUM by branch or tier."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from api.clients import ClientId
from api.holdings.deps import ValuationDep, aum_svg, business_day
from api.holdings.schemas import (
    AumByGroup,
    AumGroup,
    AumPoint,
    AumSeries,
    HoldingPublic,
    HoldingsPublic,
)
from api.shared.deps import ContextDep, CurrentUser, EngineDep, NowDep, branch_scope, fresh, roles
from api.shared.schemas import Cursor, FromDay, ImportPublic, ImportReport, Limit, Page, ToDay
from api.shared.uploads import import_runs, uploaded_text
from api.staff import PeopleDep
from application.holdings import HoldingsCommands
from domain.shared.calendar import days_before
from domain.shared.errors import InvalidField
from domain.shared.imports import ImportKind
from domain.staff import Role
from projections.holdings import VALUED_FROM
from projections.holdings.valuation import total_of
from projections.shared.imports import ImportsView

router = APIRouter(prefix="/api/v1", tags=["holdings"])
BACK_OFFICE = Depends(roles(Role.ADMIN))
READERS = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE))
FRESH = Depends(fresh(*VALUED_FROM))
AsOfDay = Annotated[date | None, Query(description="the end of this day (default: today)")]
LONGEST = timedelta(days=3700)  # the longest AUM series one request asks for: ten years


@router.post("/holdings/import", dependencies=[BACK_OFFICE])
async def import_positions(file: UploadFile, engine: EngineDep, ctx: ContextDep) -> ImportReport:
    """Import the back office's daily position file, a CSV of
    ``client_id,fund_code,date,units`` (up to the upload limit): the rows of one client and
    date are that client's whole positions at the end of that day, a fund at 0 units sold
    out. Every row is checked first and any bad row (reported with its line number) imports
    nothing. The rows are then saved in batches; an import cut short shows at
    ``GET /api/v1/holdings/imports`` how far it got, and importing the same file again
    finishes it (days already recorded as given record nothing)."""
    text = await uploaded_text(file)
    report = await run_in_threadpool(
        engine.handler(HoldingsCommands).import_positions, ctx, text, file.filename or ""
    )
    return ImportReport(**asdict(report))


@router.get("/holdings/imports", dependencies=[BACK_OFFICE, Depends(fresh(ImportsView))])
def position_imports(
    engine: EngineDep, now: NowDep, people: PeopleDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[ImportPublic]:
    """Position file imports, the latest first: who started each, how far it got, and
    whether it completed, is running, or was interrupted (import the same file again)."""
    return import_runs(engine, ImportKind.HOLDINGS, now, people, (limit, cursor))


@router.get("/clients/{client_id}/holdings", dependencies=[READERS, FRESH])
def holdings(
    client_id: ClientId, engine: EngineDep, valuation: ValuationDep, as_of: AsOfDay = None
) -> HoldingsPublic:
    """The client's positions at the end of a day (the latest reported on or before it),
    each valued at its fund's latest unit NAV on or before that day."""
    day = as_of or business_day(engine)
    reported, items = valuation.holdings_on(client_id, day)
    return HoldingsPublic(
        client_id=client_id,
        as_of=day,
        reported_on=reported,
        items=[HoldingPublic.model_validate(asdict(h)) for h in items],
        total=total_of(items),
    )


def _range(engine: EngineDep, start: FromDay = None, end: ToDay = None) -> tuple[date, date]:
    """A series' days: a year back to today unless given; at most ten years."""
    last = end or business_day(engine)
    first = start or days_before(last, 365)
    if first > last:
        raise InvalidField("from", "must not be after 'to'")
    if last - first > LONGEST:
        raise InvalidField("from", "a series spans ten years at most")
    return first, last


Range = Annotated[tuple[date, date], Depends(_range)]


@router.get("/clients/{client_id}/aum", dependencies=[READERS, FRESH])
def aum(client_id: ClientId, valuation: ValuationDep, days: Range) -> AumSeries:
    """The client's assets under management day by day (each day its positions or a held
    fund's NAV changed), from ``from`` (default: a year back) to ``to`` (default: today)."""
    points = valuation.series(client_id, *days)
    return AumSeries(client_id=client_id, points=[AumPoint(date=d, aum=v) for d, v in points])


@router.get(
    "/clients/{client_id}/aum.svg",
    dependencies=[READERS, FRESH],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def aum_chart(
    client_id: ClientId,
    valuation: ValuationDep,
    days: Range,
    width: Annotated[int, Query(ge=400, le=2000, description="in pixels")] = 800,
    height: Annotated[int, Query(ge=240, le=1200, description="in pixels")] = 320,
) -> Response:
    """The client's AUM over the range, as SVG."""
    return Response(
        aum_svg(valuation.series(client_id, *days), (width, height)), media_type="image/svg+xml"
    )


@router.get("/aum", dependencies=[READERS, FRESH])
def aum_by_group(
    engine: EngineDep,
    valuation: ValuationDep,
    user: CurrentUser,
    group_by: Annotated[Literal["branch", "tier"], Query(description="sum by this")] = "branch",
    on: Annotated[date | None, Query(alias="date", description="default: today")] = None,
) -> AumByGroup:
    """AUM at the end of a day by branch or by tier, with the clients holding anything in
    each; an advisor sees their own branch's."""
    day = on or business_day(engine)
    groups = valuation.by_group(day, group_by, branch_scope(user))
    return AumByGroup(
        date=day,
        group_by=group_by,
        items=[AumGroup.model_validate(g) for g in groups],
        total=sum((g["aum"] for g in groups), start=Decimal(0)),
    )
