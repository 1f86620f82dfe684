"""The console's communication plans: every client due for contact (an advisor's branch's,
or the clients they last contacted), the longest overdue first."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.clients.contacts import due_rows
from api.holdings import business_day
from api.shared.console.desk import Desk, staff
from api.shared.deps import branch_scope
from domain.staff import Role
from projections.clients.contacts import ContactsView
from projections.clients.views import ClientsView

router = APIRouter(include_in_schema=False)
Planners = Annotated[
    Desk,
    Depends(staff(Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE, reads=(ContactsView, ClientsView))),
]
PAGE = 50
HORIZONS = (0, 7, 30, 90)  # days ahead: overdue only, a week, a month, a quarter


@router.get("/contacts")
def contacts(
    desk: Planners,
    branch: Annotated[str | None, Query(max_length=32)] = None,
    mine: bool = False,
    ahead: Annotated[int, Query(ge=0, le=366)] = 7,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Clients due for contact within ``ahead`` days (0: overdue only)."""
    engine = desk.engine
    policy = engine.settings.coverage_policy.contacts
    today = business_day(engine)
    shown = branch_scope(desk.me) or branch or None
    before = today + timedelta(days=ahead) if ahead else today - timedelta(days=1)
    rows, next_cursor = engine.view(ContactsView).due(
        engine.db, policy, before, shown, desk.me.user_id if mine else None, PAGE, cursor
    )
    return desk.page(
        "clients/contacts.html",
        rows=due_rows(engine, rows, today),
        next_cursor=next_cursor,
        branch=shown,
        branches=[] if branch_scope(desk.me) else engine.view(ClientsView).branches(engine.db),
        mine=mine,
        ahead=ahead,
        horizons=HORIZONS,
        cadence={tier: policy.cadence(tier) for tier in policy.every_days},
    )
