"""The churn warning against the demo's ground truth, on each store: the demo makes some
clients leave (assets sold down, complaints, no contact) and the warning must find them
(recall) without crying wolf (precision), both at least 0.8."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from api.clients.coverage import reader
from api.engine import Engine
from application.demo.load import load_demo_and_truth
from domain.clients import CoveragePolicy

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def precision_recall(warned: set[UUID], truth: set[UUID]) -> tuple[float, float]:
    hits = len(warned & truth)
    return hits / max(len(warned), 1), hits / max(len(truth), 1)


def test_the_churn_warning_finds_the_demos_leavers_with_precision_and_recall_of_08(
    engine: Engine,
) -> None:
    # Given the demo with a year of positions, some of its clients leaving
    _, truth = load_demo_and_truth(engine.demo_commands(), NOW, 150, 11, 30, 1, 30)
    engine.projector.catch_up()
    assert len(truth) >= 8
    # When every client is scored as of the demo's day
    policy = CoveragePolicy()
    found = reader(engine).assess(NOW.date(), NOW, policy)
    warned = {UUID(c.client_id) for c in found if c.churn.score >= policy.churn.threshold}
    # Then the warning finds the leavers, and few others
    precision, recall = precision_recall(warned, set(truth))
    print(f"churn warning on the demo: precision {precision:.2f}, recall {recall:.2f}")  # noqa: T201
    assert precision >= 0.8
    assert recall >= 0.8
