"""The one event store every context writes to (one notification sequence)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.persistence import Mapper, Recording, StoredEvent
from eventsourcing.utils import Environment

from domain.shared.base import Snapshot


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply events in order. The library's default projector asserts each event against a
    runtime protocol, which costs a third of loading a snapshotted aggregate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


# An aggregate's latest snapshot and the events after it, as stored, in one read (None
# where the store has no such read).
LatestFinder = Callable[[Any, Any, UUID], "tuple[StoredEvent | None, list[StoredEvent]] | None"]


class ReplayingRepository(Repository[UUID]):
    def __init__(self, *args: Any, latest: LatestFinder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._latest = latest

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        kwargs.setdefault("projector_func", replay)
        if kwargs.get("version") is None and self._latest and self.snapshot_store is not None:
            found = self._latest(
                self.event_store.recorder, self.snapshot_store.recorder, aggregate_id
            )
            if found is not None:
                return self._from(aggregate_id, *found, kwargs["projector_func"])
        return super().get(aggregate_id, **kwargs)

    def _from(
        self,
        aggregate_id: UUID,
        snapshot: StoredEvent | None,
        events: list[StoredEvent],
        projector: Callable[[Any, Iterable[Any]], Any],
    ) -> Any:
        """The aggregate from its latest snapshot (if any) and the events after it."""
        assert self.snapshot_store is not None
        decoded = [self.snapshot_store.mapper.to_domain_event(snapshot)] if snapshot else []
        decoded += [self.event_store.mapper.to_domain_event(e) for e in events]
        aggregate = projector(None, decoded)
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} version None not found.")
        return aggregate


class Store(Application[UUID]):
    """The library's application, configured only by the environment it is given."""

    name = "Assure"
    snapshot_class = Snapshot

    def __init__(
        self,
        env: Mapping[str, str],
        snapshot_intervals: Mapping[type[Any], int] | None = None,
        on_saved: Callable[[int], None] | None = None,
        position_finder: Callable[[Any, UUID, int], int] | None = None,
        positions_finder: Callable[[Any, UUID], dict[int, int]] | None = None,
        mapper: Mapper[UUID] | None = None,
        latest_finder: LatestFinder | None = None,
    ) -> None:
        self.__dict__["snapshotting_intervals"] = dict(snapshot_intervals or {})
        self._on_saved = on_saved
        self._position_finder = position_finder
        self._positions_finder = positions_finder
        self._mapper = mapper
        self._latest_finder = latest_finder
        super().__init__(dict(env))

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Use only the given settings: never the process environment."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        """The mapper given (one that seals personal data), else the configured one."""
        return self._mapper or super().construct_mapper()

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository without its cache (commands always read the store)."""
        return ReplayingRepository(
            event_store=self.events, snapshot_store=self.snapshots, latest=self._latest_finder
        )

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, without its per-object runtime protocol checks (hot path)."""
        processing = ProcessingEvent[UUID]()
        for obj in objs:
            if obj is not None:
                processing.events.extend(obj.collect_events())
                processing.aggregates[obj.id] = obj
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """At most one snapshot per aggregate and save, taken from the aggregate in hand.

        The library reloads the aggregate for every interval crossed, which makes a bulk
        save of hundreds of events per aggregate reload it again and again.
        """
        if self.snapshots is None:
            return
        for aggregate in processing_event.aggregates.values():
            interval = self.snapshotting_intervals.get(type(aggregate))
            versions = [
                e.originator_version
                for e in processing_event.events
                if e.originator_id == aggregate.id
            ]
            if (
                interval
                and versions
                and max(versions) // interval > (min(versions) - 1) // interval
            ):
                self.snapshots.put([Snapshot.take(aggregate)])

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings and self._on_saved is not None:
            self._on_saved(recordings[-1].notification.id)

    def close(self) -> None:
        closer = getattr(self.recorder, "close", None)
        if closer is not None:
            closer()
        super().close()

    def head(self) -> int:
        """The position of the last stored event (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def position_of(self, aggregate_id: UUID, version: int) -> int:
        """The position of one stored event (the head when no finder is configured)."""
        if self._position_finder is None:
            return self.head()
        return self._position_finder(self.recorder, aggregate_id, version)

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        """The position of each stored event of one aggregate, by version (empty when no
        finder is configured)."""
        if self._positions_finder is None:
            return {}
        return self._positions_finder(self.recorder, aggregate_id)
