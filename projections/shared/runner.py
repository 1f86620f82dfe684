"""Running the workers in threads, waking them, reporting on them, and rebuilding a view."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import Notification

from adapters.shared.sql import ViewDatabase
from domain.shared.progress import Progress, quiet
from projections.shared.base import View, dead_letters, positions, read_position
from projections.shared.worker import EventSource, ProjectionWorker, WorkerConfig

log = structlog.get_logger(__name__)


class Projector:
    """One thread per view, plus (on PostgreSQL) one listening for NOTIFY."""

    def __init__(
        self,
        source: EventSource,
        db: ViewDatabase,
        workers: list[ProjectionWorker],
        listen: Callable[[], psycopg.Connection[Any]] | None = None,
        channel: str = "",
    ) -> None:
        self.source = source
        self.db = db
        self.workers = {w.name: w for w in workers}
        self._listen = listen
        self._channel = channel
        self._stop = threading.Event()
        self._wakes = {name: threading.Event() for name in self.workers}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for name, worker in self.workers.items():
            thread = threading.Thread(
                target=worker.run,
                args=(self._stop, self._wakes[name]),
                name=f"projection-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        if self._listen is not None:
            thread = threading.Thread(
                target=self._listen_loop, name="projection-listen", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def wake(self, _position: int | None = None) -> None:
        for event in self._wakes.values():
            if not event.is_set():  # set() takes a lock each time: a command pays for it
                event.set()

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def catch_up(self) -> int:
        """Run every worker to the head in this thread (CLI, tests)."""
        return sum(worker.catch_up() for worker in self.workers.values())

    def _listen_loop(self) -> None:
        # NOTIFY only wakes the workers early; they poll anyway, so a missed one costs
        # at most one poll interval.
        assert self._listen is not None
        poll = min(w.config.poll_interval for w in self.workers.values())
        while not self._stop.is_set():
            try:
                with self._listen() as conn:
                    conn.execute(f'LISTEN "{self._channel}"')
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=poll, stop_after=1):
                            self.wake()
            except psycopg.Error:
                log.warning("projection.listen_lost")
                self._stop.wait(1.0)

    def status(self) -> list[dict[str, Any]]:
        head = self.source.recorder.max_notification_id() or 0
        current = positions(self.db)
        parked = dead_letters(self.db)
        report = []
        for name in self.workers:
            position = current.get(name, 0)
            report.append(
                {
                    "name": name,
                    "position": position,
                    "head": head,
                    "lag": max(head - position, 0),
                    "parked": [p for p in parked if p["projection"] == name],
                }
            )
        return report

    def positions(self) -> dict[str, int]:
        """Where each view is, as its position row says."""
        return positions(self.db)


def rebuild(
    source: EventSource,
    db: ViewDatabase,
    live: View,
    config: WorkerConfig,
    progress: Progress = quiet,
) -> int:
    """Rebuild one view from the events into shadow tables, then swap them in.

    The live view keeps serving meanwhile. The swap locks the live position row, drops
    the live tables, renames the shadow ones and sets the live position to the shadow's:
    a live worker mid-batch then fails its compare-and-set and re-reads the position.
    """
    worker = _shadow_worker(source, db, live, config)
    _catch_up(worker, progress)
    return _swap_in(db, live, worker)


def rebuild_together(
    source: EventSource,
    db: ViewDatabase,
    lives: Sequence[View],
    config: WorkerConfig,
    progress: Callable[[str], Progress] = lambda _: quiet,
    jobs: int = 2,
) -> list[tuple[str, int, float]]:
    """Rebuild several views, reading the store once for them all.

    Each window of events is read once (every topic) and each event decoded once (once
    more, opened, if some view reads personal fields and another does not); each view
    applies its share of the window in its own transaction, ``jobs`` views at a time
    (one's Python work overlaps another's waits on the database). Events stored meanwhile
    are applied by each view's own steps after. Each view keeps serving its old tables
    until its own swap. Each view's name, the position it reached and the seconds of its
    own work (applying its share, settling, indexing, swapping; not the shared reads).
    """
    shared = _SharedReading(source)
    workers = [_shadow_worker(shared, db, live, config) for live in lives]
    seconds = dict.fromkeys(range(len(lives)), 0.0)  # each view's own work
    reports = [progress(live.name) for live in lives]
    head = source.recorder.max_notification_id() or 0
    size = max(config.bulk_batch_size, config.batch_size)

    def timed(n: int, work: Callable[..., int], *args: Any) -> int:
        started = time.monotonic()
        done = work(*args)
        seconds[n] += time.monotonic() - started
        return done

    def share(n: int, window: Sequence[Notification], reached: int) -> int:
        return timed(n, workers[n].apply_read, window, reached)

    def finish(n: int) -> int:
        _catch_up(workers[n], reports[n])  # and what was stored meanwhile
        return _swap_in(db, lives[n], workers[n])

    views, position = range(len(lives)), 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while position < head:
            window = source.recorder.select_notifications(position + 1, size, stop=head)
            reached = window[-1].id if len(window) == size else head
            for _ in pool.map(share, views, repeat(window), repeat(reached)):
                pass  # each view's share applied before the next window
            shared.forget()
            position = reached
            for report in reports:
                report("events", position, head)
        positions = list(pool.map(lambda n: timed(n, finish, n), views))
    return [(live.name, positions[n], seconds[n]) for n, live in enumerate(lives)]


class _SharedReading:
    """An event source whose decoded events are kept for the window being applied: the
    views rebuilt together decode each event once (per reading of personal fields)."""

    def __init__(self, source: EventSource) -> None:
        self.recorder = source.recorder
        self._mapper = source.mapper
        self._decoded: dict[tuple[int, bool], Any] = {}
        self._lock = threading.Lock()

    @property
    def mapper(self) -> _SharedReading:
        return self

    def to_domain_events(self, batch: Sequence[Notification], personal: bool = True) -> list[Any]:
        with self._lock:  # one thread decodes what another would decode too
            missing = [n for n in batch if (n.id, personal) not in self._decoded]
            if missing:
                events = self._mapper.to_domain_events(missing, personal=personal)
                for n, event in zip(missing, events, strict=True):
                    self._decoded[n.id, personal] = event
            return [self._decoded[n.id, personal] for n in batch]

    def forget(self) -> None:
        self._decoded.clear()


def _shadow_worker(
    source: EventSource, db: ViewDatabase, live: View, config: WorkerConfig
) -> ProjectionWorker:
    """A worker on fresh shadow tables of the view (a rebuild's)."""
    shadow = live.with_suffix("__rebuild")
    with db.transaction() as tx:
        shadow.drop(tx)
    shadow.create(db, indexes=not live.late_indexes)
    live.create(db)
    return ProjectionWorker(source, db, shadow, config)


def _catch_up(worker: ProjectionWorker, progress: Progress) -> None:
    """The shadow view's own steps to the head, then what it left for later."""
    head = worker.source.recorder.max_notification_id() or 0
    progress("events", min(worker.position(), head), head)
    while worker.step() > 0:
        progress("events", min(worker.position(), head), head)
    progress("events", head, head)
    worker.settle()  # what the view left for later in bulk, before the swap
    if worker.view.late_indexes:
        worker.view.create_indexes(worker.db)
    worker.tidy()  # the tables swapped in come with their statistics


def _swap_in(db: ViewDatabase, live: View, worker: ProjectionWorker) -> int:
    """The shadow's tables in place of the live view's, at the shadow's position."""
    shadow = worker.view
    with db.transaction() as tx:
        tx.execute(
            "UPDATE projection_positions SET position = position WHERE name = ?",
            (live.position_name,),
        )
        worker_position = read_position(tx, shadow.position_name)
        for base in live.tables:
            tx.execute(f"DROP TABLE IF EXISTS {live.t(base)}")
            tx.execute(f"ALTER TABLE {shadow.t(base)} RENAME TO {live.t(base)}")
        tx.execute(
            "UPDATE projection_positions SET position = ? WHERE name = ?",
            (worker_position, live.position_name),
        )
        tx.execute("DELETE FROM projection_positions WHERE name = ?", (shadow.position_name,))
        tx.execute("DELETE FROM projection_schemas WHERE name = ?", (shadow.position_name,))
        tx.execute(
            "DELETE FROM projection_dead_letters WHERE projection = ?", (live.position_name,)
        )
        tx.execute(
            "UPDATE projection_dead_letters SET projection = ? WHERE projection = ?",
            (live.position_name, shadow.position_name),
        )
    return worker_position
