"""Service-desk routes (DOMAIN.md §5): agents and admins see every ticket; advisors see
and handle the tickets of their own branch."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from adapters.staff import TokenClaims
from api.clients import check_client
from api.compliance import AggregateAsOf, AsOf, aggregate_as_of
from api.engine import Engine
from api.service_desk.schemas import (
    Assignment,
    CommentCreate,
    Group,
    MergeRequest,
    PriorityChange,
    ReasonBody,
    SatisfactionCreate,
    TicketCreate,
    TicketOpenedResult,
    TicketPublic,
    TicketStats,
    TicketSummary,
    TransitionRequest,
)
from api.shared.deps import (
    ContextDep,
    CurrentUser,
    EngineDep,
    IdempotencyDep,
    NowDep,
    branch_scope,
    fresh,
    roles,
)
from api.shared.schemas import Cursor, Limit, Page, WriteResult, duration_text
from api.staff import People, PeopleDep
from application.service_desk.tickets import TicketCommands
from domain.service_desk.sla import Priority
from domain.service_desk.tickets import WORKS_TICKETS, Ticket
from domain.service_desk.workflow import Status, TicketType
from domain.shared.errors import NotFound
from projections.clients import ClientsView
from projections.service_desk.rows import sla_as_of
from projections.service_desk.stats import ticket_stats
from projections.service_desk.tickets import TicketsView

router = APIRouter(prefix="/api/v1/tickets", tags=["service desk"])
DESK = Depends(roles(*WORKS_TICKETS))
FRESH = Depends(fresh(TicketsView))


def check_ticket(engine: Engine, user: TokenClaims, ticket_id: UUID) -> None:
    """NotFound for a ticket of another branch than the advisor's, as for one that does not
    exist."""
    branch = branch_scope(user)
    if (
        branch is not None
        and engine.handler(TicketCommands).load(Ticket, ticket_id).branch != branch
    ):
        raise NotFound(f"ticket {ticket_id} not found")


def _guarded(ticket_id: UUID, engine: EngineDep, user: CurrentUser) -> UUID:
    """The ticket id from the path, once the user may act on that ticket."""
    check_ticket(engine, user, ticket_id)
    return ticket_id


TicketId = Annotated[UUID, Depends(_guarded)]


def shown_rows(
    engine: Engine, people: People, rows: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """Ticket rows as people read them: SLA clocks as of now (remaining time in words too),
    the client's name and the assignee's username."""
    names = engine.view(ClientsView).names(
        engine.db, [str(r["client_id"]) for r in rows if r["client_id"]]
    )
    shown = []
    for row in people.named(rows, "assignee"):
        clocks, state = sla_as_of(row, engine.settings.sla_policy, now)
        for c in clocks.values():
            c["remaining"] = duration_text(c["remaining_seconds"])
        client = str(row["client_id"]) if row["client_id"] else None
        shown.append(
            {**row, "sla": clocks, "sla_state": state, "client_name": names.get(client or "")}
        )
    return shown


@router.post("", status_code=201, dependencies=[DESK])
def open_ticket(
    body: TicketCreate,
    engine: EngineDep,
    ctx: ContextDep,
    user: CurrentUser,
    idem: IdempotencyDep,
    response: Response,
) -> TicketOpenedResult:
    """Open a ticket: it gets the year's next number and its SLA due times."""
    if branch_scope(user) is not None:
        if body.client_id is None:
            raise HTTPException(403, "advisors open tickets for clients of their own branch")
        check_client(engine, user, body.client_id)
    opened = engine.handler(TicketCommands).open(
        ctx,
        client_id=body.client_id,
        type=body.type,
        priority=body.priority,
        channel=body.channel,
        subject=body.subject,
        description=body.description,
        idem=idem,
    )
    response.headers["Location"] = f"/api/v1/tickets/{opened.result.id}"
    e = opened.opened
    return TicketOpenedResult(
        **asdict(opened.result),
        number=e.number,
        first_response_due_at=e.first_response_due_at,
        resolution_due_at=e.resolution_due_at,
    )


@router.get("", dependencies=[DESK, Depends(fresh(TicketsView, ClientsView))])
def queue(
    engine: EngineDep,
    people: PeopleDep,
    user: CurrentUser,
    now: NowDep,
    status: Annotated[Status | None, Query(description="tickets in this status")] = None,
    type: Annotated[TicketType | None, Query(description="tickets of this type")] = None,
    priority: Annotated[Priority | None, Query(description="tickets of this priority")] = None,
    assignee: Annotated[
        str | None,
        Query(
            max_length=64,
            description="``me``, ``none`` (unassigned), a username or an account's id",
        ),
    ] = None,
    group: Annotated[Group | None, Query(description="tickets of this group")] = None,
    client_id: Annotated[UUID | None, Query(description="one client's tickets")] = None,
    breached: Annotated[
        bool | None, Query(description="open tickets past an SLA due time (or not)")
    ] = None,
    sort: Annotated[
        Literal["priority", "due", "created", "updated"],
        Query(description="priority, then age; due: resolution due first; newest first"),
    ] = "priority",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TicketSummary]:
    """The queue, filtered and sorted, with each ticket's SLA state."""
    filters = {
        "status": status,
        "type": type,
        "priority": priority,
        "assignee": _assignee(people, user, assignee),
        "unassigned": assignee == "none",
        "group": group,
        "client_id": client_id,
        "breached": breached,
        "branch": branch_scope(user),
    }
    rows, next_cursor = engine.view(TicketsView).queue(engine.db, filters, sort, limit, cursor, now)
    return Page(
        items=[TicketSummary.model_validate(r) for r in shown_rows(engine, people, rows, now)],
        next_cursor=next_cursor,
    )


