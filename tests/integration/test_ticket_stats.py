"""The ticket statistics, from the per-day sums and per-month histograms the view keeps,
give what counting every ticket of the period gives: on each store, for periods with and
without whole days and months, every grouping, one branch or all, after tickets changed
(reopened, their priority and group moved, rated)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from api.engine import Engine
from application.clients.commands import ClientCommands
from application.service_desk.tickets import TicketCommands
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import LAYERS, Status, TicketChannel, TicketType
from domain.shared.base import Context
from projections.service_desk.stats import GROUPINGS, ticket_stats
from projections.service_desk.tickets import TicketsView
from projections.shared.worker import ProjectionWorker, WorkerConfig
from tests.conftest import client_fields

T0 = datetime(2025, 10, 20, 9, 30, tzinfo=UTC)


def _ctx(at: datetime) -> Context:
    return Context(actor="agent", at=at, correlation_id="stats")


def _tickets(engine: Engine, count: int) -> None:
    """Given tickets over about fourteen months, for clients of two branches and none,
    each handled its own way."""
    rng = random.Random(7)
    clients: list[UUID | None] = [None]
    for branch in ("SH-LUJIAZUI", "BJ-JINRONGJIE"):
        registered = engine.handler(ClientCommands).register(
            _ctx(T0), **client_fields(branch=branch)
        )
        clients.append(registered.id)
    desk = engine.handler(TicketCommands)
    one_day = datetime(2026, 2, 10, 2, tzinfo=UTC)  # and a busy day
    opened_at = sorted(
        [T0 + timedelta(hours=rng.uniform(0, 420 * 24)) for _ in range(count)]
        + [one_day + timedelta(hours=rng.uniform(0, 20)) for _ in range(8)]
    )
    for at in opened_at:
        ticket = desk.open(
            _ctx(at),
            client_id=rng.choice(clients),
            type=rng.choice(list(TicketType)),
            priority=rng.choice(list(Priority)),
            channel=TicketChannel.PHONE,
            subject="s",
            description="d",
        ).result.id
        engine.projector.catch_up()  # the view counts it, then sees it change
        fate = rng.random()
        if fate < 0.15:
            continue  # still new
        when = at + timedelta(minutes=rng.choice([7, 30, 61, 95, 240]))
        desk.transition(_ctx(when), ticket, Status.IN_PROGRESS, None)
        if rng.random() < 0.3:
            desk.assign(_ctx(when), ticket, None, rng.choice(LAYERS))
        if rng.random() < 0.2:
            desk.change_priority(_ctx(when), ticket, rng.choice(list(Priority)), "moved")
        when += timedelta(hours=rng.lognormvariate(0, 1.2))
        desk.comment(_ctx(when), ticket, "on it", True)
        if fate < 0.25:
            continue  # responded, not resolved
        when += timedelta(hours=rng.lognormvariate(2, 1))
        desk.transition(_ctx(when), ticket, Status.RESOLVED, None)
        if rng.random() < 0.2:  # reopened, resolved again later: the figures move
            engine.projector.catch_up()
            when += timedelta(hours=3)
            desk.reopen(_ctx(when), ticket, "not fixed")
            when += timedelta(hours=rng.lognormvariate(1, 1))
            desk.transition(_ctx(when), ticket, Status.RESOLVED, None)
        if rng.random() < 0.7:
            desk.rate(_ctx(when + timedelta(hours=1)), ticket, rng.randint(1, 5), None)


def _counted(facts: list[dict[str, Any]], group_by: str, clients: int) -> dict[str, Any]:
    """The figures counted ticket by ticket, as the statistics define them."""

    def key(f: dict[str, Any]) -> str:
        column = {"group": "group_name", "month": "created_at"}.get(group_by, group_by)
        value = f[column] if column != "branch" else f["branch"] or "none"
        return str(value)[:7] if group_by == "month" else str(value)

    def summary(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        def values(column: str) -> list[float]:
            return sorted(r[column] for r in rows if r[column] is not None)

        def mean(v: list[float]) -> float | None:
            return round(sum(v) / len(v), 4) if v else None

        def p90(v: list[float]) -> float | None:
            return round(v[(9 * len(v) + 9) // 10 - 1], 4) if v else None

        resolved = sum(r["resolved"] for r in rows)
        complaints = sum(r["type"] == "complaint" for r in rows)
        fr, res = values("first_response_hours"), values("resolution_hours")
        return {
            "key": name,
            "count": len(rows),
            "first_response_hours_mean": mean(fr),
            "first_response_hours_p90": p90(fr),
            "resolution_hours_mean": mean(res),
            "resolution_hours_p90": p90(res),
            "sla_attainment_pct": round(100 * sum(r["attained"] for r in rows) / resolved, 2)
            if resolved
            else None,
            "satisfaction_mean": mean([float(v) for v in values("satisfaction")]),
            "complaints": complaints,
            "complaints_per_1000_clients": round(1000 * complaints / clients, 3),
        }

    groups: dict[str, list[dict[str, Any]]] = {}
    for f in facts:
        groups.setdefault(key(f), []).append(f)
    return {
        "groups": [summary(k, groups[k]) for k in sorted(groups)],
        "total": summary("total", facts),
    }


SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIODS = {
    "everything": (None, None),
    "from a UTC midnight": (datetime(2026, 1, 1, tzinfo=UTC), None),
    "until a moment": (None, datetime(2026, 5, 17, 13, 5, 59, tzinfo=UTC)),
    "months and days, Shanghai midnights": (
        datetime(2025, 11, 9, tzinfo=SHANGHAI),
        datetime(2026, 9, 3, tzinfo=SHANGHAI),
    ),
    "thirty days": (datetime(2026, 3, 3, tzinfo=SHANGHAI), datetime(2026, 4, 2, tzinfo=SHANGHAI)),
    "within one day": (
        datetime(2026, 2, 10, 1, tzinfo=UTC),
        datetime(2026, 2, 10, 23, tzinfo=UTC),
    ),
    "whole months exactly": (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)),
    "naive bounds read as UTC": (datetime(2026, 4, 15, 12), datetime(2026, 8, 1)),
}


def test_given_tickets_changing_when_statistics_asked_then_the_kept_figures_match_a_count(
    engine: Engine,
) -> None:
    # given
    _tickets(engine, 70)
    engine.projector.catch_up()
    view = engine.view(TicketsView)
    with engine.db.read() as tx:
        every = tx.query(f"SELECT * FROM {view.t('view_ticket_facts')}")
    assert len({f["branch"] for f in every}) == 3
    for period, (start, end) in PERIODS.items():
        s, e = ((b.replace(tzinfo=UTC) if b and b.tzinfo is None else b) for b in (start, end))
        for branch in (None, "SH-LUJIAZUI"):
            facts = [
                f
                for f in every
                if (s is None or datetime.fromisoformat(f["created_at"]) >= s)
                and (e is None or datetime.fromisoformat(f["created_at"]) < e)
                and (branch is None or f["branch"] == branch)
            ]
            assert facts or branch, f"{period}: the period holds tickets"
            for group_by in GROUPINGS:
                # when
                got = ticket_stats(engine.db, view, group_by, start, end, branch, {"x": 1000})
                # then
                want = _counted(facts, group_by, 1000)
                where = (period, branch, group_by)
                assert got["total"] == want["total"], where
                if group_by == "branch":  # per branch: its own clients (none here)
                    for g in want["groups"]:
                        g["complaints_per_1000_clients"] = None
                assert got["groups"] == want["groups"], where


def _cells(engine: Engine, view: TicketsView) -> dict[str, list[tuple[Any, ...]]]:
    """The statistics' tables, row by row, in order."""
    with engine.db.read() as tx:
        return {
            base: [
                tuple(r.values())
                for r in tx.query(f"SELECT * FROM {view.t(base)} ORDER BY {order}")
            ]
            for base, order in (
                ("view_ticket_days", "dim, branch, day, key"),
                ("view_ticket_spread", "kind, dim, branch, month, key, bucket"),
            )
        }


