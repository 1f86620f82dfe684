"""Commands of client coverage: segment changes and tier suggestions (recorded by the
segment job), and an advisor accepting or declining a suggestion."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.clients import Client, ClientPolicy
from domain.shared.base import Context


class CoverageCommands(Commands):
    def __init__(self, store: Store, policy: ClientPolicy) -> None:
        super().__init__(store)
        self.policy = policy

    def record_segments(
        self,
        ctx: Context,
        client_id: UUID,
        member_of: list[str],
        facts: dict[str, str],
        known: list[str],
    ) -> CommandResult:
        """Record the segments of ``known`` the client entered or left (the job's)."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.record_segments(ctx, member_of, facts, known),
            idem=None,
        )

    def suggest_tier(
        self, ctx: Context, client_id: UUID, tier: str | None, month_ends: dict[str, Decimal]
    ) -> CommandResult:
        """Suggest the tier the client's assets qualify for (the job's)."""
        return self.update(
            ctx, Client, client_id, lambda c: c.suggest_tier(ctx, tier, month_ends), idem=None
        )

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
