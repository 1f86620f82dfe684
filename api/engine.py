"""The engine: the store, handlers, views, workers and scheduler one process needs, built
from a list of bounded contexts (``api.contexts.build_engine`` gives it ours)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar, get_type_hints

from adapters.shared.clock import Clock, system_clock
from adapters.shared.eventstore import (
    OrderedPostgresApplicationRecorder,
    event_store_env,
    key_table,
    latest_of,
    position_of,
    positions_of,
)
from adapters.shared.locks import Leadership, SessionLocks, SoleLeader
from adapters.shared.personal import KeyRing, SealingMapper, load_masters
from adapters.shared.scheduler import Journal, Scheduler
from adapters.shared.settings import Settings
from adapters.shared.sql import PostgresViews, open_views, schema_lock
from adapters.staff.auth import TokenService, secret_key
from api.shared.context import BoundedContext, Job, Registry
from api.shared.jobs import job_context
from application.demo.load import DemoCommands
from application.shared.store import Store
from domain.shared.progress import Progress, quiet
from projections.shared.base import View
from projections.shared.runner import Projector, rebuild, rebuild_together
from projections.shared.worker import ProjectionWorker, WorkerConfig

V = TypeVar("V", bound=View)
H = TypeVar("H")


class Engine:
    """Everything one process needs; built at start-up, never at import."""

    def __init__(
        self,
        settings: Settings,
        contexts: Sequence[BoundedContext],
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.registry = Registry(contexts)
        self.db = open_views(settings)
        self.keyring = KeyRing(load_masters(settings))
        self._locks = SessionLocks(self.db.connect) if isinstance(self.db, PostgresViews) else None
        self._views: dict[type[View], View] = {
            cls: cls.configured(settings) for cls in self.registry.views
        }
        self.store = self._open_store()
        self.keyring.attach(key_table(self.store.recorder))
        # Keys stored before wrapping, or under an older master: wrapped under the current.
        self.rewrapped = self.keyring.rewrap()
        self.worker_config = WorkerConfig(
            batch_size=settings.projection_batch_size,
            max_attempts=settings.projection_max_attempts,
            backoff=settings.projection_backoff,
            poll_interval=settings.projection_poll_interval,
        )
        self.projector = self._projector()
        self.tokens = TokenService(secret_key(settings), timedelta(hours=settings.token_ttl_hours))
        self._handlers: dict[type[Any], object] = {}
        for context in self.registry.contexts:
            for make in context.handlers:
                handler = make(self)
                self._handlers[type(handler)] = handler
        self.scheduler = Scheduler(
            self._leadership("scheduler"),
            settings.scheduler_interval_seconds,
            clock,
            Journal(self.db),
        )
        self._last_runs: dict[str, datetime] = {}  # a periodic job's last run here
        for job in self.registry.jobs:
            self.scheduler.add(job.name, partial(self._run_job, job))
        self._started = False

    def _run_job(self, job: Job, now: datetime) -> int:
        last = self._last_runs.get(job.name)
        if job.every is not None and last is not None and timedelta(0) <= now - last < job.every:
            return 0
        issued = job.run(self, job_context(job.name, now))
        self._last_runs[job.name] = now
        return issued

    def _open_store(self) -> Store:
        """The views' tables, then the store, under the schema lock (several processes may
        start at once on PostgreSQL)."""
        intervals = self.registry.snapshot_intervals(self.settings.snapshot_intervals)
        with schema_lock(self.settings):
            for view in self._views.values():
                view.create(self.db)
            Journal.create(self.db)
            store = Store(
                event_store_env(self.settings, snapshotting=bool(intervals)),
                intervals,
                on_saved=self._saved,
                position_finder=position_of,
                positions_finder=positions_of,
                latest_finder=latest_of,
                mapper=SealingMapper(self.keyring),
            )
        if isinstance(store.recorder, OrderedPostgresApplicationRecorder):
            store.recorder.limit_writers(self.settings.connections.writers)
        return store

    def view(self, cls: type[V]) -> V:
        """The live view of a class some context declares."""
        view = self._views[cls]
        assert isinstance(view, cls)
        return view

    def handler(self, cls: type[H]) -> H:
        """The command (or query) handler of a class some context declares."""
        handler = self._handlers[cls]
        assert isinstance(handler, cls)
        return handler

    def demo_commands(self) -> DemoCommands:
        hints = get_type_hints(DemoCommands)
        return DemoCommands(**{f.name: self.handler(hints[f.name]) for f in fields(DemoCommands)})

    def _projector(self) -> Projector:
        workers = [
            ProjectionWorker(
                self.store,
                self.db,
                view,
                self.worker_config,
                leadership=self._leadership(f"projection:{view.name}"),
            )
            for view in self._views.values()
        ]
        listen = self.db.connect if isinstance(self.db, PostgresViews) else None
        channel = getattr(self.store.recorder, "channel_name", "")
        return Projector(self.store, self.db, workers, listen=listen, channel=channel)

    def _leadership(self, key: str) -> Leadership:
        if self._locks is not None:
            return self._locks.lock(f"{self.settings.database_schema}:{key}")
        return SoleLeader()

    def _saved(self, position: int) -> None:
        self.projector.wake(position)

    def start(self) -> None:
        if self.settings.run_workers:
            self.projector.start()
        if self.settings.run_scheduler:
            self.scheduler.start()
        self._started = True

    def tick(self, now: datetime) -> dict[str, int]:
        """Run every scheduler job as of ``now`` on views caught up to the head."""
        self.projector.catch_up()
        return self.scheduler.tick(now)

    def rebuild(self, name: str, progress: Progress = quiet) -> int:
        live = self.projector.workers[name].view
        return rebuild(self.store, self.db, live, self.worker_config, progress)

    def rebuild_all(
        self, progress: Callable[[str], Progress] = lambda _: quiet, jobs: int = 2
    ) -> list[tuple[str, int, float]]:
        """Every view rebuilt, the store read once for them all, ``jobs`` views applying
        at a time (``rebuild_together``); each keeps serving its old tables until its own
        swap. Each view's name, the position it reached and its seconds, in order."""
        views = [worker.view for worker in self.projector.workers.values()]
        return rebuild_together(self.store, self.db, views, self.worker_config, progress, jobs)

    def close(self) -> None:
        if self._started:
            self.scheduler.stop()
            self.projector.stop()
        self.store.close()
        self.db.close()
