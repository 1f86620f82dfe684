"""A failing event on each store: retried with backoff, then parked with what an operator
needs to find it, passed over so the view goes on, and retried on request."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import psycopg
import pytest
from structlog.testing import capture_logs

from api.engine import Engine
from application.clients.commands import ClientCommands
from domain.clients.registry import Channel, Client
from domain.shared.base import Context
from projections.clients.views import ClientsView
from projections.shared.base import dead_letters
from projections.shared.worker import ProjectionWorker, WorkerConfig
from tests.conftest import client_fields


class RefusingView(ClientsView):
    """Refuses tier changes to platinum while ``refusing``; counts its attempts."""

    name = "refusing"
    refusing: ClassVar[bool] = True
    attempts: ClassVar[int] = 0
    error: ClassVar[str] = "cannot apply platinum"

    def tier_changed(self, tx: Any, e: Client.TierChanged, position: int) -> None:
        if e.tier == "platinum":
            RefusingView.attempts += 1
            if RefusingView.refusing:
                raise RuntimeError(RefusingView.error)
        super().tier_changed(tx, e, position)


def worker(
    engine: Engine, view: ClientsView, slept: list[float], **config: Any
) -> ProjectionWorker:
    view.create(engine.db)
    return ProjectionWorker(
        engine.store, engine.db, view, WorkerConfig(**config), sleep=slept.append
    )


def refused_history(engine: Engine, ctx: Context, calls: int = 4) -> tuple[Client, int]:
    """A client moved to platinum, then called ``calls`` times: the client and the
    position of the tier change."""
    RefusingView.refusing, RefusingView.attempts = True, 0
    RefusingView.error = "cannot apply platinum"
    client: Any = engine.handler(ClientCommands).register(ctx, **client_fields())
    tier = (
        engine.handler(ClientCommands)
        .change_tier(ctx, client.id, "platinum", "private banking")
        .position
    )
    for n in range(calls):
        engine.handler(ClientCommands).log_interaction(
            ctx, client.id, Channel.CALL, f"call {n}", None
        )
    return client, tier


def test_a_failing_event_is_tried_max_attempts_times_with_doubling_backoff_then_parked(
    engine: Engine, ctx: Context
) -> None:
    # Given a view that refuses one event, and a worker that tries 3 times from 0.5 s
    client, tier = refused_history(engine, ctx)
    slept: list[float] = []
    follower = worker(engine, RefusingView(suffix="_a"), slept, max_attempts=3, backoff=0.5)
    # When it catches up
    with capture_logs() as logs:
        follower.catch_up()
    # Then the event was tried in its batch, then alone three times, waiting 0.5 s then 1 s
    assert RefusingView.attempts == 1 + 3
    assert slept == [0.5, 1.0]
    # And it is parked with where it is, what it is and why
    [parked] = dead_letters(engine.db, "refusing_a")
    assert (parked["position"], parked["originator_id"], parked["originator_version"]) == (
        tier,
        str(client.id),
        2,
    )
    assert parked["topic"] == "domain.clients.registry:Client.TierChanged"
    assert parked["attempts"] == 3
    assert parked["error"].startswith("RuntimeError at test_dead_letters.py:")
    assert parked["error"].endswith(" in tier_changed")
    assert "platinum" not in parked["error"]  # never a value the error quoted
    # And the operators' log names it without its message
    assert {
        "event": "projection.event_parked",
        "projection": "refusing_a",
        "position": tier,
        "topic": "domain.clients.registry:Client.TierChanged",
        "error_type": "RuntimeError",
        "log_level": "error",
    } in logs


def test_a_parked_event_early_in_a_long_history_does_not_stop_the_catch_up(
    engine: Engine, ctx: Context
) -> None:
    """One catch-up call goes to the head, past the batch the failing event was in."""
    refused_history(engine, ctx, calls=7)
    follower = worker(engine, RefusingView(suffix="_b"), [], batch_size=2, max_attempts=2)
    moved = follower.catch_up()
    assert follower.position() == engine.store.head()
    assert moved == engine.store.head()
    with engine.db.read() as tx:
        [row] = tx.query("SELECT interaction_count FROM view_clients_b")
    assert row["interaction_count"] == 7


def test_parked_events_that_now_apply_are_retried_and_counted(engine: Engine, ctx: Context) -> None:
    # Given two clients whose tier changes were both parked
    refused_history(engine, ctx, calls=0)
    refused_history(engine, ctx, calls=0)
    view = RefusingView(suffix="_c")
    follower = worker(engine, view, [], max_attempts=1)
    follower.catch_up()
    assert len(dead_letters(engine.db, "refusing_c")) == 2
    # When they are retried while the view still refuses, they stay, and the log says so
    with capture_logs() as logs:
        assert follower.retry_parked() == 0
    assert [e["event"] for e in logs] == ["projection.retry_failed"] * 2
    assert {e["projection"] for e in logs} == {"refusing_c"}
    parked = [r["position"] for r in dead_letters(engine.db, "refusing_c")]
    assert [e["position"] for e in logs] == parked
    # When retried once it accepts them, both apply and leave the table
    RefusingView.refusing = False
    assert follower.retry_parked() == 2
    assert dead_letters(engine.db, "refusing_c") == []
    with engine.db.read() as tx:
        tiers = tx.query("SELECT tier FROM view_clients_c")
    assert [r["tier"] for r in tiers] == ["platinum", "platinum"]


def test_dead_letters_of_every_view_are_listed_together_without_the_errors_text(
    engine: Engine, ctx: Context
) -> None:
    refused_history(engine, ctx, calls=0)
    RefusingView.error = "Chen Jing 310101198805061234 " * 100
    for suffix in ("_d", "_e"):
        worker(engine, RefusingView(suffix=suffix), [], max_attempts=1).catch_up()
    every = dead_letters(engine.db)
    assert [r["projection"] for r in every] == ["refusing_d", "refusing_e"]
    assert not any("Chen" in r["error"] or "3101" in r["error"] for r in every)


class DisconnectingView(ClientsView):
    """Loses its database connection at the first tier change it applies."""

    name = "disconnecting"
    lost: ClassVar[int] = 0

    def tier_changed(self, tx: Any, e: Client.TierChanged, position: int) -> None:
        if DisconnectingView.lost == 0:
            DisconnectingView.lost += 1
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        super().tier_changed(tx, e, position)


def test_a_lost_connection_is_not_the_events_fault_it_is_applied_later_not_parked(
    engine: Engine, ctx: Context
) -> None:
    # Given a tier change, and a view whose database goes away while applying it
    refused_history(engine, ctx, calls=2)
    DisconnectingView.lost = 0
    follower = worker(engine, DisconnectingView(suffix="_f"), [], max_attempts=1)
    # When the worker meets the lost connection, it stops where it was
    with pytest.raises(psycopg.OperationalError):
        follower.catch_up()
    assert follower.position() == 0
    # Then the next run applies everything and nothing is parked
    follower.catch_up()
    assert follower.position() == engine.store.head()
    assert dead_letters(engine.db, "disconnecting_f") == []
    with engine.db.read() as tx:
        [row] = tx.query("SELECT tier FROM view_clients_f")
    assert row["tier"] == "platinum"


class OvertakenWorker(ProjectionWorker):
    """A worker overtaken, while it retries a failing batch event by event, by another
    worker on the same view that applies everything first."""

    other: ProjectionWorker

    def _apply_with_retries(self, position: int, notification: Any) -> None:
        self.other.catch_up()
        super()._apply_with_retries(position, notification)


def test_a_worker_overtaken_while_retrying_stops_and_reports_no_progress(
    engine: Engine, ctx: Context
) -> None:
    # Given a view whose first worker fails a batch, and a second worker that does not
    refused_history(engine, ctx, calls=3)
    RefusingView.refusing = False  # the second worker applies everything
    view = RefusingView(suffix="_f")
    view.create(engine.db)
    first = OvertakenWorker(engine.store, engine.db, view, WorkerConfig(), sleep=lambda _: None)
    first.other = ProjectionWorker(engine.store, engine.db, view, WorkerConfig())

    def failing_batch(tx: Any, batch: Any) -> None:
        raise RuntimeError("the batch fails, so events are retried one by one")

    first.view = type(view)(suffix="_f")
    first.view.apply = failing_batch  # type: ignore[method-assign]
    # When the first worker steps, is overtaken, then steps again
    moved = first.step()
    # Then it reports no progress of its own, and nothing was applied twice or parked
    assert moved == 0
    assert first.step() == 0
    assert first.position() == engine.store.head()
    assert dead_letters(engine.db, "refusing_f") == []
    with engine.db.read() as tx:
        [row] = tx.query("SELECT interaction_count, tier FROM view_clients_f")
    assert (row["interaction_count"], row["tier"]) == (3, "platinum")


class FlakyRecorder:
    """The store's connection, failing the reads of the head numbered in ``down``."""

    def __init__(self, real: Any, down: set[int]) -> None:
        self.real, self.down, self.reads = real, down, 0

    def max_notification_id(self) -> int:
        self.reads += 1
        if self.reads in self.down:
            raise ConnectionError("the database is restarting")
        return int(self.real.max_notification_id() or 0)

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        return self.real.select_notifications(*args, **kwargs)


