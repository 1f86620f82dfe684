"""Projection workers: follow the notification log, apply batches exactly once.

Each batch is applied in one view transaction that first moves the view's position
(compare-and-set), so a crash anywhere leaves either the whole batch and its position or
neither. A failing event is retried with backoff, then parked in the dead-letter table
and passed over, so one bad event never stops a view.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import structlog
from eventsourcing.persistence import ApplicationRecorder, Notification

from adapters.shared.locks import Leadership, SoleLeader
from adapters.shared.sql import ViewDatabase, WriteBehind, is_disconnect
from projections.shared.base import View, advance, park, read_position

log = structlog.get_logger(__name__)


class EventSource(Protocol):
    recorder: ApplicationRecorder

    @property
    def mapper(self) -> Any: ...


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 500
    max_attempts: int = 3
    backoff: float = 0.2
    poll_interval: float = 0.5
    coalesce: float = 0.005
    # Events applied after which the view's tables are tidied (statistics, dead rows)
    # once the worker has caught up: a rebuild, a bulk import, a long downtime.
    tidy_after: int = 10_000
    # A step at least this far behind the head applies its batch in bulk
    # (``View.apply_bulk``): a view may leave what it can compute again at once for
    # ``View.settle``, which runs once the worker has caught up.
    bulk_after: int = 10_000
    # A step in bulk reads this many events at once: fewer transactions, each commit a
    # flush to disk (a view of every event commits 3,000 times a rebuild of 1.5 M at 500).
    bulk_batch_size: int = 5_000


class PositionMoved(Exception):
    """Another worker (or a rebuild) moved the position: re-read it and go on."""


class ProjectionWorker:
    def __init__(
        self,
        source: EventSource,
        db: ViewDatabase,
        view: View,
        config: WorkerConfig,
        leadership: Leadership | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.db = db
        self.view = view
        self.config = config
        self.leadership = leadership or SoleLeader()
        self.sleep = sleep
        self.name = view.position_name
        # The position this worker itself committed last; the compare-and-set in every
        # batch catches anyone else moving it, and then it is read again.
        self._known: int | None = None
        self._seen = 0  # the head the last step read
        self._applied = 0  # events applied since the tables were last tidied
        # A view that defers work in bulk is settled at this worker's first catch-up (a
        # crash may have stopped the last one mid-bulk) and at the end of each bulk; a
        # bulk under way applies its batches in bulk until then, the last ones too.
        self._unsettled = view.defers
        self._bulk = False

    def position(self) -> int:
        with self.db.read() as tx:
            return read_position(tx, self.name)

    def catch_up(self, until: int | None = None) -> int:
        """Apply everything up to the head (or ``until``); return how far this worker
        moved it. Another worker of the same view (a running service's) may take batches
        meanwhile: this one waits for those, so the view is at the head it saw when it
        returns."""
        moved = 0
        while True:
            step = self.step(until)
            moved += step
            if step > 0:
                continue
            if self.position() >= self._seen:
                if self._unsettled:
                    self.settle()
                if self._applied >= self.config.tidy_after:
                    self.tidy()
                return moved
            until = self._seen  # another worker's batch is being written: look again
            time.sleep(0.005)

    def settle(self) -> None:
        """Bring up to date what the view left for later in bulk (``View.settle``), at
        the position it is at: the position row stays locked meanwhile, so no batch moves
        it; if one moved it first, the next catch-up settles."""
        self._known = None
        with self.db.transaction() as tx:
            position = read_position(tx, self.name)
            if not advance(tx, self.name, position, position):
                return
            self.view.settle(tx)
        self._unsettled = self._bulk = False

    def tidy(self) -> None:
        """Give the view's tables fresh planner statistics (and, on PostgreSQL, vacuum
        them): after many rows changed, the plans of its queries depend on it."""
        self.db.tidy([self.view.t(base) for base in self.view.tables])
        self._applied = 0

    def _cached_position(self) -> int:
        """The position this worker committed last (a cache), else the database's."""
        return self.position() if self._known is None else self._known  # pragma: no mutate

    def step(self, until: int | None = None) -> int:
        position = self._cached_position()
        head = self.source.recorder.max_notification_id() or 0
        if until is not None:
            head = min(head, until)
        self._seen = head
        if head <= position:  # pragma: no mutate - with <, a no-op transaction
            return 0
        bulk = self._bulk or head - position >= self.config.bulk_after
        size = (
            max(self.config.bulk_batch_size, self.config.batch_size)
            if bulk
            else self.config.batch_size
        )
        batch = self.source.recorder.select_notifications(
            position + 1, size, stop=head, topics=self.view.topics
        )
        new_position = batch[-1].id if len(batch) == size else head
        return self._advance(position, new_position, batch, bulk)

    def apply_read(self, window: Sequence[Notification], reached: int) -> int:
        """Apply, in bulk, this view's share of a window of events read for several
        views (every topic, up to ``reached``): how far it moved. A window with none of
        its events moves nothing (no transaction): its next batch or step moves past it."""
        position = self._cached_position()
        # the window starts after the position unless another worker moved it meanwhile
        unseen = window if window[0].id > position else [n for n in window if n.id > position]
        topics = set(self.view.topics)  # as the store reads them: none is every topic
        batch = [n for n in unseen if n.topic in topics] if topics else unseen
        if not batch:
            return 0
        return self._advance(position, reached, batch, bulk=True)

    def _advance(
        self, position: int, new_position: int, batch: Sequence[Notification], bulk: bool
    ) -> int:
        """The batch applied and the position moved to ``new_position``, or each event
        of it on its own, a failing one parked: how far it moved (0 if another did)."""
        try:
            self._apply(position, new_position, batch, bulk)
        except PositionMoved:
            return 0
        except Exception as e:
            if is_disconnect(e):
                raise  # the database went away, not the batch's fault: the loop waits
            log.warning("projection.batch_failed", projection=self.name, position=position)
            if not self._apply_one_by_one(position, new_position, batch):
                return 0
        return new_position - position

    def _apply(
        self, position: int, new_position: int, batch: Sequence[Notification], bulk: bool = False
    ) -> None:
        self._known = None
        with self.db.transaction() as tx:
            if not advance(tx, self.name, position, new_position):
                raise PositionMoved
            items = self._items(batch)
            with tx.pipelined():
                writes = WriteBehind(tx)
                if bulk:
                    self.view.apply_bulk(writes, items)
                else:
                    self.view.apply(writes, items)
            writes.flush()  # out of the pipeline: PostgreSQL can COPY the rows
        self._known = new_position  # pragma: no mutate - a cache: None re-reads it
        self._applied += len(items)
        if bulk and self.view.defers:
            self._bulk = self._unsettled = True

    def _items(self, batch: Sequence[Notification]) -> list[tuple[Any, int]]:
        """What the view applies: domain events, or the stored records for a raw view."""
        if self.view.raw:
            return [(n, n.id) for n in batch]
        events = self.source.mapper.to_domain_events(batch, personal=self.view.personal)
        return list(zip(events, (n.id for n in batch), strict=True))  # pragma: no mutate

    def _apply_one_by_one(
        self, position: int, new_position: int, batch: Sequence[Notification]
    ) -> bool:
        current = position
        try:
            for notification in batch:
                self._apply_with_retries(current, notification)
                current = notification.id
            if new_position > current:  # pragma: no mutate - else a no-op transaction
                self._apply(current, new_position, [])
        except PositionMoved:
            return False
        return True

    def _apply_with_retries(self, position: int, notification: Notification) -> None:
        error: Exception | None = None
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                self._apply(position, notification.id, [notification])
            except PositionMoved:
                raise
            except Exception as e:
                if is_disconnect(e):
                    raise  # not the event's fault: it is not parked for it
                error = e
                if attempt < self.config.max_attempts:
                    self.sleep(self.config.backoff * 2 ** (attempt - 1))
            else:
                return
        self._park(position, notification, error, self.config.max_attempts)

    def _park(self, position: int, n: Notification, error: Exception | None, attempts: int) -> None:
        message = failure_of(error)
        self._known = None
        with self.db.transaction() as tx:
            if not advance(tx, self.name, position, n.id):
                raise PositionMoved
            park(
                tx,
                self.name,
                n.id,
                n.topic,
                _id(n.originator_id),
                n.originator_version,
                message,
                attempts,
            )
        self._known = n.id  # pragma: no mutate - a cache: None re-reads the same position
        log.error(
            "projection.event_parked",
            projection=self.name,
            position=n.id,
            topic=n.topic,
            error_type=type(error).__name__,
        )

    def retry_parked(self) -> int:
        """Apply parked events again, out of order; those that now work leave the table."""
        with self.db.read() as tx:
            rows = tx.query(
                "SELECT position FROM projection_dead_letters WHERE projection = ? "
                "ORDER BY position",
                (self.name,),
            )
        fixed = 0
        for row in rows:
            position = int(row["position"])
            # pragma: no mutate start - a bounded read of the one record that is parked
            notes = self.source.recorder.select_notifications(position, 1, stop=position)
            # pragma: no mutate end
            try:
                with self.db.transaction() as tx:
                    self.view.apply(tx, self._items(notes))
                    tx.execute(
                        "DELETE FROM projection_dead_letters WHERE projection = ? AND position = ?",
                        (self.name, position),
                    )
                fixed += 1
            except Exception:  # noqa: BLE001 - it stays parked
                log.warning("projection.retry_failed", projection=self.name, position=position)
        return fixed

    def run(self, stop: threading.Event, wake: threading.Event) -> None:
        """Follow the log until stopped: catch up, then wait for a wake-up or the poll."""
        failures = 0
        while not stop.is_set():
            try:
                if self.leadership.acquire():
                    self.catch_up()
                failures = 0
            except Exception:
                failures += 1
                log.exception("projection.worker_error", projection=self.name)
                stop.wait(min(30.0, self.config.backoff * 2 ** min(failures, 8)))
                continue
            if wake.wait(self.config.poll_interval):
                # Let a burst of writes gather into one batch instead of one each.
                stop.wait(self.config.coalesce)
            wake.clear()
        self.leadership.release()


def failure_of(error: Exception | None) -> str:
    """What a dead letter says of a failure: the exception's type and where it was raised,
    never its message (which may quote an event's values, personal data among them)."""
    if error is None:
        return "unknown"
    frames = traceback.extract_tb(error.__traceback__)
    cause = error.__cause__
    kinds = type(error).__name__ + (f" from {type(cause).__name__}" if cause else "")
    if not frames:
        return kinds
    last = frames[-1]
    return f"{kinds} at {Path(last.filename).name}:{last.lineno} in {last.name}"


def _id(originator_id: UUID | str) -> str:
    return str(originator_id)
