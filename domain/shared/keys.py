"""Uniqueness across aggregates and idempotent commands, as small aggregates of their own.

Each is saved in the same call as the aggregate it guards, so a duplicate makes the whole
command fail on the store's (id, version) constraint and nothing of it is written.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import DuplicateFound

NAMESPACE = UUID("6f1c2a1e-5b7d-4c8e-9a57-3c1e0b2d4f60")


def unique_key_id(kind: str, value: str) -> UUID:
    """The id of the claim on ``value`` within ``kind`` (e.g. a username)."""
    return uuid5(NAMESPACE, f"{kind}:{value.strip().casefold()}")


def receipt_id(actor: str, key: str) -> UUID:
    """The id of the receipt of an ``Idempotency-Key`` sent by one actor."""
    return uuid5(NAMESPACE, f"idempotency:{actor}:{key}")


class UniqueKey(Aggregate):
    """A claim on a unique value, owned by one aggregate until released (an erased client's
    identity number), then free to be claimed again."""

    owner_id: UUID
    kind: str
    released: bool = False  # older snapshots lack it

    class Claimed(Created):
        kind: str
        owner_id: UUID

        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.kind = self.kind
            aggregate.owner_id = self.owner_id

    class Released(Event):
        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.released = True

    class Reclaimed(Event):
        owner_id: UUID

        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.owner_id = self.owner_id
            aggregate.released = False

    @classmethod
    def claim(cls, ctx: Context, kind: str, value: str, owner_id: UUID) -> UniqueKey:
        """Claim ``value`` for ``owner_id``; saving fails if it is claimed already."""
        return cls.claim_as(ctx, kind, unique_key_id(kind, value), owner_id)

    @classmethod
    def claim_as(cls, ctx: Context, kind: str, claim_id: UUID, owner_id: UUID) -> UniqueKey:
        """Claim the value whose claim has this id (a keyed digest of it, say)."""
        return cls._start(cls.Claimed, ctx, claim_id, kind=kind, owner_id=owner_id)

    def release(self, ctx: Context) -> None:
        """Give the value up: another owner may claim it."""
        if not self.released:
            self._record(self.Released, ctx)

    def reclaim(self, ctx: Context, owner_id: UUID) -> None:
        """Claim a released value for a new owner."""
        if not self.released:
            raise DuplicateFound(f"this {self.kind} is claimed")
        self._record(self.Reclaimed, ctx, owner_id=owner_id)


class CommandReceipt(Aggregate):
    """The first answer to a command sent with an ``Idempotency-Key``."""

    fingerprint: str
    result_id: UUID
    result_version: int

    class Recorded(Created):
        fingerprint: str
        result_id: UUID
        result_version: int

        def apply(self, aggregate: CommandReceipt) -> None:
            aggregate.fingerprint = self.fingerprint
            aggregate.result_id = self.result_id
            aggregate.result_version = self.result_version

    @classmethod
    def record(
        cls, ctx: Context, key: str, fingerprint: str, result_id: UUID, result_version: int
    ) -> CommandReceipt:
        """Record the answer given to the first request with this key."""
        return cls._start(
            cls.Recorded,
            ctx,
            receipt_id(ctx.actor, key),
            fingerprint=fingerprint,
            result_id=result_id,
            result_version=result_version,
        )
