"""Schemas of the compliance reads: histories, states as of an instant, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field

from application.compliance.replay import Verdict


class HistoryEvent(BaseModel):
    position: int
    version: int
    type: str
    at: datetime
    actor: str = Field(description="the account's username (or a system actor)")
    actor_id: str = Field(description="what the event records: the account's id")
    correlation_id: str
    causation_id: str | None
    data: dict[str, Any] = Field(
        description="the event's own fields as recorded (identity numbers masked): which "
        "fields follows ``type``, e.g. Client.TierChanged has tier and reason"
    )


class PurchaseReplayReport(BaseModel):
    """A suitability decision replayed (see ``application.compliance.replay``)."""

    timeline: list[HistoryEvent]
    inputs: dict[str, Any] = Field(
        description="the decision's inputs rebuilt from the store: the assessment, the fund "
        "and the client at the versions the decision recorded"
    )
    recorded: Verdict
    recomputed: Verdict | None = Field(description="null when the recorded rule is unknown")
    consistent: bool
    differences: list[str]
    under_current_rules: Verdict


class CommandReplayReport(BaseModel):
    """A supplier or CQP decision re-executed on the aggregate as it stood just before it."""

    timeline: list[HistoryEvent]
    inputs: dict[str, Any] = Field(description="the command and the policy it was taken under")
    recorded: dict[str, Any] = Field(description="the event the decision recorded")
    recomputed: dict[str, Any] = Field(description="the event the same command records now")
    consistent: bool
    differences: list[str]
    under_current_rules: dict[str, Any] = Field(
        description="the event (or the refusal) under today's policy"
    )


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
    state: dict[str, Any] = Field(
        description="the aggregate's attributes at that instant: which ones follows "
        "``kind`` (the same fields the aggregate's current read shows)"
    )


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
    actor: str = Field(description="the account's username (or a system actor)")
    actor_id: str = Field(description="what the event records: the account's id")
    correlation_id: str
    causation_id: str | None


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
