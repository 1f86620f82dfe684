"""The audit log of every stored event, and the verification of its hash chain."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from api.compliance.schemas import AuditEvent, ChainVerification
from api.shared.deps import EngineDep, fresh, roles
from api.shared.schemas import Page
from api.staff import PeopleDep
from domain.shared.errors import InvalidField
from domain.staff import Role
from projections.compliance.audit import AuditView, verify

router = APIRouter(prefix="/api/v1/audit", tags=["compliance"])

AUDITORS = Depends(roles(Role.ADMIN, Role.COMPLIANCE))


@router.get("/events", dependencies=[AUDITORS, Depends(fresh(AuditView))])
def audit_events(
    engine: EngineDep,
    people: PeopleDep,
    actor: Annotated[
        str | None,
        Query(max_length=200, description="a username, an account's id, or a system actor"),
    ] = None,
    aggregate_id: Annotated[UUID | None, Query(description="one aggregate's events")] = None,
    type: Annotated[str | None, Query(max_length=200, description="e.g. Client.Registered")] = None,
    start: Annotated[
        AwareDatetime | None, Query(alias="from", description="recorded at or after")
    ] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to", description="recorded before")] = None,
    correlation_id: Annotated[
        str | None, Query(max_length=200, description="the events of one request")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="the most items one page holds")] = 100,
    cursor: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{1,19}$", description="the ``next_cursor`` of the page before"),
    ] = None,
) -> Page[AuditEvent]:
    """Every stored event in position order: who did what to which aggregate, when and in
    which request; ``from`` inclusive, ``to`` exclusive."""
    if start is not None and end is not None and end <= start:
        raise InvalidField("to", "must be after from")
    rows, next_cursor = engine.view(AuditView).search(
        engine.db,
        actor=people.id_of(actor, "actor") if actor else None,
        aggregate_id=str(aggregate_id) if aggregate_id else None,
        type=type,
        start=start,
        end=end,
        correlation_id=correlation_id,
        limit=limit,
        cursor=cursor,
    )
    return Page(
        items=[AuditEvent.model_validate(r) for r in people.named(rows, "actor")],
        next_cursor=next_cursor,
    )


@router.get("/verify", dependencies=[AUDITORS])
def verify_chain(engine: EngineDep) -> ChainVerification:
    """Recompute the hash chain from the store and report the first broken position; a
    stored record without its link is one. The chain is written with the events: there is
    nothing to wait for."""
    return ChainVerification(**asdict(verify(engine.store)))
