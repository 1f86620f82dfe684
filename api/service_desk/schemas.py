"""Request and response schemas of the service desk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from api.shared.schemas import Name, Note, OneLine, Reason, Strict, Text, WriteResult, example
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import Status, TicketChannel, TicketType

Group = Literal["client_centre", "branch", "headquarters"]
Subject = Name  # one line, 1 to 200 characters


class TicketCreate(Strict):
    model_config = example(
        {
            "client_id": None,
            "type": "inquiry",
            "priority": "P3",
            "channel": "phone",
            "subject": "Statement missing",
            "description": "The March statement never came.",
        }
    )

    client_id: UUID | None = None
    type: TicketType
    priority: Priority
    channel: TicketChannel
    subject: Subject
    description: Text


class TicketOpenedResult(WriteResult):
    number: str
    first_response_due_at: datetime
    resolution_due_at: datetime


class Assignment(Strict):
    model_config = example({"assignee": "agent.wu", "group": "client_centre"})

    assignee: (
        Annotated[
            str,
            StringConstraints(min_length=1, max_length=64),
            OneLine,
            Field(description="a username or an account's id; null: the group's"),
        ]
        | None
    ) = None
    group: Group | None = None


class CommentCreate(Strict):
    model_config = example({"body": "We have re-sent the statement by e-mail.", "public": True})

    body: Text
    public: bool


class TransitionRequest(Strict):
    model_config = example({"to": "resolved", "note": "statement re-sent"})

    to: Literal["in_progress", "pending_client", "resolved", "closed"]
    note: Note | None = None


class ReasonBody(Strict):
    model_config = example({"reason": "the client says it is still missing"})

    reason: Reason


class PriorityChange(Strict):
    model_config = example({"priority": "P2", "reason": "the client is a VIP"})

    priority: Priority
    reason: Reason


class MergeRequest(Strict):
    model_config = example({"into": "3fa85f64-5717-4562-b3fc-2c963f66afa6"})

    into: UUID


class SatisfactionCreate(Strict):
    model_config = example({"score": 5, "comment": "Solved in a day"})

    score: int = Field(ge=1, le=5)
    comment: Note | None = None


class Clock(BaseModel):
    kind: str
    budget_seconds: float
    consumed_seconds: float
    remaining_seconds: float
    remaining: str = Field(description='the remaining time in words: "3 h 20 min", "overdue 5 min"')
    due_at: datetime | None
    stopped: bool
    state: str


class TicketSummary(BaseModel):
    id: UUID
    number: str
    client_id: UUID | None
    branch: str | None
    tier: str | None = Field(
        default=None, description="the client's tier at opening: its layer and SLA budgets"
    )
    type: TicketType
    priority: Priority
    channel: TicketChannel
    subject: str
    status: Status
    group: Group
    assignee: str | None = Field(description="the assignee's username")
    assignee_id: str | None = Field(description="the assignee's account id")
    client_name: str | None = Field(description="the client's name ([erased] after erasure)")
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into: UUID | None
    satisfaction: int | None
    sla_state: Literal["ok", "at_risk", "breached"]
    sla: dict[str, Clock]
    version: int


class CommentPublic(BaseModel):
    comment_id: UUID
    body: str
    public: bool
    author: str = Field(description="the author's username")
    author_id: str = Field(description="the author's account id")
    at: datetime
    from_ticket: UUID | None


class HistoryEntry(BaseModel):
    position: int
    event: str
    actor: str = Field(description="the account's username (or a system actor)")
    actor_id: str = Field(description="what the event records: the account's id")
    at: datetime
    correlation_id: str
    version: int
    data: dict[str, Any]


class TicketPublic(TicketSummary):
    description: str
    breaches: list[str]
    comments: list[CommentPublic]
    history: list[HistoryEntry]


class StatsGroup(BaseModel):
    key: str
    count: int
    first_response_hours_mean: float | None
    first_response_hours_p90: float | None
    resolution_hours_mean: float | None
    resolution_hours_p90: float | None
    sla_attainment_pct: float | None
    satisfaction_mean: float | None
    complaints: int
    complaints_per_1000_clients: float | None


class TicketStats(BaseModel):
    group_by: str
    groups: list[StatsGroup]
    total: StatsGroup
