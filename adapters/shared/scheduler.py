"""The in-process scheduler (APScheduler 3.11). Jobs issue idempotent commands only.

On PostgreSQL only the leader (advisory lock) runs jobs; others stand by. ``tick(now)``
runs every job as of an instant, which is how tests and catch-up drive time.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from adapters.shared.clock import Clock, system_clock
from adapters.shared.locks import Leadership, SoleLeader
from adapters.shared.sql import ViewDatabase

log = structlog.get_logger(__name__)

Job = Callable[[datetime], int]

RUNS_DDL = (
    "CREATE TABLE IF NOT EXISTS scheduler_runs (job TEXT PRIMARY KEY, ran_at TEXT NOT NULL, "
    "issued INTEGER, error TEXT, leader TEXT NOT NULL, recorded_at TEXT NOT NULL)"
)


class Journal:
    """The scheduler's last run of each job, kept where every process can read it (the
    views' database): when, how many commands it issued or the error's kind, and which
    process led. Operations data, not business records: a crash may lose the last line."""

    def __init__(self, db: ViewDatabase) -> None:
        self.db = db
        self.identity = f"{socket.gethostname()}:{os.getpid()}"

    @staticmethod
    def create(db: ViewDatabase) -> None:
        """The journal's table (under the schema lock, as the views' are)."""
        with db.transaction() as tx:
            tx.execute(RUNS_DDL)

    def record(self, job: str, ran_at: datetime, issued: int | None, error: str | None) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO scheduler_runs (job, ran_at, issued, error, leader, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job) DO UPDATE SET "
                "ran_at = excluded.ran_at, issued = excluded.issued, error = excluded.error, "
                "leader = excluded.leader, recorded_at = excluded.recorded_at",
                (
                    job,
                    ran_at.isoformat(),
                    issued,
                    error,
                    self.identity,
                    system_clock().isoformat(),
                ),
            )

    def runs(self) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            return tx.query("SELECT * FROM scheduler_runs ORDER BY job")


class Scheduler:
    def __init__(
        self,
        leadership: Leadership | None = None,
        interval_seconds: int = 60,
        clock: Clock = system_clock,
        journal: Journal | None = None,
    ) -> None:
        self.jobs: dict[str, Job] = {}
        self.journal = journal
        self.leading = False  # whether this process led at its last tick
        self.clock = clock
        self.leadership = leadership or SoleLeader()
        self.interval_seconds = interval_seconds
        self._scheduler: BackgroundScheduler | None = None

    def add(self, name: str, job: Job) -> None:
        self.jobs[name] = job

    def tick(self, now: datetime) -> dict[str, int]:
        """Run every job as of ``now``; each returns how many commands it issued."""
        self.leading = self.leadership.acquire()
        if not self.leading:
            return {}
        done = {}
        for name, job in self.jobs.items():
            structlog.contextvars.bind_contextvars(correlation_id=f"job:{name}:{now.isoformat()}")
            error = None
            try:
                done[name] = job(now)
            except Exception as e:
                error = type(e).__name__  # the kind only: a message may hold personal data
                log.exception("scheduler.job_failed", job=name)
            finally:
                structlog.contextvars.unbind_contextvars("correlation_id")
            self._journal(name, now, done.get(name), error)
        return done

    def _journal(self, name: str, now: datetime, issued: int | None, error: str | None) -> None:
        if self.journal is None:
            return
        try:
            self.journal.record(name, now, issued, error)
        except Exception:  # noqa: BLE001 - the journal must not stop the jobs
            log.warning("scheduler.journal_failed", job=name)

    def start(self) -> None:
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._scheduler.add_job(
            lambda: self.tick(self.clock()),
            "interval",
            seconds=self.interval_seconds,
            id="tick",
            max_instances=1,
            coalesce=True,
            # At once: catch up after downtime, take the lead (APScheduler runs on real time).
            next_run_time=system_clock(),
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self.leadership.release()
