"""The scheduler's jobs on each store, driven through ``tick(now)`` (never by sleeping):
each flags what is due once, and a repeated tick records nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from adapters.shared.clock import Clock
from adapters.shared.settings import Settings
from api.contexts import build_engine
from application.clients.risk import RiskCommands
from application.cqp.commands import CQPCommands
from application.service_desk.tickets import TicketCommands
from application.shared.common import CommandResult
from application.suitability.purchases import PurchaseCommands
from application.suppliers.commands import SupplierCommands
from domain.cqp.milestones import MILESTONES
from domain.cqp.phases import Criterion, Member
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import TicketChannel, TicketType
from domain.shared.base import Context
from domain.suppliers.audits import SECTIONS, AssessmentKind
from domain.suppliers.lifecycle import Site
from projections.clients.views import ClientsView
from projections.cqp.views import CQPPlansView
from projections.service_desk.tickets import TicketsView
from projections.suitability.views import PurchasesView
from tests.conftest import PG_URL, drop_schema, make_settings
from tests.e2e.conftest import Api
from tests.e2e.test_cli import ROOT, env_for
from tests.e2e.test_http_purchases import assessed_client, fund
from tests.faketime import python_module

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    """Every request of these tests reads "now" as NOW; ticks move on from it."""
    return lambda: NOW


def given_a_bit_of_everything(api: Api) -> dict[str, Any]:
    """A purchase awaiting confirmation, a P1 ticket, an audited supplier, a CQP plan with
    A0 planned for tomorrow, and a client assessed now."""
    engine, ctx = api.engine, Context(actor="sqe", at=NOW, correlation_id="given")
    client = assessed_client(api, "C3")
    fund(api, "700001", "R4")
    purchase = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/purchases",
        json={"fund_code": "700001", "amount": "1000.00"},
    ).json()
    assert purchase["status"] == "confirmation_required", purchase
    ticket = engine.handler(TicketCommands).open(
        ctx,
        client_id=None,
        type=TicketType.FAULT,
        priority=Priority.P1,
        channel=TicketChannel.PHONE,
        subject="down",
        description="all down",
    )
    supplier = (
        engine.handler(SupplierCommands)
        .register(
            ctx, "Delta", [Site(name="Kunshan", country="CN", city="Kunshan")], ["connectors"]
        )
        .id
    )
    engine.handler(SupplierCommands).assess(
        ctx,
        supplier,
        kind=AssessmentKind.ONSITE,
        site="Kunshan",
        on=NOW.date(),
        auditors=["sqe"],
        scores={k: [3] * n for k, n in SECTIONS.items()},
        findings=[],
    )
    start = NOW.date() + timedelta(days=1)
    plan = (
        engine.handler(CQPCommands)
        .create(
            ctx,
            programme="Falcon",
            component="Receptacle",
            supplier_id=supplier,
            criteria=[Criterion.NEW_SUPPLIER],
            milestone_plan={m: start + timedelta(days=60 * i) for i, m in enumerate(MILESTONES)},
        )
        .id
    )
    engine.handler(CQPCommands).evaluate(ctx, plan, True, "new supplier")
    engine.handler(CQPCommands).review(ctx, plan, [Member(name="Lin", role="SQE")])
    engine.handler(CQPCommands).agree(ctx, plan)
    engine.handler(CQPCommands).set_team(ctx, plan, [Member(name="Wang", role="MPL")])
    return {"client": client, "purchase": purchase, "ticket": ticket.result.id, "plan": plan}


def test_each_job_flags_once_as_time_passes(api: Api) -> None:
    """README claim: the scheduler moves time; each job flags what is due once."""
    given = given_a_bit_of_everything(api)
    engine = api.engine

    def tick(at: datetime) -> dict[str, int]:
        return engine.tick(at)

    # Two days on: the purchase lapsed, both P1 clocks breached, A0 overdue
    two_days = NOW + timedelta(days=2)
    assert tick(two_days) == {
        "assessments": 0,
        "ticket_breaches": 2,
        "reaudits": 0,
        "cqp_overdue": 1,
        "purchase_lapses": 1,
        "erasures": 0,
        "branches": 0,
        "claims": 0,  # every claim keyed already: it records that, once
        "segments": 0,  # nobody holds anything, nor is dormant yet
        "feedback": 0,
        "contacts": 0,  # registered today: a standard client is due in six months
        "digest": 0,  # no ASSURE_SMTP_URL: the inbox alone
    }
    head = engine.store.head()
    assert set(tick(two_days).values()) == {0}  # a repeat records nothing
    assert engine.store.head() == head
    engine.projector.catch_up()
    ticket = engine.view(TicketsView).get(engine.db, given["ticket"])
    assert ticket is not None
    assert ticket["breaches"] == ["first_response", "resolution"]
    assert ticket["group"] == "headquarters"  # escalated twice, one layer each
    purchase = engine.view(PurchasesView).get(engine.db, given["purchase"]["id"])
    assert purchase is not None
    assert purchase["status"] == "lapsed"

    # Seven months on: the assessment's review is due, shown to the advisor
    seven_months = NOW + timedelta(days=215)
    done = tick(seven_months)
    assert done["assessments"] == 1
    assert done["reaudits"] == 0
    assert done["contacts"] == 1  # not contacted in six months: due and overdue
    engine.projector.catch_up()
    client = engine.view(ClientsView).get(engine.db, given["client"]["id"])
    assert client is not None
    assert client["risk"]["reminder"] == "review_due"

    # Eleven and a half months on: the re-audit comes due (30 days' notice)
    assert tick(NOW + timedelta(days=350))["reaudits"] == 1
    # Thirteen months on: the assessment expired and the re-audit is overdue
    done = tick(NOW + timedelta(days=400))
    assert (done["assessments"], done["reaudits"]) == (1, 1)
    assert set(tick(NOW + timedelta(days=400)).values()) == {0}
    engine.projector.catch_up()
    client = engine.view(ClientsView).get(engine.db, given["client"]["id"])
    assert client is not None
    assert client["risk"]["reminder"] == "expired"
    plan = engine.view(CQPPlansView).load(engine.db, str(given["plan"]))
    assert plan is not None
    assert plan[0].overdue_flagged == MILESTONES[:7]  # planned within 400 days


def test_the_command_line_tick_twice_records_nothing_the_second_time(api: Api) -> None:
    given_a_bit_of_everything(api)
    settings: Settings = api.engine.settings
    at = (NOW + timedelta(days=2)).isoformat()

    def tick() -> str:
        result = subprocess.run(
            python_module("api.cli", "scheduler", "tick", "--now", at, "--json"),
            cwd=ROOT,
            env=env_for(settings),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    first, second = tick(), tick()
    assert '"purchase_lapses": 1' in first
    assert json.loads(first)["recorded"]["ticket_breaches"] == 2
    assert '"purchase_lapses": 0' in second
    assert json.loads(second)["recorded"]["ticket_breaches"] == 0


def test_a_tick_dated_in_the_future_is_refused_and_records_nothing(api: Api) -> None:
    # Given everything that a tick a year from now would flag
    given_a_bit_of_everything(api)
    head = api.engine.store.head()
    # When the command line is asked to tick as of a day ahead of this machine's clock
    ahead = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    result = subprocess.run(
        python_module("api.cli", "scheduler", "tick", "--now", ahead),
        cwd=ROOT,
        env=env_for(api.engine.settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it is refused with a clear message and nothing is recorded
    assert result.returncode == 1
    assert "is in the future" in result.stderr
    assert "nothing was recorded" in result.stderr
    assert api.engine.store.head() == head


@pytest.mark.parametrize("store_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_processes_ticking_at_once_on_postgres_record_each_thing_once(api: Api) -> None:
    """README claim: a repeated or concurrent run records nothing new (idempotent jobs)."""
    # Given everything due, on PostgreSQL, and two `assure scheduler tick` processes
    given_a_bit_of_everything(api)
    engine = api.engine
    engine.projector.catch_up()
    head = engine.store.head()
    at = (NOW + timedelta(days=2)).isoformat()
    command = python_module("api.cli", "scheduler", "tick", "--now", at, "--json")
    # When both tick as of the same instant at the same time
    runs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env_for(engine.settings), stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [json.loads(run.communicate(timeout=120)[0]) for run in runs]
    # Then each due thing was recorded once, by whichever ran the jobs
    totals = {
        name: sum(o["recorded"].get(name, 0) for o in outputs)
        for name in ("ticket_breaches", "cqp_overdue", "purchase_lapses")
    }
    assert totals == {"ticket_breaches": 2, "cqp_overdue": 1, "purchase_lapses": 1}
    assert any(o["leader"] for o in outputs)
    recorded = engine.store.head() - head
    # And a third tick finds nothing left to record
    assert set(engine.tick(NOW + timedelta(days=2)).values()) == {0}
    assert engine.store.head() - head == recorded


def test_a_second_scheduler_stands_by_on_postgres(tmp_path: Path) -> None:
    """README claim: on PostgreSQL only the leader runs jobs; a standby takes over."""
    # SQLite has one process by design: leader election is PostgreSQL's
    settings = make_settings("postgres", tmp_path)
    first, second = build_engine(settings), build_engine(settings)
    try:
        assert first.scheduler.tick(NOW) != {}  # the leader runs the jobs
        assert second.scheduler.tick(NOW) == {}  # the other stands by
        first.scheduler.leadership.release()
        assert second.scheduler.tick(NOW) != {}  # and takes over when the leader goes
    finally:
        first.close()
        second.close()
        drop_schema(settings)


def test_each_scheduler_command_is_idempotent_even_on_a_stale_view(api: Api) -> None:
    """README claim: a run on a stale view records nothing new (idempotent commands)."""
    # Given everything due, and the commands already run once
    given = given_a_bit_of_everything(api)
    engine, later = api.engine, NOW + timedelta(days=400)
    ctx = Context(actor="system:scheduler", at=later, correlation_id="job")
    engine.projector.catch_up()
    assessment = engine.view(ClientsView).get(engine.db, given["client"]["id"])
    assert assessment is not None
    plan = engine.view(CQPPlansView).load(engine.db, str(given["plan"]))
    assert plan is not None
    supplier = plan[0].supplier_id
    commands: list[Callable[[], CommandResult]] = [
        lambda: engine.handler(PurchaseCommands).lapse(ctx, UUID(given["purchase"]["id"])),
        lambda: engine.handler(TicketCommands).record_breach(ctx, given["ticket"], "resolution"),
        lambda: engine.handler(SupplierCommands).record_reaudit_due(ctx, supplier),
        lambda: engine.handler(CQPCommands).record_overdue(ctx, given["plan"]),
        lambda: engine.handler(RiskCommands).record_due(
            ctx, UUID(assessment["risk"]["assessment_id"])
        ),
    ]
    assert [c().changed for c in commands] == [True] * 5
    # When a job that read a stale view issues them again
    head = engine.store.head()
    # Then nothing more is recorded
    assert [c().changed for c in commands] == [False] * 5
    assert engine.store.head() == head


LEADER = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted "
    "AND l.classid = ((hashtextextended(%(key)s, 0) >> 32) & 4294967295)::text::oid "
    "AND l.objid = (hashtextextended(%(key)s, 0) & 4294967295)::text::oid"
)


def leaders(key: str) -> list[str]:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        return [r[0] for r in conn.execute(LEADER, {"key": key}).fetchall()]


def wait_for_leader(key: str, among: set[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = leaders(key)
        if found:
            assert len(found) == 1, found
            assert found[0] in among
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no scheduler took the lead among {among}")


def test_two_scheduler_processes_one_leads_the_other_takes_over(tmp_path: Path) -> None:
    """README claim: standby takeover of the scheduler when its leader stops."""
    # Given two `assure scheduler run` processes on one PostgreSQL schema
    settings = make_settings("postgres", tmp_path)
    build_engine(settings).close()  # create the schema and tables once
    key = f"{settings.database_schema}:scheduler"
    processes = {
        name: subprocess.Popen(
            python_module("api.cli", "scheduler", "run"),
            cwd=ROOT,
            env=env_for(settings, PGAPPNAME=name, ASSURE_SCHEDULER_INTERVAL_SECONDS="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name in ("scheduler-a", "scheduler-b")
    }
    try:
        # When both have started
        leader = wait_for_leader(key, set(processes))
        time.sleep(3)  # several ticks of each
        # Then exactly one holds the lead, and keeps it
        assert leaders(key) == [leader]
        # And when the leader stops, the other takes over
        processes[leader].send_signal(signal.SIGTERM)
        processes[leader].wait(timeout=30)
        standby = next(name for name in processes if name != leader)
        assert wait_for_leader(key, {standby}) == standby
        assert processes[standby].poll() is None
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_schema(settings)
