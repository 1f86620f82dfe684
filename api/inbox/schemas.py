"""Request and response schemas of the staff inbox."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.shared.schemas import Strict, example


class NotificationPublic(BaseModel):
    id: UUID
    kind: str = Field(description="what happened: contact_due, sla_breached, …")
    text: str = Field(description="the notification in words (English)")
    facts: dict[str, str] = Field(description="what the words are made of")
    link: str = Field(description="the console page of what it is about")
    subject_id: UUID = Field(description="the client, ticket, purchase, supplier or plan")
    position: int = Field(description="the store position of the event that caused it")
    created_at: datetime
    read: bool


class UnreadCount(BaseModel):
    unread: int = Field(description="unread notifications, counted up to 100")
    more: bool = Field(description="true: there are more than 99")


class ReadAll(Strict):
    model_config = example({"up_to": 1234})

    up_to: int | None = Field(
        default=None,
        ge=0,
        description="mark read what was caused up to this position (default: everything)",
    )
