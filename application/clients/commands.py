"""Commands of the client registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.clients.policies import ClientPolicy
from domain.clients.registry import ID_NUMBER_KEY, Channel, Client, InvestorType
from domain.shared.base import ERASED, Context
from domain.shared.errors import ConcurrentWrite, DuplicateFound, NotFound
from domain.shared.keys import UniqueKey, unique_key_id
from domain.staff import UnknownBranch, branch_id

DUPLICATE = "a client with this id_number is registered"


class PersonalKeys(Protocol):
    """Where each person's data key is kept (and destroyed)."""

    def destroy(self, subject: UUID, at: datetime) -> bool: ...


# Whether every identity-number claim is keyed: a store written before keyed claims holds
# plain ones (uuid5 of the number) until the ``claims`` job has moved each client's.
CLAIMS_MIGRATED = unique_key_id("migration", "keyed identity-number claims")


class ClientCommands(Commands):
    def __init__(
        self,
        store: Store,
        policy: ClientPolicy,
        keys: PersonalKeys,
        claim_id: Callable[[str, str], UUID],
    ) -> None:
        super().__init__(store)
        self.policy = policy
        self.keys = keys
        # A claim's id is a keyed digest of the number: the store alone does not tell
        # whether a number was ever registered.
        self.claim_id = claim_id
        self._branches: set[str] = set()  # known to exist: branches are never removed
        self._migrated = False

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
                raise UnknownBranch(branch)
            self._branches.add(branch)
        if not self.claims_migrated() and self._plain_claim_held(id_number):
            raise DuplicateFound(DUPLICATE)
        claim_id = self.claim_id(ID_NUMBER_KEY, id_number)
        claim = UniqueKey.claim_as(ctx, ID_NUMBER_KEY, claim_id, client.id)
        try:
            return self.commit(ctx, client, claim, idem=idem)
        except ConcurrentWrite:
            taken = self._claim(claim_id)
            if taken is None:
                raise
            if not taken.released:  # a live client has the number
                raise DuplicateFound(DUPLICATE) from None
        taken.reclaim(ctx, client.id)  # an erased client's number, free again
        try:
            return self.commit(ctx, client, taken, idem=idem)
        except ConcurrentWrite:
            raise DuplicateFound(DUPLICATE) from None

    def claims_migrated(self) -> bool:
        """Whether every claim is keyed (then never asked again in this process)."""
        if not self._migrated:
            self._migrated = self.exists(CLAIMS_MIGRATED)
        return self._migrated

    def _plain_claim_held(self, id_number: str) -> bool:
        plain = self._claim(unique_key_id(ID_NUMBER_KEY, id_number))
        return plain is not None and not plain.released

    def _claim(self, claim_id: UUID) -> UniqueKey | None:
        try:
            return self.load(UniqueKey, claim_id)
        except NotFound:
            return None

    def migrate_claim(self, ctx: Context, client_id: UUID) -> int:
        """Give a client of a store written before keyed claims its keyed claim, and release
        its plain one; 1 when it changed something."""
        number = self.first_event(client_id, Client.Registered).id_number
        if number == ERASED:
            return 0
        claim_id = self.claim_id(ID_NUMBER_KEY, number)
        if self.exists(claim_id):
            return 0
        keyed = UniqueKey.claim_as(ctx, ID_NUMBER_KEY, claim_id, client_id)
        plain = self._claim(unique_key_id(ID_NUMBER_KEY, number))
        released = []
        if plain is not None and plain.owner_id == client_id:
            plain.release(ctx)
            released.append(plain)
        self.commit(ctx, keyed, *released, idem=None)
        return 1

    def finish_claims_migration(self, ctx: Context) -> None:
        """Record that every claim is keyed."""
        self.commit(
            ctx, UniqueKey.claim_as(ctx, "migration", CLAIMS_MIGRATED, CLAIMS_MIGRATED), idem=None
        )
        self._migrated = True

    def _claims_of(self, client_id: UUID, number: str) -> list[UniqueKey]:
        """The client's claims on their number: the keyed one, and a plain one not moved."""
        ids = (self.claim_id(ID_NUMBER_KEY, number), unique_key_id(ID_NUMBER_KEY, number))
        found = [self._claim(i) for i in ids]
        return [c for c in found if c is not None and c.owner_id == client_id]

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
        topic: str = "other",
    ) -> CommandResult:
        """Record the client's feedback on a topic; a low rating gets a follow-up ticket
        (the scheduler's ``feedback`` job)."""
        return self.update(
            ctx,
            Client,
            client_id,
            lambda c: c.record_feedback(ctx, rating, comment, topic, self.policy),
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
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        client = self.load(Client, client_id)
        number = self.first_event(client_id, Client.Registered).id_number
        client.erase_personal_data(ctx, reason)
        # The number is free again: its claim is released with the erasure
        claims = [] if number == ERASED else self._claims_of(client_id, number)
        for claim in claims:
            claim.release(ctx)
        result = self.commit(ctx, client, *claims, idem=idem)
        destroyed = self.keys.destroy(client_id, ctx.at)
        return replace(result, changed=result.changed or destroyed)
