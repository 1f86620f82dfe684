"""Schemas of the compliance reads: histories, states as of an instant, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AwareDatetime, BaseModel


class HistoryEvent(BaseModel):
    position: int
    version: int
    type: str
    at: datetime
    actor: str
    correlation_id: str
    causation_id: str | None
    data: dict[str, Any]


class AggregateHistory(BaseModel):
    kind: str
    id: UUID
    events: list[HistoryEvent]


class AggregateAsOf(BaseModel):
    """An aggregate's state as it was at ``as_of``, from its events up to that instant."""

    kind: str
    id: UUID
    as_of: datetime
    version: int
    recorded_at: datetime
    state: dict[str, Any]


AsOf = Annotated[
    AwareDatetime | None,
    Query(description="an instant with its time zone: the state as it was then"),
]


class AuditEvent(BaseModel):
    position: int
    aggregate_id: UUID
    version: int
    kind: str
    type: str
    at: datetime
    actor: str
    correlation_id: str
    causation_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEvent]
    next_cursor: str | None


class ChainVerification(BaseModel):
    """The hash chain recomputed from the store: ``ok``, or the first broken position.

    ``head_hash`` is the chain's hash at ``verified_to``: publish it outside this system
    to detect a later rewrite of both the store and the chain."""

    ok: bool
    checked: int
    verified_to: int
    head_hash: str | None
    broken_at: int | None
    reason: str | None
    chain_head: int
    store_head: int
