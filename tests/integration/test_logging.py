"""No personal data in logs: errors logged by the scheduler and the projection workers
carry the exception's type and stack, never its message."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog

from adapters.shared.logging import configure_logging
from adapters.shared.scheduler import Scheduler
from adapters.shared.settings import Settings
from api.contexts import build_engine
from projections.clients.views import ClientsView
from projections.shared.worker import ProjectionWorker, WorkerConfig
from tests.conftest import make_settings
from tests.integration.test_dead_letters import Rounds

PERSONAL = "Lin Mei 440101199001011234"


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[io.StringIO]:
    """Logging at its most verbose, into a buffer; as configured by serve otherwise."""
    buffer = io.StringIO()
    configure_logging(make_settings("sqlite", tmp_path, log_level="DEBUG"), buffer)
    yield buffer
    structlog.reset_defaults()


def test_a_failing_scheduler_job_logs_its_error_type_not_the_data_in_its_message(
    logs: io.StringIO,
) -> None:
    """README claim: no personal data in logs (scheduler)."""
    # Given a job that fails with personal data in the exception's message
    scheduler = Scheduler()

    def failing(_: Any) -> int:
        try:
            raise KeyError(PERSONAL)
        except KeyError as e:
            raise ValueError(f"duplicate key value (name)=({PERSONAL})") from e

    scheduler.add("reviews", failing)
    # When it runs
    done = scheduler.tick(datetime(2026, 6, 1, 9, tzinfo=UTC))
    # Then the failure is logged with both exception types and the stack, not the data
    text = logs.getvalue()
    assert done == {}
    assert "scheduler.job_failed" in text
    assert "ValueError" in text
    assert "KeyError" in text
    assert "in failing" in text
    assert "Lin Mei" not in text
    assert "440101" not in text


class BrokenRecorder:
    """A store connection whose errors quote a row, as PostgreSQL's DETAIL does."""

    def max_notification_id(self) -> int:
        raise RuntimeError(f'Key (name)=("{PERSONAL}") already exists')


def test_a_failing_projection_worker_logs_its_error_type_not_the_data_in_its_message(
    logs: io.StringIO, settings: Settings
) -> None:
    """README claim: no personal data in logs (projection workers)."""
    engine = build_engine(settings)
    try:
        source: Any = type("Source", (), {"recorder": BrokenRecorder(), "mapper": None})()
        view = ClientsView(suffix="_log")
        view.create(engine.db)
        worker = ProjectionWorker(source, engine.db, view, WorkerConfig(backoff=0.0))
        stop = Rounds(1)  # one failed round, then stop
        worker.run(stop, threading.Event())
    finally:
        engine.close()
    text = logs.getvalue()
    assert len(stop.waits) == 1
    assert "projection.worker_error" in text
    assert "RuntimeError" in text
    assert "Lin Mei" not in text
