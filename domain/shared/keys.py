"""Uniqueness across aggregates and idempotent commands, as small aggregates of their own.

Each is saved in the same call as the aggregate it guards, so a duplicate makes the whole
command fail on the store's (id, version) constraint and nothing of it is written.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created

NAMESPACE = UUID("6f1c2a1e-5b7d-4c8e-9a57-3c1e0b2d4f60")


def unique_key_id(kind: str, value: str) -> UUID:
    """The id of the claim on ``value`` within ``kind`` (e.g. a username)."""
    return uuid5(NAMESPACE, f"{kind}:{value.strip().casefold()}")


def receipt_id(actor: str, key: str) -> UUID:
    """The id of the receipt of an ``Idempotency-Key`` sent by one actor."""
    return uuid5(NAMESPACE, f"idempotency:{actor}:{key}")


class UniqueKey(Aggregate):
    """A claim on a unique value, owned by one aggregate."""

    owner_id: UUID
    kind: str

    class Claimed(Created):
        kind: str
        owner_id: UUID

        def apply(self, aggregate: UniqueKey) -> None:
            aggregate.kind = self.kind
            aggregate.owner_id = self.owner_id

    @classmethod
    def claim(cls, ctx: Context, kind: str, value: str, owner_id: UUID) -> UniqueKey:
        """Claim ``value`` for ``owner_id``; saving fails if it is claimed already."""
        return cls._start(
            cls.Claimed, ctx, unique_key_id(kind, value), kind=kind, owner_id=owner_id
        )


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
