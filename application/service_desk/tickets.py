"""Commands of the service desk (DOMAIN.md §5)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from application.staff import Account
from domain.clients import Client
from domain.service_desk.numbers import TicketNumbers, numbers_id
from domain.service_desk.sla import Priority, SlaPolicy
from domain.service_desk.tickets import Assignee, Ticket
from domain.service_desk.workflow import Status, TicketChannel, TicketType
from domain.shared.base import Context
from domain.shared.errors import ConcurrentWrite, InvalidField, NotFound

NUMBER_ATTEMPTS = 30


@dataclass(frozen=True)
class TicketOpened:
    result: CommandResult
    opened: Ticket.Opened


class TicketCommands(Commands):
    def __init__(
        self, store: Store, policy: SlaPolicy, accounts: Callable[[UUID], Account | None]
    ) -> None:
        super().__init__(store)
        self.policy = policy
        self.accounts = accounts
        self._numbering = threading.Lock()

    def open(
        self,
        ctx: Context,
        *,
        client_id: UUID | None,
        type: TicketType,
        priority: Priority,
        channel: TicketChannel,
        subject: str,
        description: str,
        idem: Idempotency | None = None,
        follows_feedback: int | None = None,
    ) -> TicketOpened:
        """Open a ticket with the year's next number and its SLA due times."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return TicketOpened(earlier, self.first_event(earlier.id, Ticket.Opened))
        branch = tier = None
        if client_id is not None:
            try:
                client = self.load(Client, client_id)
            except NotFound:
                raise InvalidField("client_id", f"no client {client_id}") from None
            branch, tier = client.branch, client.tier
        for attempt in range(NUMBER_ATTEMPTS):  # tickets opened at once race for a number
            with self._numbering:  # one at a time in this process; retries cover the others
                numbers = self._numbers(ctx)
                ticket = Ticket.open(
                    ctx,
                    uuid4(),
                    numbers.issue(ctx),
                    client_id=client_id,
                    branch=branch,
                    type=type,
                    priority=priority,
                    channel=channel,
                    subject=subject,
                    description=description,
                    policy=self.policy,
                    follows_feedback=follows_feedback,
                    tier=tier,
                )
                opened = ticket.pending_events[0]
                assert isinstance(opened, Ticket.Opened)
                try:
                    return TicketOpened(self.commit(ctx, ticket, numbers, idem=idem), opened)
                except ConcurrentWrite:
                    pass
            time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter only
        raise ConcurrentWrite("too many tickets opened at once: try again")

    def apply_macro(
        self,
        ctx: Context,
        ticket_id: UUID,
        macro: tuple[UUID, str],
        reply: tuple[str, bool],
        actions: tuple[Status | None, Priority | None, str | None],
    ) -> CommandResult:
        """A macro's rendered reply and its actions, recorded as one change."""
        return self.update(
            ctx,
            Ticket,
            ticket_id,
            lambda t: t.apply_macro(ctx, macro, (uuid4(), *reply), actions, self.policy),
            idem=None,
        )

    def link_article(
        self, ctx: Context, ticket_id: UUID, article_id: UUID, version: int, title: str
    ) -> CommandResult:
        """Link a knowledge-base article to the ticket (again: nothing new)."""
        return self.update(
            ctx,
            Ticket,
            ticket_id,
            lambda t: t.link_article(ctx, article_id, version, title),
            idem=None,
        )

    def send_article(
        self, ctx: Context, ticket_id: UUID, article: tuple[UUID, int, str], text: str
    ) -> CommandResult:
        """Reply to the client with an article's text, and link it to the ticket."""
        return self.change(ctx, ticket_id, lambda t: t.send_article(ctx, uuid4(), article, text))

    def _numbers(self, ctx: Context) -> TicketNumbers:
        try:
            numbers: Any = self.store.repository.get(numbers_id(ctx.at.year))
        except AggregateNotFoundError:
            return TicketNumbers.start(ctx, ctx.at.year)
        assert isinstance(numbers, TicketNumbers)
        return numbers

    def change(
        self,
        ctx: Context,
        ticket_id: UUID,
        action: Callable[[Ticket], Any],
        idem: Idempotency | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Any single-ticket command: load, let the ticket decide, save."""
        return self.update(
            ctx, Ticket, ticket_id, action, idem=idem, expected_version=expected_version
        )

    def assign(
        self,
        ctx: Context,
        ticket_id: UUID,
        assignee: UUID | None,
        group: str | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Give the ticket to an account (by id) and/or a group."""
        to = None
        if assignee is not None:
            account = self.accounts(assignee)
            if account is None:
                raise InvalidField("assignee", "no account has this id")
            to = Assignee(id=account.id, role=account.role, enabled=account.enabled)
        return self.change(ctx, ticket_id, lambda t: t.assign(ctx, to, group), idem)

    def comment(
        self,
        ctx: Context,
        ticket_id: UUID,
        body: str,
        public: bool,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self.change(ctx, ticket_id, lambda t: t.comment(ctx, uuid4(), body, public), idem)

    def transition(
        self,
        ctx: Context,
        ticket_id: UUID,
        to: Status,
        note: str | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self.change(ctx, ticket_id, lambda t: t.transition(ctx, to, note), idem)

    def reopen(
        self, ctx: Context, ticket_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        return self.change(ctx, ticket_id, lambda t: t.reopen(ctx, reason, self.policy), idem)

    def change_priority(
        self,
        ctx: Context,
        ticket_id: UUID,
        priority: Priority,
        reason: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self.change(
            ctx, ticket_id, lambda t: t.change_priority(ctx, priority, reason, self.policy), idem
        )

    def escalate(
        self, ctx: Context, ticket_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        return self.change(ctx, ticket_id, lambda t: t.escalate(ctx, reason), idem)

    def record_breach(self, ctx: Context, ticket_id: UUID, kind: str) -> CommandResult:
        """Record a breach and escalate, once per ticket and kind (for the scheduler)."""
        return self.change(ctx, ticket_id, lambda t: t.record_breach(ctx, kind, self.policy))

    def rate(
        self,
        ctx: Context,
        ticket_id: UUID,
        score: int,
        comment: str | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        return self.change(ctx, ticket_id, lambda t: t.rate(ctx, score, comment), idem)

    def merge(
        self, ctx: Context, ticket_id: UUID, into: UUID, idem: Idempotency | None = None
    ) -> CommandResult:
        """Close a duplicate as merged into another ticket; both are saved together."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        source = self.load(Ticket, ticket_id)
        try:
            target = self.load(Ticket, into)
        except NotFound:
            raise InvalidField("into", f"no ticket {into}") from None
        source.merge_into(ctx, target)
        return self.commit(ctx, source, target, idem=idem)