class Rounds(threading.Event):
    """A stop signal that records each wait and stops after ``rounds`` of them."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.rounds:
            self.set()
        return self.is_set()


def test_a_worker_whose_store_is_down_backs_off_doubling_then_catches_up(
    engine: Engine, ctx: Context
) -> None:
    # Given a store that fails the worker's first three reads, answers two (a catch-up),
    # then fails once more
    refused_history(engine, ctx, calls=2)
    RefusingView.refusing = False
    view = RefusingView(suffix="_g")
    view.create(engine.db)
    source: Any = type(
        "Source",
        (),
        {
            "recorder": FlakyRecorder(engine.store.recorder, {1, 2, 3, 6}),
            "mapper": engine.store.mapper,
        },
    )()
    config = WorkerConfig(backoff=0.5, poll_interval=7.0)
    follower = ProjectionWorker(source, engine.db, view, config)
    stop, wake = Rounds(5), Rounds(99)
    # When it runs
    with capture_logs() as logs:
        follower.run(stop, wake)
    # Then it waited 1, 2 and 4 s after each failure, caught up and polled, and after
    # the next failure waited 1 s again
    assert stop.waits[:4] == [1.0, 2.0, 4.0, 1.0]
    assert wake.waits[0] == 7.0
    errors = [e for e in logs if e["event"] == "projection.worker_error"]
    assert [e["projection"] for e in errors] == ["refusing_g"] * 4
    assert follower.position() == engine.store.head()


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        (0.5, [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 30.0, 30.0]),  # at most 30 s
        (0.001, [0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.256, 0.256]),
    ],
    ids=["capped at 30 s", "doubling at most 8 times"],
)
def test_a_long_outage_backs_off_to_a_bound(
    engine: Engine, backoff: float, expected: list[float]
) -> None:
    view = RefusingView(suffix="_h")
    view.create(engine.db)
    source: Any = type(
        "Source",
        (),
        {"recorder": FlakyRecorder(engine.store.recorder, set(range(1, 11))), "mapper": None},
    )()
    stop = Rounds(10)
    ProjectionWorker(source, engine.db, view, WorkerConfig(backoff=backoff)).run(stop, Rounds(9))
    assert stop.waits == pytest.approx(expected)
