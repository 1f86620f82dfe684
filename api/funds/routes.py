"""Fund supermarket routes (DOMAIN.md §3)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from api.compliance import AggregateAsOf, AsOf, aggregate_as_of
from api.funds.schemas import (
    FundCode,
    FundCreate,
    FundPublic,
    FundSummary,
    HouseRatingChange,
    NavCreate,
    NavPointPublic,
    RankingEntry,
    RiskRatingChange,
)
from api.shared.charts import nav_chart
from api.shared.deps import ContextDep, EngineDep, IdempotencyDep, NowDep, fresh, roles
from api.shared.schemas import (
    Cursor,
    FromDay,
    ImportPublic,
    ImportReport,
    Limit,
    Page,
    ToDay,
    WriteResult,
)
from api.shared.uploads import import_runs, uploaded_text
from api.staff import PeopleDep
from application.funds.commands import FundCommands
from domain.funds.fund import Fund
from domain.funds.performance import Period
from domain.shared.errors import NotFound
from domain.shared.imports import ImportKind
from domain.shared.vocab import FundType, RiskRating
from domain.staff import Role
from projections.funds.views import FundsView
from projections.shared.imports import ImportsView
from projections.shared.paging import paged

router = APIRouter(prefix="/api/v1/funds", tags=["funds"])
CATALOGUE = Depends(roles(Role.ADMIN))
RATERS = Depends(roles(Role.ADMIN, Role.COMPLIANCE))
READERS = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE))
FRESH = Depends(fresh(FundsView))
Code = Annotated[FundCode, "a 6-digit fund code"]


@router.post("", status_code=201, dependencies=[CATALOGUE])
def list_fund(
    body: FundCreate, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep, response: Response
) -> WriteResult:
    """Add a fund to the catalogue; a second fund with the same code is a 409."""
    result = engine.handler(FundCommands).list_fund(
        ctx,
        code=body.code,
        name=body.name,
        fund_type=body.type,
        manager=body.manager,
        inception_date=body.inception_date,
        risk_rating=body.risk_rating,
        horizon=body.horizon,
        variety=body.variety,
        idem=idem,
    )
    response.headers["Location"] = f"/api/v1/funds/{body.code}"
    return WriteResult.of(result)


@router.post("/nav/import", dependencies=[CATALOGUE])
async def import_navs(file: UploadFile, engine: EngineDep, ctx: ContextDep) -> ImportReport:
    """Import a CSV of ``code,date,unit_nav,accumulated_nav`` (up to the upload limit, 50 MiB
    by default): every row is checked first and any bad row (reported with its line number)
    imports nothing. The rows are then saved in batches; an import cut short shows at
    ``GET /api/v1/funds/nav/imports`` how far it got, and importing the same file again
    finishes it."""
    text = await uploaded_text(file)
    report = await run_in_threadpool(
        engine.handler(FundCommands).import_navs, ctx, text, file.filename or ""
    )
    return ImportReport(**asdict(report))


@router.get("/nav/imports", dependencies=[CATALOGUE, Depends(fresh(ImportsView))])
def nav_imports(
    engine: EngineDep, now: NowDep, people: PeopleDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[ImportPublic]:
    """NAV file imports, the latest first: who started each, how far it got, and whether it
    completed, is running, or was interrupted (no progress for a minute: import the same
    file again to finish it)."""
    return import_runs(engine, ImportKind.NAV, now, people, (limit, cursor))


@router.get("", dependencies=[READERS, FRESH])
def list_funds(
    engine: EngineDep,
    type: Annotated[FundType | None, Query(description="funds of this type")] = None,
    max_risk: Annotated[
        RiskRating | None, Query(description="funds rated at most this (R1 lowest)")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="a fragment of the name or code")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[FundSummary]:
    """The catalogue by code, filtered by type, up to a risk rating, or by name or code
    fragment."""
    rows = engine.view(FundsView).search(
        engine.db,
        fund_type=type.value if type else None,
        max_risk=max_risk.value if max_risk else None,
        q=q,
    )
    items, next_cursor = paged(rows, lambda r: (r["code"],), limit, cursor)
    return Page(items=[FundSummary.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/rankings", dependencies=[READERS, FRESH])
def rankings(
    engine: EngineDep,
    period: Annotated[Period, Query(description="the return's period")] = Period.YEAR,
    type: Annotated[FundType | None, Query(description="rank within this type")] = None,
    by: Annotated[
        Literal["unit_nav", "accumulated_nav"] | None,
        Query(description="rank by the latest NAV of this kind instead of the return"),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RankingEntry]:
    """Funds ranked by return over a period (from accumulated NAV), within a type when
    one is given; or, with ``by``, by their latest NAV. Funds without the period's history
    are left out."""
    fund_type = type.value if type else None
    everyone = 1_000_000  # a ranking is of every fund; the page is cut from it
    if by is not None:
        rows = engine.view(FundsView).latest_ranking(engine.db, by, fund_type, everyone)
    else:
        rows = engine.view(FundsView).rankings(engine.db, period, fund_type, everyone)
    items, next_cursor = paged(rows, lambda r: (r["rank"],), limit, cursor)
    return Page(items=[RankingEntry.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/{code}", dependencies=[READERS, FRESH])
def get_fund(
    code: Code, engine: EngineDep, people: PeopleDep, response: Response, as_of: AsOf = None
) -> FundPublic | AggregateAsOf:
    """One fund: latest NAV and the histories of both ratings."""
    if as_of is not None:
        return aggregate_as_of(engine, Fund, str(code), as_of)
    row = engine.view(FundsView).get(engine.db, code)
    if row is None:
        raise NotFound(f"fund {code} not found")
    response.headers["ETag"] = f'"{row["version"]}"'
    histories = ("risk_rating_history", "house_rating_history")
    return FundPublic.model_validate(
        {**row, **{h: people.named(row[h], "changed_by") for h in histories}}
    )


@router.post("/{code}/risk-rating", dependencies=[RATERS])
def rate_risk(
    code: Code, body: RiskRatingChange, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Change the product risk rating (R1 to R5), with the reason."""
    return WriteResult.of(
        engine.handler(FundCommands).rate_risk(ctx, code, body.rating, body.reason, idem)
    )


