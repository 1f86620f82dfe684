"""Client registry routes (DOMAIN.md §1)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response

from api.clients.contacts import plan_of
from api.clients.coverage_schemas import ClientSegment
from api.clients.schemas import (
    ClientCreate,
    ClientDetail,
    ClientPatch,
    ClientPublic,
    Erasure,
    FeedbackCreate,
    Interaction,
    InteractionCreate,
    OpenTicket,
    TagsChange,
    TierChange,
)
from api.clients.scope import ClientId
from api.compliance import AggregateAsOf, AsOf, aggregate_as_of
from api.shared.deps import (
    ContextDep,
    CurrentUser,
    EngineDep,
    IdempotencyDep,
    NowDep,
    branch_scope,
    fresh,
    roles,
    version_matched,
)
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from api.staff import PeopleDep
from application.clients.commands import ClientCommands
from application.shared.common import CommandResult
from domain.clients.registry import Client, InvestorType
from domain.shared.errors import InvalidField, NotFound
from domain.staff import Role
from projections.clients.contacts import ContactsView
from projections.clients.coverage import CoverageView
from projections.clients.views import ClientsView, risk_status
from projections.service_desk import TicketsView

router = APIRouter(prefix="/api/v1/clients", tags=["clients"])

REGISTRARS = Depends(roles(Role.ADMIN, Role.ADVISOR))
SERVICE = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT))
READERS = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE))
FRESH = Depends(fresh(ClientsView))


def _public(row: dict[str, Any], now: datetime) -> ClientPublic:
    """The client view, with the assessment's status as of now."""
    row = {**row, "risk": {**(row["risk"] or {}), "status": risk_status(row["risk"], now)}}
    return ClientPublic.model_validate(row)


def _written(result: CommandResult) -> WriteResult:
    return WriteResult.of(result)


@router.post("", status_code=201, dependencies=[REGISTRARS])
def register_client(
    body: ClientCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    response: Response,
    user: CurrentUser,
) -> WriteResult:
    """Register a client in a known branch (an advisor: their own); a second client with the
    same identity number is a 409."""
    scope = branch_scope(user)
    if scope is not None and body.branch != scope:
        raise InvalidField("branch", f"advisors register clients of their own branch ({scope})")
    result = engine.handler(ClientCommands).register(ctx, **body.model_dump(), idem=idem)
    response.headers["Location"] = f"/api/v1/clients/{result.id}"
    return _written(result)