def _assignee(people: People, user: TokenClaims, ref: str | None) -> str | None:
    """The queue's assignee filter as events record it."""
    if ref is None or ref == "none":
        return None
    if ref == "me":
        return user.user_id
    return people.id_of(ref, "assignee")


@router.get("/stats", dependencies=[DESK, Depends(fresh(TicketsView, ClientsView))])
def stats(
    engine: EngineDep,
    user: CurrentUser,
    start: Annotated[
        datetime | None, Query(alias="from", description="tickets created at or after")
    ] = None,
    end: Annotated[datetime | None, Query(alias="to", description="tickets created before")] = None,
    group_by: Annotated[
        Literal["type", "priority", "branch", "month", "group"],
        Query(description="one row per value of this"),
    ] = "type",
) -> TicketStats:
    """Counts, response and resolution times (mean, p90), SLA attainment, satisfaction and
    complaints per 1,000 clients, for tickets created in [from, to) (a time without a
    zone is UTC). The p90 is exact (nearest rank); the figures come from per-day sums and
    per-month histograms the view keeps, so a year answers as fast as a month."""
    result = ticket_stats(
        engine.db,
        engine.view(TicketsView),
        group_by,
        start,
        end,
        branch_scope(user),
        engine.view(ClientsView).count_by_branch(engine.db),
    )
    return TicketStats.model_validate(result)


@router.get("/{ticket_id}", dependencies=[DESK, Depends(fresh(TicketsView, ClientsView))])
def get_ticket(
    ticket_id: UUID,
    engine: EngineDep,
    people: PeopleDep,
    user: CurrentUser,
    response: Response,
    now: NowDep,
    as_of: AsOf = None,
) -> TicketPublic | AggregateAsOf:
    """The ticket with its SLA clocks, comments (merged ones linked) and full history;
    with ``as_of``, its state as it was then."""
    if as_of is not None:
        past = aggregate_as_of(engine, Ticket, str(ticket_id), as_of)
        branch = branch_scope(user)
        if branch is not None and past.state.get("branch") != branch:
            raise NotFound(f"ticket {ticket_id} not found")
        return past
    row = engine.view(TicketsView).get(engine.db, ticket_id)
    branch = branch_scope(user)
    if row is None or (branch is not None and row["branch"] != branch):
        raise NotFound(f"ticket {ticket_id} not found")
    response.headers["ETag"] = f'"{row["version"]}"'
    shown = shown_rows(engine, people, [row], now)[0]
    shown["comments"] = people.named(row["comments"], "author")
    shown["history"] = people.named(row["history"], "actor")
    return TicketPublic.model_validate(shown)


@router.post("/{ticket_id}/assign", dependencies=[DESK])
def assign(
    ticket_id: TicketId,
    body: Assignment,
    engine: EngineDep,
    people: PeopleDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Give the ticket to an account that works tickets (by username or id) and/or a
    group; ``assignee: null`` leaves it to the group."""
    to = UUID(people.id_of(body.assignee, "assignee")) if body.assignee else None
    return WriteResult.of(
        engine.handler(TicketCommands).assign(ctx, ticket_id, to, body.group, idem)
    )


@router.post("/{ticket_id}/comments", status_code=201, dependencies=[DESK])
def comment(
    ticket_id: TicketId,
    body: CommentCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Comment; the first public reply is the first response."""
    return WriteResult.of(
        engine.handler(TicketCommands).comment(ctx, ticket_id, body.body, body.public, idem)
    )


@router.post("/{ticket_id}/transition", dependencies=[DESK])
def transition(
    ticket_id: TicketId,
    body: TransitionRequest,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Move the ticket; an illegal move is a 409 naming the status and the allowed ones."""
    return WriteResult.of(
        engine.handler(TicketCommands).transition(ctx, ticket_id, Status(body.to), body.note, idem)
    )


@router.post("/{ticket_id}/reopen", dependencies=[DESK])
def reopen(
    ticket_id: TicketId,
    body: ReasonBody,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Reopen a resolved ticket, or a closed one within the policy's window."""
    return WriteResult.of(engine.handler(TicketCommands).reopen(ctx, ticket_id, body.reason, idem))


@router.post("/{ticket_id}/priority", dependencies=[DESK])
def change_priority(
    ticket_id: TicketId,
    body: PriorityChange,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Change the priority; the due times are recomputed from creation."""
    return WriteResult.of(
        engine.handler(TicketCommands).change_priority(
            ctx, ticket_id, body.priority, body.reason, idem
        )
    )


@router.post("/{ticket_id}/escalate", dependencies=[DESK])
def escalate(
    ticket_id: TicketId,
    body: ReasonBody,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Hand the ticket one service layer up (client centre, branch, headquarters)."""
    return WriteResult.of(
        engine.handler(TicketCommands).escalate(ctx, ticket_id, body.reason, idem)
    )


@router.post("/{ticket_id}/merge", dependencies=[DESK])
def merge(
    ticket_id: TicketId,
    body: MergeRequest,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Close this ticket as merged into another; comments are linked, histories kept."""
    return WriteResult.of(engine.handler(TicketCommands).merge(ctx, ticket_id, body.into, idem))


@router.post("/{ticket_id}/satisfaction", status_code=201, dependencies=[DESK])
def rate(
    ticket_id: TicketId,
    body: SatisfactionCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """The client's satisfaction (1 to 5), once, after resolution."""
    return WriteResult.of(
        engine.handler(TicketCommands).rate(ctx, ticket_id, body.score, body.comment, idem)
    )
