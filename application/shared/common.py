"""What every context's commands share: results, loading, idempotent saving."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.shared.store import Store
from domain.shared.base import Aggregate, Context
from domain.shared.errors import ConcurrentWrite, InvalidField, NotFound, StaleVersion
from domain.shared.keys import CommandReceipt, receipt_id

IDEMPOTENCY_KEY = "Idempotency-Key"
ANOTHER_COMMAND = "was used for another kind of command"
T = TypeVar("T", bound=Aggregate)
E = TypeVar("E")


@dataclass(frozen=True)
class CommandResult:
    """What a write answers: the aggregate, its new version, the event position."""

    id: UUID
    version: int
    position: int
    changed: bool = True  # False when the command found nothing to record


@dataclass(frozen=True)
class Idempotency:
    """An ``Idempotency-Key`` with a fingerprint of the request it came with."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, *parts: bytes | str) -> Idempotency:
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode() if isinstance(part, str) else part)
            digest.update(b"\x00")
        return cls(key=key, fingerprint=digest.hexdigest())


class IdempotencyKeyReused(InvalidField):
    """The key was used before with a different request."""

    def __init__(self) -> None:
        super().__init__(IDEMPOTENCY_KEY, "was used before with a different request")


class Commands:
    """Base of the command handlers of one context."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, cls: type[T], aggregate_id: UUID, expected_version: int | None = None) -> T:
        """Load an aggregate of the given type, or raise NotFound/StaleVersion."""
        try:
            aggregate: Any = self.store.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{cls.__name__} {aggregate_id} not found") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"{cls.__name__} {aggregate_id} not found")
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersion(expected_version, aggregate.version)
        return aggregate

    def update(
        self,
        ctx: Context,
        cls: type[T],
        aggregate_id: UUID,
        action: Callable[[T], object],
        *,
        idem: Idempotency | None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Load, let the aggregate decide, save: the shape of every change command."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        aggregate = self.load(cls, aggregate_id, expected_version)
        action(aggregate)
        return self.commit(ctx, aggregate, idem=idem)

    def first_event(self, aggregate_id: UUID, cls: type[E]) -> E:
        """The event that created an aggregate, as recorded (answers replayed requests)."""
        return self.event_at(aggregate_id, 1, cls)

    def event_at(self, aggregate_id: UUID, version: int, cls: type[E]) -> E:
        """One recorded event of an aggregate, to answer a replayed request as it was."""
        events = self.store.events.get(aggregate_id, gt=version - 1, limit=1)  # pragma: no mutate
        found: Any = next(iter(events), None)  # pragma: no mutate - bounded read, first used
        if not isinstance(found, cls):
            # Unreachable while a fingerprint holds the method and path: a key's receipt
            # always names an event of the command it was first used for.
            raise InvalidField(IDEMPOTENCY_KEY, ANOTHER_COMMAND)
        return found

    def exists(self, aggregate_id: UUID) -> bool:
        first = self.store.events.get(aggregate_id, limit=1)  # pragma: no mutate - bounded read
        return bool(list(first))

    def replayed(self, ctx: Context, idem: Idempotency | None) -> CommandResult | None:
        """The first answer to this key, if the key was used before."""
        if idem is None:
            return None
        rid = receipt_id(ctx.actor, idem.key)
        try:
            receipt: Any = self.store.repository.get(rid)
        except AggregateNotFoundError:
            return None
        if receipt.fingerprint != idem.fingerprint:
            raise IdempotencyKeyReused
        position = self.store.position_of(rid, 1)
        return CommandResult(receipt.result_id, receipt.result_version, position)

    def commit(
        self, ctx: Context, target: Aggregate, *others: Aggregate, idem: Idempotency | None
    ) -> CommandResult:
        """Save the target and its companions in one transaction, with the receipt."""
        if not target.pending_events and not any(o.pending_events for o in others):
            return CommandResult(target.id, target.version, self.store.head(), changed=False)
        batch: list[Aggregate] = [target, *others]
        if idem is not None:
            batch.append(
                CommandReceipt.record(ctx, idem.key, idem.fingerprint, target.id, target.version)
            )
        try:
            recordings = self.store.save(*batch)
        except IntegrityError:
            earlier = self.replayed(ctx, idem)
            if earlier is not None:
                return earlier
            raise ConcurrentWrite(
                f"{type(target).__name__} {target.id} was changed by another command"
            ) from None
        return CommandResult(target.id, target.version, recordings[-1].notification.id)