@router.get("", dependencies=[READERS, FRESH])
def list_clients(
    engine: EngineDep,
    now: NowDep,
    user: CurrentUser,
    q: Annotated[
        str | None, Query(max_length=100, description="a fragment of the name or phone")
    ] = None,
    branch: Annotated[str | None, Query(max_length=32, description="a branch code")] = None,
    tier: Annotated[str | None, Query(max_length=32, description="a service tier")] = None,
    investor_type: Annotated[
        InvestorType | None, Query(description="ordinary or professional investors")
    ] = None,
    tag: Annotated[str | None, Query(max_length=64, description="a tag (any case)")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ClientPublic]:
    """List clients in registration order, filtered, searchable by name or phone; an advisor
    lists the clients of their own branch."""
    scope = branch_scope(user)
    if scope is not None:
        if branch not in (None, scope):
            return Page(items=[], next_cursor=None)
        branch = scope
    items, next_cursor = engine.view(ClientsView).search(
        engine.db,
        q=q,
        branch=branch,
        tier=tier,
        investor_type=investor_type.value if investor_type else None,
        tag=tag,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[_public(i, now) for i in items], next_cursor=next_cursor)


@router.get(
    "/{client_id}",
    dependencies=[
        READERS,
        Depends(fresh(ClientsView, TicketsView, CoverageView, ContactsView)),
    ],
)
def get_client(
    client_id: ClientId,
    engine: EngineDep,
    people: PeopleDep,
    response: Response,
    now: NowDep,
    as_of: AsOf = None,
) -> ClientDetail | AggregateAsOf:
    """One client's profile (the identity number masked but for its last 4 characters),
    with the open tickets, the five latest interactions, the segments and the
    communication plan."""
    if as_of is not None:
        return aggregate_as_of(engine, Client, str(client_id), as_of)
    row = engine.view(ClientsView).get(engine.db, client_id)
    if row is None:
        raise NotFound(f"client {client_id} not found")
    response.headers["ETag"] = f'"{row["version"]}"'
    return ClientDetail(
        **_public(row, now).model_dump(),
        open_tickets=[
            OpenTicket.model_validate(t)
            for t in engine.view(TicketsView).open_for_client(engine.db, client_id)
        ],
        latest_interactions=people.named(
            engine.view(ClientsView).latest_interactions(engine.db, client_id, 5), "logged_by"
        ),
        segments=[
            ClientSegment.model_validate(s)
            for s in engine.view(CoverageView).of_client(engine.db, str(client_id))
        ],
        contact_plan=plan_of(engine, client_id),
    )


@router.patch("/{client_id}", dependencies=[SERVICE])
def update_contact(
    client_id: ClientId,
    body: ClientPatch,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    if_match: Annotated[str | None, Header()] = None,
) -> WriteResult:
    """Change contact fields; with ``If-Match: <version>`` a stale version is a 412."""
    return _written(
        engine.handler(ClientCommands).update_contact(
            ctx,
            client_id,
            expected_version=version_matched(if_match),
            idem=idem,
            **body.model_dump(exclude_unset=True),
        )
    )


@router.post("/{client_id}/erase", dependencies=[Depends(roles(Role.ADMIN))])
def erase_personal_data(
    client_id: ClientId, body: Erasure, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Erase the client's personal data (crypto-shredding): their key is destroyed, so name,
    identity number, contacts, interaction notes and feedback comments read as erased
    everywhere, history included; suitability records stay complete. Repeating it records
    nothing."""
    return _written(
        engine.handler(ClientCommands).erase_personal_data(ctx, client_id, body.reason, idem)
    )


@router.post("/{client_id}/tier", dependencies=[REGISTRARS])
def change_tier(
    client_id: ClientId, body: TierChange, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Move the client to another service tier, with the reason."""
    return _written(
        engine.handler(ClientCommands).change_tier(ctx, client_id, body.tier, body.reason, idem)
    )


@router.post("/{client_id}/tags", dependencies=[REGISTRARS])
def change_tags(
    client_id: ClientId, body: TagsChange, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Add and remove segment tags."""
    return _written(
        engine.handler(ClientCommands).retag(ctx, client_id, body.add, body.remove, idem)
    )


@router.post("/{client_id}/interactions", status_code=201, dependencies=[SERVICE])
def log_interaction(
    client_id: ClientId,
    body: InteractionCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Log a call, email, SMS, visit or online contact."""
    return _written(
        engine.handler(ClientCommands).log_interaction(
            ctx,
            client_id,
            body.channel,
            body.summary,
            body.occurred_at,
            idem,
        )
    )


@router.get("/{client_id}/interactions", dependencies=[READERS, FRESH])
def list_interactions(
    client_id: ClientId,
    engine: EngineDep,
    people: PeopleDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Interaction]:
    """The client's interactions, oldest first."""
    if engine.view(ClientsView).get(engine.db, client_id) is None:
        raise NotFound(f"client {client_id} not found")
    rows, next_cursor = engine.view(ClientsView).interactions(engine.db, client_id, limit, cursor)
    items = [Interaction.model_validate(r) for r in people.named(rows, "logged_by")]
    return Page(items=items, next_cursor=next_cursor)


@router.post("/{client_id}/feedback", status_code=201, dependencies=[SERVICE])
def record_feedback(
    client_id: ClientId,
    body: FeedbackCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Record the client's feedback on a topic, rated 1 to 5; a rating of 2 or less (the
    client policy's ``low_rating``) opens a follow-up ticket for the client's branch within
    the scheduler's next run, once."""
    return _written(
        engine.handler(ClientCommands).record_feedback(
            ctx, client_id, body.rating, body.comment, idem, body.topic
        )
    )
