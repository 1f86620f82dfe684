"""The advisor's day: their unread notifications, clients due for contact by their
communication plan, clients whose assessment is due for review or expired, purchases
waiting for the client's confirmation (with the time left), review flags, clients at risk
of leaving with the reasons, tier suggestions to settle, and the open or breached tickets
of the branch's clients."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.clients.contacts import due_rows
from api.clients.coverage_pages import at_risk, suggestions
from api.holdings import business_day
from api.shared.console.desk import Desk, staff
from api.shared.deps import branch_scope
from domain.staff import Role
from projections.clients.contacts import ContactsView
from projections.clients.coverage import CoverageView
from projections.clients.views import ClientsView, risk_status
from projections.service_desk import TicketsView
from projections.suitability import PurchasesView, ReviewsView

router = APIRouter(include_in_schema=False)
Advisors = Annotated[
    Desk,
    Depends(
        staff(
            Role.ADMIN,
            Role.ADVISOR,
            reads=(
                ClientsView,
                CoverageView,
                ContactsView,
                PurchasesView,
                ReviewsView,
                TicketsView,
            ),
        )
    ),
]
SHOWN = 20


@router.get("/today")
def today(desk: Advisors) -> Response:
    engine, now = desk.engine, desk.engine.clock()
    branch = branch_scope(desk.me)
    due, _ = engine.view(ClientsView).search(
        engine.db, branch=branch, risk="attention", now=now, limit=SHOWN
    )
    waiting = engine.view(PurchasesView).waiting(engine.db, branch, now, SHOWN)
    tickets, _ = engine.view(TicketsView).queue(
        engine.db, {"branch": branch, "open": True}, "due", SHOWN, None, now
    )
    names = engine.view(ClientsView).names(
        engine.db, [p["client_id"] for p in waiting] + [t["client_id"] or "" for t in tickets]
    )
    return desk.page(
        "clients/today.html",
        contacts=_contacts(desk, branch),
        due=[{**c, "risk_status": risk_status(c["risk"], now)} for c in due],
        waiting=[_left(p, names, now) for p in waiting],
        flags=_flags(desk, branch),
        at_risk=at_risk(desk, branch),
        suggestions=suggestions(desk, branch),
        tickets=[
            {
                **t,
                "client_name": names.get(t["client_id"] or "", ""),
                "breached": bool(t["breach_at"]) and t["breach_at"] <= now.isoformat(),
            }
            for t in tickets
        ],
    )


def _left(purchase: dict[str, Any], names: dict[str, str], now: datetime) -> dict[str, Any]:
    left = (datetime.fromisoformat(purchase["confirm_by"]) - now).total_seconds()
    return {**purchase, "client_name": names.get(purchase["client_id"], ""), "left": left}


def _flags(desk: Desk, branch: str | None) -> list[dict[str, Any]]:
    """Review flags of the branch's clients, latest first (rating rises are rare)."""
    engine = desk.engine
    flags = engine.view(ReviewsView).all(engine.db)
    ids = [f["client_id"] for f in flags]
    branches = engine.view(ClientsView).branches_of(engine.db, ids)
    names = engine.view(ClientsView).names(engine.db, ids)
    mine = [f for f in reversed(flags) if branch in (None, branches.get(f["client_id"]))]
    return [{**f, "client_name": names.get(f["client_id"], "")} for f in mine[:SHOWN]]


def _contacts(desk: Desk, branch: str | None) -> list[dict[str, Any]]:
    """Clients due for contact within the notice period, the longest overdue first."""
    engine = desk.engine
    policy = engine.settings.coverage_policy.contacts
    today = business_day(engine)
    rows, _ = engine.view(ContactsView).due(
        engine.db, policy, today + timedelta(days=policy.notice_days), branch, None, SHOWN, None
    )
    return due_rows(engine, rows, today)
