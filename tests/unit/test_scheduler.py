"""The scheduler's tick: every job as of an instant, only when leading, one failure alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from adapters.shared.scheduler import Scheduler

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


class Follower:
    def acquire(self) -> bool:
        return False

    def release(self) -> None:
        return None


def test_when_ticked_then_every_job_runs_as_of_that_instant() -> None:
    seen: list[datetime] = []

    def job(result: int) -> Callable[[datetime], int]:
        def run(now: datetime) -> int:
            seen.append(now)
            return result

        return run

    scheduler = Scheduler()
    scheduler.add("a", job(1))
    scheduler.add("b", job(2))
    assert scheduler.tick(NOW) == {"a": 1, "b": 2}
    assert seen == [NOW, NOW]


def test_given_a_failing_job_when_ticked_then_the_others_still_run() -> None:
    def boom(_: datetime) -> int:
        raise RuntimeError("down")

    scheduler = Scheduler()
    scheduler.add("boom", boom)
    scheduler.add("ok", lambda _: 3)
    assert scheduler.tick(NOW) == {"ok": 3}


def test_given_another_leader_when_ticked_then_nothing_runs() -> None:
    scheduler = Scheduler(Follower())
    scheduler.add("a", lambda _: 1)
    assert scheduler.tick(NOW) == {}
