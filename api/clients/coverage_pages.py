"""The console's coverage: a client's segments, churn score and tier suggestion on their
page; the advisor's lists (clients at risk, tier suggestions) on the day's page; and the
branch dashboard (AUM by tier, segments, clients at risk by branch)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from markupsafe import Markup

from api.clients.contacts import plan_of
from api.clients.coverage import feedback_groups, reader
from api.holdings import business_day, valuation
from api.shared.charts import Axes, Line, line_chart
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import one_of
from api.shared.console.i18n import translations
from api.shared.deps import branch_scope
from domain.shared.calendar import days_before
from domain.shared.errors import NotFound
from domain.staff import Role
from projections.clients.contacts import ContactsView, share_on_time
from projections.clients.coverage import CoverageView
from projections.clients.views import ClientsView
from projections.holdings import VALUED_FROM

router = APIRouter(include_in_schema=False)
Dashboard = Annotated[
    Desk,
    Depends(
        staff(
            Role.ADMIN,
            Role.ADVISOR,
            Role.COMPLIANCE,
            reads=(ClientsView, CoverageView, ContactsView, *VALUED_FROM),
        )
    ),
]
SHOWN = 20
PAGE = 50
CHURN_RISK = "churn_risk"
YEAR = timedelta(days=365)  # the dashboard's contact-plan adherence: the last year's contacts


def at_risk(desk: Desk, branch: str | None) -> list[dict[str, Any]]:
    """The branch's clients in the churn-risk segment, the highest score first, with the
    reasons recorded when the segment job last found them there."""
    engine = desk.engine
    rows, _ = engine.view(CoverageView).members(engine.db, CHURN_RISK, branch, 500, None)
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    shown = [
        {
            "client_id": r["client_id"],
            "client_name": names.get(r["client_id"], ""),
            "score": int(r["facts"].get("churn_score", "0")),
            "reasons": json.loads(r["facts"].get("churn_reasons", "[]")),
        }
        for r in rows
    ]
    return sorted(shown, key=lambda r: (-r["score"], r["client_name"]))[:SHOWN]


def suggestions(desk: Desk, branch: str | None) -> list[dict[str, Any]]:
    engine = desk.engine
    rows = engine.view(CoverageView).suggestions(engine.db, branch)[:SHOWN]
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    return [{**r, "client_name": names.get(r["client_id"], "")} for r in rows]


def client_coverage(desk: Desk, client_id: UUID) -> dict[str, Any]:
    """A client's segments, their churn score now with its reasons, and any pending tier
    suggestion."""
    engine = desk.engine
    policy = engine.settings.coverage_policy
    found = reader(engine).assess(
        business_day(engine), engine.clock(), policy, client_id=str(client_id)
    )
    now = found[0] if found else None

    return {
        "segments": engine.view(CoverageView).of_client(engine.db, str(client_id)),
        "churn": now.churn if now else None,
        "threshold": policy.churn.threshold,
        "suggestion": engine.view(CoverageView).suggestion_of(engine.db, str(client_id)),
        "plan": plan_of(engine, client_id),
    }


@router.get("/dashboard")
def dashboard(desk: Dashboard) -> Response:
    """The branch dashboard: AUM by tier, segment counts and clients at risk, by branch
    (an advisor's own branch; admin and compliance every branch)."""
    engine = desk.engine
    branch = branch_scope(desk.me)
    today = business_day(engine)
    tiers = valuation(engine).by_branch_and_tier(today, branch)
    branches = [branch] if branch else engine.view(ClientsView).branches(engine.db)
    counts = engine.view(ClientsView).count_by_branch(engine.db)
    segments = engine.view(CoverageView).counts_by_branch(engine.db, branch)
    plans = engine.view(ContactsView).adherence(
        engine.db, engine.settings.coverage_policy.contacts, today - YEAR, today, branch
    )
    nothing = {"on_time": 0, "late": 0, "overdue": 0}
    rows = [
        {
            "branch": code,
            "clients": counts.get(code, 0),
            "aum": sum((t["aum"] for t in tiers.get(code, [])), start=Decimal(0)),
            "tiers": tiers.get(code, []),
            "segments": segments.get(code, {}),
            "contacts": plans.get(code, nothing),
            "on_time": share_on_time(plans.get(code, nothing)),
        }
        for code in branches
    ]
    return desk.page(
        "clients/dashboard.html",
        rows=rows,
        day=today,
        segments=[s.name for s in engine.settings.coverage_policy.segments],
    )


@router.get("/dashboard/segments/{name}")
def segment(
    desk: Dashboard,
    name: Annotated[str, Path(max_length=40)],
    branch: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """A segment's members (an advisor's branch's), the longest in it first."""
    engine = desk.engine
    if name not in {s.name for s in engine.settings.coverage_policy.segments}:
        raise NotFound(f"segment {name} not found")
    shown = branch_scope(desk.me) or branch
    rows, next_cursor = engine.view(CoverageView).members(engine.db, name, shown, PAGE, cursor)
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    return desk.page(
        "clients/segment.html",
        segment=name,
        branch=shown,
        rows=[{**r, "client_name": names.get(r["client_id"], "")} for r in rows],
        next_cursor=next_cursor,
    )


FEEDBACK_WORDS = ("Mean rating", "Mean rating by month", "No feedback in this period", "Month")
FEEDBACK_GROUPINGS = ("topic", "branch", "month")


@router.get("/feedback")
def feedback(
    desk: Dashboard,
    group_by: Annotated[str | None, Query(max_length=16)] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """Feedback analysis: count, mean rating and share of low ratings by topic, branch or
    month over a period (the last year by default), with the monthly trend of the mean."""
    engine = desk.engine
    chosen = one_of(group_by, FEEDBACK_GROUPINGS, "group_by") or "topic"
    last = end or business_day(engine)
    first = start or days_before(last, 364)
    branch = branch_scope(desk.me)
    rows = feedback_groups(engine, chosen, (first, last), branch)
    months = feedback_groups(engine, "month", (first, last), branch)
    messages = translations(desk.locale)
    words = {english: messages.gettext(english) for english in FEEDBACK_WORDS}
    line = Line(
        "mean", "Mean rating", "#1f5fa8", 1.8, tuple(Decimal(str(m.mean_rating)) for m in months)
    )
    days = [date.fromisoformat(f"{m.group}-01") for m in months]
    axes = Axes("Mean rating", "No feedback in this period", 1)
    chart = line_chart(words["Mean rating by month"], days, [line], axes, (900, 300), words)
    return desk.page(
        "clients/feedback.html",
        rows=rows,
        group_by=chosen,
        groupings=FEEDBACK_GROUPINGS,
        start=first,
        end=last,
        # Our own SVG (every text in it escaped by the chart): safe to embed as it is.
        chart=Markup(chart),  # noqa: S704
    )
