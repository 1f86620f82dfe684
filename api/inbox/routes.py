"""The staff inbox's routes: a person's notifications, the unread count for the console's
header, and marking read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from api.engine import Engine
from api.inbox.schemas import NotificationPublic, ReadAll, UnreadCount
from api.inbox.words import sentence
from api.shared.deps import ContextDep, CurrentUser, EngineDep, fresh
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from application.inbox import InboxCommands
from domain.shared.errors import NotFound
from projections.clients import ClientsView
from projections.inbox import InboxView, Reader

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox"])
FRESH = Depends(fresh(InboxView))


def reader_of(user: Any) -> Reader:
    return Reader(user.user_id, user.username, user.role, user.branch)


def shown(
    engine: Engine, rows: list[dict[str, Any]], **words: Callable[[Any], str]
) -> list[dict[str, Any]]:
    """Notifications with their sentence (the client's name from the clients' view), in
    English or in the console's ``words`` (translate, day, when)."""
    ids = [r["facts"]["client_id"] for r in rows if "client_id" in r["facts"]]
    names = engine.view(ClientsView).names(engine.db, ids)
    return [{**r, "text": sentence(r, names, **words)} for r in rows]


@router.get("", dependencies=[FRESH])
def inbox(
    engine: EngineDep,
    user: CurrentUser,
    unread: Annotated[bool, Query(description="only the unread ones")] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[NotificationPublic]:
    """The signed-in person's notifications, the newest first: every reminder and warning
    that concerns them (their account, or their role in their branch)."""
    rows, next_cursor = engine.view(InboxView).notifications(
        engine.db, reader_of(user), unread, limit, cursor
    )
    return Page(
        items=[NotificationPublic.model_validate(r) for r in shown(engine, rows)],
        next_cursor=next_cursor,
    )


@router.get("/count", dependencies=[FRESH])
def count(engine: EngineDep, user: CurrentUser) -> UnreadCount:
    """How many notifications the person has not read (the console's header asks)."""
    n = engine.view(InboxView).unread_count(engine.db, reader_of(user))
    return UnreadCount(unread=min(n, 99), more=n > 99)


@router.post("/{notification_id}/read")
def mark_read(
    notification_id: Annotated[UUID, Path(description="a notification's id")],
    engine: EngineDep,
    user: CurrentUser,
    ctx: ContextDep,
) -> WriteResult:
    """Mark one of the person's notifications read (again: nothing new)."""
    found = engine.view(InboxView).one(engine.db, reader_of(user), notification_id)
    if found is None:
        raise NotFound(f"notification {notification_id} not found")
    result = engine.handler(InboxCommands).mark_read(
        ctx, UUID(user.user_id), [(notification_id, found["position"])]
    )
    return WriteResult.of(result)


@router.post("/read-all")
def mark_all_read(
    engine: EngineDep, user: CurrentUser, ctx: ContextDep, body: ReadAll | None = None
) -> WriteResult:
    """Mark read every notification the person has (up to a position, when given)."""
    newest = engine.view(InboxView).newest(engine.db, reader_of(user))
    up_to = newest if body is None or body.up_to is None else min(body.up_to, newest)
    result = engine.handler(InboxCommands).mark_all_read(ctx, UUID(user.user_id), up_to)
    return WriteResult.of(result)
