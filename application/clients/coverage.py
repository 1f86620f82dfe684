"""Commands of client coverage: segment changes and tier suggestions (recorded by the
segment job), and an advisor accepting or declining a suggestion."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.clients import Client, ClientPolicy, ContactPolicy
from domain.shared.base import Context


@dataclass(frozen=True)
class Cover:
    """What the segment job found for one client: the segments of ``known`` they are in,
    with the facts; the tier their assets qualify for, with the month ends (None: none)."""

    client_id: UUID
    member_of: list[str]
    facts: dict[str, str]
    known: list[str]
    tier: str | None = None
    month_ends: dict[str, Decimal] = field(default_factory=dict)


class CoverageCommands(Commands):
    def __init__(
        self, store: Store, policy: ClientPolicy, contacts: ContactPolicy | None = None
    ) -> None:
        super().__init__(store)
        self.policy = policy
        self.contacts = contacts or ContactPolicy()

    def cover(self, ctx: Context, changes: Iterable[Cover], batch: int = 200) -> int:
        """Record what the segment job found for each client (segments entered or left, a
        tier suggestion), the clients saved ``batch`` at a time in one transaction; a batch
        that meets a concurrent change is done again client by client. Answers how many
        clients recorded something."""
        pending: list[tuple[Client, Cover]] = []
        changed = 0
        for change in changes:
            client = self._covered(ctx, change)
            if client.pending_events:
                pending.append((client, change))
            if len(pending) >= batch:
                changed += self._save_all(ctx, pending)
                pending = []
        return changed + self._save_all(ctx, pending)

    def _covered(self, ctx: Context, change: Cover) -> Client:
        client = self.load(Client, change.client_id)
        client.record_segments(ctx, change.member_of, change.facts, change.known)
        if change.tier is not None:
            client.suggest_tier(ctx, change.tier, change.month_ends)
        return client

    def _save_all(self, ctx: Context, pending: list[tuple[Client, Cover]]) -> int:
        if not pending:
            return 0
        try:
            self.store.save(*(client for client, _ in pending))
        except IntegrityError:  # one of them changed meanwhile: each on its own, afresh
            return sum(
                self.commit(ctx, self._covered(ctx, change), idem=None).changed
                for _, change in pending
            )
        return len(pending)

    def accept_tier_suggestion(
        self, ctx: Context, client_id: UUID, idem: Idempotency | None = None
    ) -> CommandResult:
        """Move the client to the suggested tier, the suggestion as the reason."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.accept_tier_suggestion(ctx, self.policy),
            idem=idem,
        )

    def decline_tier_suggestion(
        self, ctx: Context, client_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        """Decline the pending suggestion, with why."""
        return self.update(
            ctx, Client, client_id, lambda c: c.decline_tier_suggestion(ctx, reason), idem=idem
        )

    def flag_contact(
        self, ctx: Context, client_id: UUID, due_on: date, today: date
    ) -> CommandResult:
        """Record the client's contact falling due on ``due_on``, and overdue, once each
        (for the scheduler; ``today`` is the business's day)."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.flag_contact(ctx, due_on, today, self.contacts),
            idem=None,
        )
