"""The compliance officer's desk on the console: the override register (with its CSV),
each decision's replay page (purchases, AVL decisions, CQP milestone passes), and the
review flags from rating rises."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from api.compliance.history import shown
from api.shared.console.desk import Desk, staff
from api.shared.console.exports import csv_file
from api.staff import People
from application.compliance.replay import CommandReplay, DecisionReplay
from domain.cqp import Milestone
from domain.shared.errors import InvalidField
from domain.staff import Role
from projections.clients import ClientsView
from projections.suitability import PurchasesView, ReviewsView

router = APIRouter(include_in_schema=False)
READS = (PurchasesView, ReviewsView, ClientsView)
Auditors = Annotated[Desk, Depends(staff(Role.ADMIN, Role.COMPLIANCE, reads=READS))]
Text = Annotated[str | None, Query(max_length=32)]
Day = Annotated[date | None, Query()]
PAGE = 50
EXPORT_LIMIT = 100_000  # rows one CSV holds at most


def _overrides(
    desk: Desk,
    start: date | None,
    end: date | None,
    branch: str | None,
    fund: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None, dict[str, Any]]:
    """The register's rows for the chosen local days (``to`` inclusive), with names."""
    if start and end and end < start:
        raise InvalidField("to", "must not be before from")
    f = desk.formats
    rows, next_cursor = desk.engine.view(PurchasesView).overrides(
        desk.engine.db,
        start=f.midnight(start) if start else None,
        end=f.midnight(end + timedelta(days=1)) - timedelta(microseconds=1) if end else None,
        branch=branch or None,
        fund=fund or None,
        limit=limit,
        cursor=cursor,
    )
    names = desk.engine.view(ClientsView).names(desk.engine.db, [r["client_id"] for r in rows])
    rows = [
        {**r, "client_name": names.get(r["client_id"], "")}
        for r in People.of(desk.engine).named(rows, "confirmed_by")
    ]
    chosen = {"from": start, "to": end, "branch": branch, "fund": fund}
    return rows, next_cursor, {k: v for k, v in chosen.items() if v}


@router.get("/compliance/overrides")
def overrides(
    desk: Auditors,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    branch: Text = None,
    fund: Text = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every confirmed warning: who confirmed it, how and when; filtered and paged."""
    rows, next_cursor, chosen = _overrides(desk, start, end, branch, fund, PAGE, cursor)
    return desk.page("compliance/overrides.html", rows=rows, next_cursor=next_cursor, chosen=chosen)


@router.get("/compliance/overrides.csv")
def overrides_csv(
    desk: Auditors,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    branch: Text = None,
    fund: Text = None,
) -> Response:
    """The register as filtered, as CSV (UTF-8 with BOM), times in the reader's zone."""
    rows, _, _ = _overrides(desk, start, end, branch, fund, EXPORT_LIMIT, None)
    f = desk.formats
    return csv_file(
        "overrides",
        [
            "confirmed_at",
            "client",
            "branch",
            "client_level",
            "fund",
            "fund_rating",
            "mismatches",
            "channel",
            "confirmed_by",
            "warning_text",
            "purchase_id",
        ],
        (
            [
                f.local_input(r["confirmed_at"]).replace("T", " "),
                r["client_name"],
                r["branch"],
                r["client_level"],
                r["fund_code"],
                r["fund_rating"],
                "; ".join(f"{m['dimension']} {m['client']}/{m['fund']}" for m in r["mismatches"]),
                r["channel"],
                r["confirmed_by"],
                r["warning_text"],
                r["id"],
            ]
            for r in rows
        ),
    )


@router.get("/compliance/purchases/{purchase_id}/replay")
def purchase_replay(desk: Auditors, purchase_id: UUID) -> Response:
    """The decision replayed from the store: inputs at their recorded versions, recorded,
    recomputed and today's verdicts side by side."""
    report = desk.engine.handler(DecisionReplay).purchase(purchase_id)
    return desk.page(
        "compliance/replay_purchase.html",
        purchase_id=purchase_id,
        report=report,
        timeline=shown(People.of(desk.engine), report.timeline),
    )


@router.get("/compliance/suppliers/{supplier_id}/avl/{category}/replay")
def avl_replay(
    desk: Auditors, supplier_id: UUID, category: Annotated[str, Path(max_length=64)]
) -> Response:
    """The latest AVL decision on a category, re-executed on the supplier as it stood."""
    report = desk.engine.handler(DecisionReplay).avl(supplier_id, category)
    return _command_replay(desk, report, "avl", f"{category}")


@router.get("/compliance/cqp-plans/{plan_id}/milestones/{code}/replay")
def milestone_replay(desk: Auditors, plan_id: UUID, code: Milestone) -> Response:
    """A milestone's pass, re-executed on the plan as it stood."""
    report = desk.engine.handler(DecisionReplay).milestone(plan_id, code)
    return _command_replay(desk, report, "milestone", code.value)


def _command_replay(desk: Desk, report: CommandReplay, kind: str, subject: str) -> Response:
    return desk.page(
        "compliance/replay_command.html",
        report=report,
        kind=kind,
        subject=subject,
        timeline=shown(People.of(desk.engine), report.timeline),
    )


@router.get("/compliance/reviews")
def reviews(desk: Auditors) -> Response:
    """Clients holding a fund rated above their level (its rating rose, or their level
    fell), latest first."""
    engine = desk.engine
    flags = engine.view(ReviewsView).all(engine.db)
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in flags])
    return desk.page(
        "compliance/reviews.html",
        rows=[{**r, "client_name": names.get(r["client_id"], "")} for r in reversed(flags)],
    )
