"""A person's inbox: read marks recorded once, everything read up to a position, and one
digest a day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from domain.inbox import Inbox, inbox_id
from domain.shared.base import Context

CTX = Context(actor="me", at=datetime(2026, 6, 1, tzinfo=UTC), correlation_id="c")


def given_inbox() -> Inbox:
    account = uuid.uuid4()
    inbox = Inbox.open(CTX, account)
    assert inbox.id == inbox_id(account)
    inbox.collect_events()
    return inbox


def recorded(inbox: Inbox) -> list[str]:
    return [type(e).__name__ for e in inbox.collect_events()]


def test_a_notification_is_marked_read_once() -> None:
    inbox = given_inbox()
    a, b = uuid.uuid4(), uuid.uuid4()
    inbox.mark_read(CTX, [(a, 10)])
    assert recorded(inbox) == ["Read"]
    inbox.mark_read(CTX, [(a, 10), (b, 12), (b, 12)])
    [event] = inbox.collect_events()
    assert isinstance(event, Inbox.Read)
    assert event.notifications == [b]  # a was read; b once


def test_reading_all_covers_what_came_before_and_not_after() -> None:
    inbox = given_inbox()
    inbox.mark_read(CTX, [(uuid.uuid4(), 5)])
    inbox.mark_all_read(CTX, 20)
    assert recorded(inbox) == ["Read", "AllRead"]
    assert inbox.read == []  # folded into the position
    inbox.mark_all_read(CTX, 20)
    inbox.mark_all_read(CTX, 15)
    inbox.mark_read(CTX, [(uuid.uuid4(), 20)])
    assert recorded(inbox) == []
    inbox.mark_read(CTX, [(uuid.uuid4(), 21)])
    assert recorded(inbox) == ["Read"]


def test_one_digest_a_day() -> None:
    inbox = given_inbox()
    assert inbox.sent_digest(CTX, date(2026, 6, 1), 3) is True
    assert inbox.sent_digest(CTX, date(2026, 6, 1), 4) is False
    assert inbox.sent_digest(CTX, date(2026, 6, 2), 1) is True
    assert recorded(inbox) == ["DigestSent", "DigestSent"]
