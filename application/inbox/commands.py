"""Commands of the staff inbox: a person marks notifications read (some, or all they have
seen), and the scheduler records the daily digest sent to them. Each person's inbox opens
on first use."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.shared.common import CommandResult, Commands
from domain.inbox import Inbox, inbox_id
from domain.shared.base import Context


class InboxCommands(Commands):
    def _inbox(self, ctx: Context, account_id: UUID) -> Inbox:
        try:
            found: Any = self.store.repository.get(inbox_id(account_id))
        except AggregateNotFoundError:
            return Inbox.open(ctx, account_id)
        assert isinstance(found, Inbox)
        return found

    def mark_read(
        self, ctx: Context, account_id: UUID, notifications: list[tuple[UUID, int]]
    ) -> CommandResult:
        """Mark these notifications read (each with the position of what caused it)."""
        inbox = self._inbox(ctx, account_id)
        inbox.mark_read(ctx, notifications)
        return self.commit(ctx, inbox, idem=None)

    def mark_all_read(self, ctx: Context, account_id: UUID, up_to: int) -> CommandResult:
        """Mark read everything caused up to ``up_to``."""
        inbox = self._inbox(ctx, account_id)
        inbox.mark_all_read(ctx, up_to)
        return self.commit(ctx, inbox, idem=None)

    def sent_digest(self, ctx: Context, account_id: UUID, on: date, unread: int) -> bool:
        """Record the day's digest for the person; False if it was recorded already."""
        inbox = self._inbox(ctx, account_id)
        if not inbox.sent_digest(ctx, on, unread):
            return False
        return self.commit(ctx, inbox, idem=None).changed

    def digest_on(self, account_id: UUID) -> date | None:
        """The day of the person's last digest (None: never)."""
        try:
            found: Any = self.store.repository.get(inbox_id(account_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(found, Inbox)
        return found.digest_on
