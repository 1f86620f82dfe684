"""The console's inbox: a person's notifications in their language, each opening what it
is about (marked read on the way), and the header's unread count, which asks again every
minute."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.inbox.routes import reader_of, shown
from api.shared.console.desk import Desk, staff
from application.inbox import InboxCommands
from domain.shared.errors import NotFound
from projections.inbox import InboxView

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Desk, Depends(staff(reads=(InboxView,)))]
SHOWN = 50
LATEST = 5


@router.get("/inbox")
def inbox(desk: Anyone, unread: bool = False, cursor: str | None = None) -> Response:
    engine, reader = desk.engine, reader_of(desk.me)
    view = engine.view(InboxView)
    rows, next_cursor = view.notifications(engine.db, reader, unread, SHOWN, cursor)
    return desk.page(
        "inbox/inbox.html",
        notifications=in_words(desk, rows),
        unread=unread,
        next_cursor=next_cursor,
        count=view.unread_count(engine.db, reader),
    )


@router.get("/inbox/latest")
def latest(desk: Anyone) -> Response:
    """The newest unread notifications (a card of the day's page asks on load)."""
    engine, reader = desk.engine, reader_of(desk.me)
    view = engine.view(InboxView)
    rows, _ = view.notifications(engine.db, reader, True, LATEST, None)
    return desk.page(
        "inbox/_latest.html",
        notifications=in_words(desk, rows),
        count=view.unread_count(engine.db, reader),
    )


@router.get("/inbox/badge")
def badge(desk: Anyone) -> Response:
    """The header's link to the inbox with the unread count (htmx asks every minute)."""
    engine = desk.engine
    count = engine.view(InboxView).unread_count(engine.db, reader_of(desk.me))
    return desk.quiet_page("inbox/_badge.html", count=count)


def in_words(desk: Desk, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Notifications in the reader's language, days and times as they read them."""
    f = desk.formats
    return shown(desk.engine, rows, translate=desk.gettext, day=f.day, when=f.when)


@router.post("/inbox/{notification_id}/open")
def open_one(desk: Anyone, notification_id: UUID) -> Response:
    """Mark the notification read and go to what it is about."""
    engine = desk.engine
    found = engine.view(InboxView).one(engine.db, reader_of(desk.me), notification_id)
    if found is None:
        raise NotFound(f"notification {notification_id} not found")
    engine.handler(InboxCommands).mark_read(
        desk.context(), UUID(desk.me.user_id), [(notification_id, found["position"])]
    )
    return desk.redirect(found["link"])


@router.post("/inbox/read-all")
def read_all(desk: Anyone) -> Response:
    engine = desk.engine
    newest = engine.view(InboxView).newest(engine.db, reader_of(desk.me))
    done = engine.handler(InboxCommands).mark_all_read(
        desk.context(), UUID(desk.me.user_id), newest
    )
    return desk.redirect("/inbox", done.position if done.changed else None)
