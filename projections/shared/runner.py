"""Running the workers in threads, waking them, reporting on them, and rebuilding a view."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import structlog

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
    shadow = live.with_suffix("__rebuild")
    with db.transaction() as tx:
        shadow.drop(tx)
    shadow.create(db, indexes=not live.late_indexes)
    live.create(db)
    worker = ProjectionWorker(source, db, shadow, config)
    head = source.recorder.max_notification_id() or 0
    progress("events", 0, head)
    while worker.step() > 0:
        progress("events", min(worker.position(), head), head)
    progress("events", head, head)
    worker.settle()  # what the view left for later in bulk, before the swap
    if live.late_indexes:
        shadow.create_indexes(db)
    worker.tidy()  # the tables swapped in come with their statistics
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
