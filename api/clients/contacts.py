"""Communication plans (沟通计划): the clients due for contact by their tier's cadence, the
scheduler job recording each contact due and overdue once, and the plan's adherence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query

from api.clients.coverage import READERS, Branch, scoped
from api.clients.coverage_schemas import ContactAdherence, ContactDue
from api.engine import Engine
from api.holdings import business_day
from api.shared.context import Job
from api.shared.deps import CurrentUser, EngineDep, fresh
from api.shared.jobs import BATCH, each
from api.shared.schemas import Cursor, Limit, Page
from api.staff import People
from application.clients.coverage import CoverageCommands
from domain.shared.base import Context
from projections.clients.contacts import ContactsView, share_on_time
from projections.clients.views import ClientsView

router = APIRouter(prefix="/api/v1", tags=["coverage"])
FRESH = Depends(fresh(ContactsView, ClientsView))


def contacts_job(engine: Engine, ctx: Context) -> int:
    """Record each client's contact falling due (the notice period before the day) and
    overdue (the day after), by the tier's cadence, once per due day."""
    policy = engine.settings.coverage_policy.contacts
    today = ctx.at.astimezone(ZoneInfo(engine.settings.time_zone)).date()
    found = dict(engine.view(ContactsView).to_flag(engine.db, policy, today, BATCH))
    commands = engine.handler(CoverageCommands)
    return each(
        ctx,
        [UUID(c) for c in found],
        lambda run, client_id: [
            commands.flag_contact(run, client_id, found[str(client_id)], today)
        ],
    )


CONTACTS_JOB = Job("contacts", contacts_job)


def due_rows(engine: Engine, rows: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Rows of the plan as people read them: the due day and state, the client's name and
    who made the last contact."""
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    shown = []
    for row in People.of(engine).named(rows, "last_contact_by"):
        due = date.fromordinal(row["due"])
        shown.append(
            {
                **row,
                "client_name": names.get(row["client_id"]),
                "due_on": due,
                "state": "overdue" if due < today else "due",
                "days_overdue": max((today - due).days, 0),
            }
        )
    return shown


def plan_of(engine: Engine, client_id: UUID) -> dict[str, Any] | None:
    """A client's communication plan: the tier's cadence, the last contact, the next one
    due and whether it is (over)due (None for an erased client)."""
    policy = engine.settings.coverage_policy.contacts
    row = engine.view(ContactsView).plan_of(engine.db, str(client_id))
    if row is None:
        return None
    today = business_day(engine)
    due = policy.due_on(date.fromordinal(row["since_day"]), row["tier"])
    [shown] = due_rows(engine, [{**row, "due": due.toordinal()}], today)
    return {
        **shown,
        "every_days": policy.cadence(row["tier"]),
        "state": policy.stage(due, today) or "on_plan",
    }


@router.get("/contacts/due", dependencies=[READERS, FRESH])
def contacts_due(
    engine: EngineDep,
    user: CurrentUser,
    branch: Branch = None,
    advisor: Annotated[
        str | None,
        Query(
            max_length=64,
            description="clients last contacted by this advisor (``me``, a username or an id)",
        ),
    ] = None,
    before: Annotated[
        date | None,
        Query(description="due on or before this day (default: within the notice period)"),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ContactDue]:
    """Clients due or overdue for contact by their tier's cadence, the longest overdue
    first, with the due day; logging an interaction satisfies it (an advisor sees their
    branch)."""
    policy = engine.settings.coverage_policy.contacts
    today = business_day(engine)
    until = before or today + timedelta(days=policy.notice_days)
    who = None
    if advisor is not None:
        who = (
            str(user.user_id)
            if advisor == "me"
            else People.of(engine).id_of(advisor, "query.advisor")
        )
    rows, next_cursor = engine.view(ContactsView).due(
        engine.db, policy, until, scoped(user, branch), who, limit, cursor
    )
    return Page(
        items=[ContactDue.model_validate(r) for r in due_rows(engine, rows, today)],
        next_cursor=next_cursor,
    )


@router.get("/contacts/adherence", dependencies=[READERS, FRESH])
def adherence(
    engine: EngineDep,
    user: CurrentUser,
    branch: Branch = None,
    days: Annotated[
        int, Query(ge=1, le=3660, description="contacts made in this many days up to today")
    ] = 365,
) -> list[ContactAdherence]:
    """Per branch: the share of contacts made on time (by the tier's cadence), the
    clients overdue now counted as late."""
    today = business_day(engine)
    found = engine.view(ContactsView).adherence(
        engine.db,
        engine.settings.coverage_policy.contacts,
        today - timedelta(days=days),
        today,
        scoped(user, branch),
    )
    return [
        ContactAdherence(branch=b, share_on_time=share_on_time(c), **c)
        for b, c in sorted(found.items())
    ]