def test_given_a_view_far_behind_when_caught_up_in_bulk_then_it_answers_as_one_kept_per_batch(
    engine: Engine,
) -> None:
    # given tickets a live view counted batch by batch, and a second view far behind
    _tickets(engine, 40)
    engine.projector.catch_up()
    live = engine.view(TicketsView)
    bulk = live.with_suffix("_bulk")
    bulk.create(engine.db)
    config = WorkerConfig(batch_size=25, bulk_after=1)
    # when it applies every batch in bulk, and stops before settling (as a crash would)
    worker = ProjectionWorker(engine.store, engine.db, bulk, config)
    while worker.step() > 0:
        pass
    # then its statistics wait, and are read from the tickets: the same answers
    with engine.db.read() as tx:
        assert bulk.deferred(tx)
        assert not live.deferred(tx)
    assert _cells(engine, bulk) == {"view_ticket_days": [], "view_ticket_spread": []}

    def answers(view: TicketsView) -> list[dict[str, Any]]:
        return [
            ticket_stats(engine.db, view, group_by, start, end, branch, {"x": 1000})
            for start, end in PERIODS.values()
            for branch in (None, "SH-LUJIAZUI")
            for group_by in GROUPINGS
        ]

    kept = answers(live)
    assert answers(bulk) == kept
    # when the next worker (after the crash) catches up, it settles the view
    ProjectionWorker(engine.store, engine.db, bulk, config).catch_up()
    # then the statistics are counted again, cell for cell as the live view kept them
    with engine.db.read() as tx:
        assert not bulk.deferred(tx)
    assert _cells(engine, bulk) == _cells(engine, live)
    assert answers(bulk) == kept


def test_given_a_view_far_behind_when_rebuilt_then_its_statistics_are_settled_before_the_swap(
    engine: Engine,
) -> None:
    # given
    _tickets(engine, 12)
    engine.projector.catch_up()
    live = engine.view(TicketsView)
    before = _cells(engine, live)
    assert before["view_ticket_days"]
    # when
    engine.worker_config = WorkerConfig(batch_size=10, bulk_after=1)
    engine.rebuild(live.name)
    # then
    with engine.db.read() as tx:
        assert not live.deferred(tx)
    assert _cells(engine, live) == before
