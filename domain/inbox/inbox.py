"""A person's inbox (the staff inbox): which notifications they have read, and the daily
digests sent to them. The notifications themselves are not recorded here: each is derived
from the reminder or warning that caused it (the inbox view), so a rebuild finds the same."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.keys import NAMESPACE

KINDS = (
    "assessment_review_due",
    "assessment_expired",
    "contact_due",
    "contact_overdue",
    "purchase_lapsing",
    "sla_breached",
    "ticket_escalated",
    "reaudit_due",
    "reaudit_overdue",
    "milestone_overdue",
    "churn_warning",
    "tier_suggested",
)


def inbox_id(account_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"inbox:{account_id}")


class Inbox(Aggregate):
    """One account's read marks: everything up to a store position (``read all``), and
    single notifications after it."""

    account_id: UUID
    read_up_to: int
    read: list[str]
    digest_on: date | None

    class Opened(Created):
        account_id: UUID

        def apply(self, inbox: Inbox) -> None:
            inbox.account_id = self.account_id
            inbox.read_up_to, inbox.read, inbox.digest_on = 0, [], None

    class Read(Event):
        notifications: list[UUID]

        def apply(self, inbox: Inbox) -> None:
            inbox.read = [*inbox.read, *(str(n) for n in self.notifications)]

    class AllRead(Event):
        """Every notification caused up to this store position is read."""

        up_to: int

        def apply(self, inbox: Inbox) -> None:
            inbox.read_up_to, inbox.read = self.up_to, []

    class DigestSent(Event):
        """The day's digest went to the person's address: how many unread it listed."""

        on: date
        unread: int

        def apply(self, inbox: Inbox) -> None:
            inbox.digest_on = self.on

    @classmethod
    def open(cls, ctx: Context, account_id: UUID) -> Inbox:
        return cls._start(cls.Opened, ctx, inbox_id(account_id), account_id=account_id)

    def mark_read(self, ctx: Context, notifications: list[tuple[UUID, int]]) -> None:
        """Mark notifications read, each given with the position of the event that caused
        it; those read already record nothing."""
        new = [
            n
            for n, position in notifications
            if position > self.read_up_to and str(n) not in self.read
        ]
        if new:
            self._record(self.Read, ctx, notifications=list(dict.fromkeys(new)))

    def mark_all_read(self, ctx: Context, up_to: int) -> None:
        """Mark read everything caused up to ``up_to`` (the newest the person saw)."""
        if up_to > self.read_up_to:
            self._record(self.AllRead, ctx, up_to=up_to)

    def sent_digest(self, ctx: Context, on: date, unread: int) -> bool:
        """Record the day's digest, once a day; False if it was sent already."""
        if self.digest_on is not None and self.digest_on >= on:
            return False
        self._record(self.DigestSent, ctx, on=on, unread=unread)
        return True
