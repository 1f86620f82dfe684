"""Commands of the client registry."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.clients.policies import ClientPolicy
from domain.clients.registry import ID_NUMBER_KEY, Channel, Client, InvestorType
from domain.shared.base import Context
from domain.shared.errors import ConcurrentWrite, DuplicateFound, InvalidField
from domain.shared.keys import UniqueKey, unique_key_id
from domain.staff import branch_id


class PersonalKeys(Protocol):
    """Where each person's data key is kept (and destroyed)."""

    def destroy(self, subject: UUID, at: datetime) -> bool: ...


class ClientCommands(Commands):
    def __init__(self, store: Store, policy: ClientPolicy, keys: PersonalKeys) -> None:
        super().__init__(store)
        self.policy = policy
        self.keys = keys
        self._branches: set[str] = set()  # known to exist: branches are never removed

    def register(
        self,
        ctx: Context,
        *,
        name: str,
        id_number: str,
        phone: str,
        email: str,
        address: str,
        branch: str,
        investor_type: InvestorType,
        tier: str | None = None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Register a client; the identity number must not be registered already."""
        # pragma: no mutate start - saves the work: commit answers a repeat the same way
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        # pragma: no mutate end
        client = Client.register(
            ctx,
            uuid4(),
            name=name,
            id_number=id_number,
            phone=phone,
            email=email,
            address=address,
            branch=branch,
            investor_type=investor_type,
            tier=tier,
            policy=self.policy,
        )
        if branch not in self._branches:
            if not self.exists(branch_id(branch)):
                raise InvalidField("branch", f"no branch has the code {branch!r}")
            self._branches.add(branch)
        claim = UniqueKey.claim(ctx, ID_NUMBER_KEY, id_number, client.id)
        try:
            return self.commit(ctx, client, claim, idem=idem)
        except ConcurrentWrite:
            if self.exists(unique_key_id(ID_NUMBER_KEY, id_number)):
                raise DuplicateFound("a client with this id_number is registered") from None
            raise

    def update_contact(
        self,
        ctx: Context,
        client_id: UUID,
        *,
        expected_version: int | None,
        idem: Idempotency | None = None,
        **fields: str | None,
    ) -> CommandResult:
        """Change contact fields, refusing a stale ``If-Match`` version."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.update_contact(ctx, **fields),
            idem=idem,
            expected_version=expected_version,
        )

    def change_tier(
        self,
        ctx: Context,
        client_id: UUID,
        tier: str,
        reason: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Move a client to another service tier."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.change_tier(ctx, tier, reason, self.policy),
            idem=idem,
        )

    def retag(
        self,
        ctx: Context,
        client_id: UUID,
        add: list[str],
        remove: list[str],
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Add and remove segment tags."""
        return self.update(
            ctx, Client, client_id, lambda c: c.retag(ctx, add, remove, self.policy), idem=idem
        )

    def log_interaction(
        self,
        ctx: Context,
        client_id: UUID,
        channel: Channel,
        summary: str,
        occurred_at: datetime | None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Log a call, email, SMS, visit or online contact."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.log_interaction(ctx, channel, summary, occurred_at, self.policy),
            idem=idem,
        )

    def record_feedback(
        self,
        ctx: Context,
        client_id: UUID,
        rating: int,
        comment: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Record the client's feedback."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.record_feedback(ctx, rating, comment),
            idem=idem,
        )

    def erase_personal_data(
        self, ctx: Context, client_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        """Erase a client's personal data by destroying their key (crypto-shredding).

        The event is saved first, then the key destroyed; a crash in between leaves an
        erased client with a live key, which a repeated erasure (or the scheduler's
        ``erasures`` job) destroys. The event makes the views forget at once.
        """
        result = self.update(
            ctx, Client, client_id, lambda c: c.erase_personal_data(ctx, reason), idem=idem
        )
        destroyed = self.keys.destroy(client_id, ctx.at)
        return replace(result, changed=result.changed or destroyed)
