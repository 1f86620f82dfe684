"""An aggregate's recorded history, and its state as it was at an instant or a version.

Everything here is read from the event store (events and snapshots), never from a view,
so it answers what was recorded even when a view is behind, rebuilt or wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.shared.store import Store, replay
from domain.shared.base import Aggregate, DomainEvent, Snapshot
from domain.shared.errors import NotFound

T = TypeVar("T", bound=Aggregate)

ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}
)


@dataclass(frozen=True)
class Recorded:
    """One stored event as compliance reads it: where, what, when, who, and its data."""

    position: int
    version: int
    type: str
    at: datetime
    actor: str
    correlation_id: str
    causation_id: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, event: DomainEvent, position: int) -> Recorded:
        return cls(
            position=position,
            version=event.originator_version,
            type=type(event).__qualname__,
            at=event.timestamp,
            actor=event.meta.actor,
            correlation_id=event.meta.correlation_id,
            causation_id=event.meta.causation_id,
            data=event.model_dump(mode="json", exclude=set(ENVELOPE)),
        )


class History:
    """Reads of the past of one aggregate at a time."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def events(self, cls: type[Aggregate], aggregate_id: UUID) -> list[Recorded]:
        """Every stored event of the aggregate in version order, with its position."""
        events: list[Any] = list(self.store.events.get(aggregate_id))
        if not events or not _creates(events[0], cls):
            raise NotFound(f"{cls.__name__} {aggregate_id} not found")
        positions = self.store.positions(aggregate_id)
        return [Recorded.of(e, positions.get(e.originator_version, 0)) for e in events]

    def at_version(self, cls: type[T], aggregate_id: UUID, version: int) -> T:
        """The aggregate as it stood just after its event ``version``."""
        try:
            aggregate: Any = self.store.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"{cls.__name__} {aggregate_id} not found") from None
        return self._checked(cls, aggregate_id, aggregate)

    def as_of(self, cls: type[T], aggregate_id: UUID, at: datetime) -> T:
        """The aggregate after every event recorded at or before ``at``, in version order
        (NotFound when it did not exist yet).

        It starts from the latest snapshot taken at or before ``at`` and replays the events
        after it up to the first one recorded later than ``at``.
        """
        start: Any = None
        if self.store.snapshots is not None:
            snapshots: Iterable[Any] = self.store.snapshots.get(aggregate_id, desc=True)
            start = next((s for s in snapshots if s.timestamp <= at), None)
        after = start.originator_version if start is not None else None
        events = []
        stored: Iterable[Any] = self.store.events.get(aggregate_id, gt=after)
        for event in stored:
            if event.timestamp > at:
                break
            events.append(event)
        if start is None and (not events or not _creates(events[0], cls)):
            raise NotFound(f"{cls.__name__} {aggregate_id} did not exist at {at.isoformat()}")
        aggregate = replay(start.mutate(None) if start is not None else None, events)
        return self._checked(cls, aggregate_id, aggregate)

    @staticmethod
    def _checked(kind: type[T], aggregate_id: UUID, aggregate: Any) -> T:
        if not isinstance(aggregate, kind):
            raise NotFound(f"{kind.__name__} {aggregate_id} not found")
        return aggregate


def _creates(event: Any, cls: type[Aggregate]) -> bool:
    return getattr(event, "originator_topic", "").endswith(f":{cls.__qualname__}")


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    """The aggregate's state as its snapshot model holds it, as JSON values."""
    return Snapshot.take(aggregate).state
