"""The in-process scheduler (APScheduler 3.11). Jobs issue idempotent commands only.

On PostgreSQL only the leader (advisory lock) runs jobs; others stand by. ``tick(now)``
runs every job as of an instant, which is how tests and catch-up drive time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from adapters.shared.clock import Clock, system_clock
from adapters.shared.locks import Leadership, SoleLeader

log = structlog.get_logger(__name__)

Job = Callable[[datetime], int]


class Scheduler:
    def __init__(
        self,
        leadership: Leadership | None = None,
        interval_seconds: int = 60,
        clock: Clock = system_clock,
    ) -> None:
        self.jobs: dict[str, Job] = {}
        self.clock = clock
        self.leadership = leadership or SoleLeader()
        self.interval_seconds = interval_seconds
        self._scheduler: BackgroundScheduler | None = None

    def add(self, name: str, job: Job) -> None:
        self.jobs[name] = job

    def tick(self, now: datetime) -> dict[str, int]:
        """Run every job as of ``now``; each returns how many commands it issued."""
        if not self.leadership.acquire():
            return {}
        done = {}
        for name, job in self.jobs.items():
            structlog.contextvars.bind_contextvars(correlation_id=f"job:{name}:{now.isoformat()}")
            try:
                done[name] = job(now)
            except Exception:
                log.exception("scheduler.job_failed", job=name)
            finally:
                structlog.contextvars.unbind_contextvars("correlation_id")
        return done

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