@router.post("/{code}/house-rating", dependencies=[RATERS])
def rate_house(
    code: Code, body: HouseRatingChange, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Change the house rating (1 to 5 stars), with the reason."""
    return WriteResult.of(
        engine.handler(FundCommands).rate_house(ctx, code, body.stars, body.reason, idem)
    )


@router.post("/{code}/nav", status_code=201, dependencies=[CATALOGUE])
def publish_nav(
    code: Code, body: NavCreate, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Record one daily NAV; a different value for a known date is recorded as a correction."""
    return WriteResult(
        **asdict(
            engine.handler(FundCommands).publish_nav(
                ctx,
                code,
                body.date,
                body.unit_nav,
                body.accumulated_nav,
                idem,
            )
        )
    )


@router.get("/{code}/nav", dependencies=[READERS, FRESH])
def nav_series(
    code: Code,
    engine: EngineDep,
    start: FromDay = None,
    end: ToDay = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="the most points a page holds")] = 500,
    cursor: Cursor = None,
) -> Page[NavPointPublic]:
    """The NAV series between two dates (inclusive), oldest first."""
    if engine.view(FundsView).get(engine.db, code) is None:
        raise NotFound(f"fund {code} not found")
    rows = engine.view(FundsView).series(engine.db, code, start, end)
    items, next_cursor = paged(rows, lambda r: (r["nav_date"],), limit, cursor)
    return Page(
        items=[
            NavPointPublic(
                date=r["nav_date"],
                unit_nav=r["unit_nav"],
                accumulated_nav=r["accumulated_nav"],
                corrected=bool(r["corrected"]),
            )
            for r in items
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/{code}/chart.svg",
    dependencies=[READERS, FRESH],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def nav_chart_svg(
    code: Code,
    engine: EngineDep,
    start: FromDay = None,
    end: ToDay = None,
    width: Annotated[int, Query(ge=400, le=2000, description="in pixels")] = 800,
    height: Annotated[int, Query(ge=240, le=1200, description="in pixels")] = 400,
) -> Response:
    """A trend chart of unit and accumulated NAV over the range, as SVG."""
    fund = engine.view(FundsView).get(engine.db, code)
    if fund is None:
        raise NotFound(f"fund {code} not found")
    rows = engine.view(FundsView).series(engine.db, code, start, end)
    points = [
        (date.fromisoformat(r["nav_date"]), Decimal(r["unit_nav"]), Decimal(r["accumulated_nav"]))
        for r in rows
    ]
    svg = nav_chart(f"{fund['code']} {fund['name']}", points, width, height)
    return Response(svg, media_type="image/svg+xml")
