"""Availability on PostgreSQL: writes and reads survive the server ending every connection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
import pytest
from fastapi.testclient import TestClient

from adapters.shared.settings import Settings
from api.app import create_app
from api.contexts import build_engine
from api.shared.waits import PositionWaits
from application.clients import ClientCommands
from application.staff import StaffCommands
from domain.shared.base import Context
from domain.staff import Role
from tests.conftest import PG_URL, client_fields, open_branches
from tests.e2e.conftest import PASSWORD, Api

ONLY_POSTGRES = pytest.mark.parametrize(
    "store_kind", [pytest.param("postgres", marks=pytest.mark.postgres)]
)


def register_at_once(api: Api, count: int) -> list[int]:
    with ThreadPoolExecutor(count) as pool:
        answers = list(
            pool.map(
                lambda _: api.call("POST", "/api/v1/clients", "admin", json=client_fields()),
                range(count),
            )
        )
    return [a.status_code for a in answers]


def terminate_backends_named(name: str) -> int:
    """What a failover or a restart does to a server's clients: end their sessions (this
    test's server's only: the other tests running beside it keep theirs)."""
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


@ONLY_POSTGRES
def test_commands_and_reads_succeed_after_the_server_ends_every_connection(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a server whose connections are named, its pools warmed by parallel writes and reads
    name = f"assure-restart-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)
    engine = open_branches(build_engine(settings.model_copy(update={"run_workers": True})))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="restart")
    engine.handler(StaffCommands).add_user(ctx, "admin", Role.ADMIN, PASSWORD)
    admin = engine.handler(StaffCommands).find_user("admin")
    assert admin is not None
    with TestClient(create_app(engine), raise_server_exceptions=False) as http:
        api = Api(http=http, engine=engine, users={"admin": admin.id})
        assert register_at_once(api, 8) == [201] * 8
        head = api.engine.store.head()
        assert api.call("GET", f"/api/v1/clients?min_position={head}", "admin").status_code == 200
        # When the server ends every session
        assert terminate_backends_named(name) > 0
        # Then the next commands, in parallel, and reads all succeed
        assert register_at_once(api, 8) == [201] * 8
        head = api.engine.store.head()
        listed = api.call("GET", f"/api/v1/clients?min_position={head}&limit=100", "admin")
        assert listed.status_code == 200
        assert len(listed.json()["items"]) == 16
    engine.close()


def connections_named(name: str) -> int:
    with psycopg.connect(PG_URL, autocommit=True, application_name="probe") as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else 0


@ONLY_POSTGRES
def test_one_process_holds_at_most_its_connection_budget(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a process serving with its workers and its scheduler, its connections named
    name = f"assure-budget-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)
    serving = settings.model_copy(update={"run_workers": True, "run_scheduler": True})
    engine = open_branches(build_engine(serving))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="budget")
    engine.handler(StaffCommands).add_user(ctx, "admin", Role.ADMIN, PASSWORD)
    seen: list[int] = []
    with TestClient(create_app(engine)) as http:
        admin = engine.handler(StaffCommands).find_user("admin")
        assert admin is not None
        api = Api(http=http, engine=engine, users={"admin": admin.id})
        # When it is idle, and when 16 writes and 16 waiting reads come at once
        engine.projector.catch_up()
        seen.append(connections_named(name))
        with ThreadPoolExecutor(33) as pool:
            writes = [
                pool.submit(api.call, "POST", "/api/v1/clients", "admin", json=client_fields())
                for _ in range(16)
            ]
            reads = [
                pool.submit(api.call, "GET", f"/api/v1/clients?min_position={n}", "admin")
                for n in range(16)
            ]

            def sample() -> None:
                for _ in range(20):
                    seen.append(connections_named(name))

            sampler = pool.submit(sample)
            assert [w.result().status_code for w in writes] == [201] * 16
            assert [r.result().status_code for r in reads] == [200] * 16
            sampler.result()
        seen.append(connections_named(name))
    # Then it never held more than its budget (10 by default), every session included
    assert serving.connections.total == serving.max_connections == 10
    assert 2 <= max(seen) <= 10, seen


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Until ``condition`` holds (a generous bound only turns a hang into a failure)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_reads_waiting_for_the_views_hold_no_thread_and_are_capped(
    settings: Settings,
) -> None:
    # Given a server whose views do not move on their own (no workers), capped at 60 waits
    engine = open_branches(build_engine(settings.model_copy(update={"max_waiting_reads": 60})))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="waits")
    engine.handler(StaffCommands).add_user(ctx, "admin", Role.ADMIN, PASSWORD)
    admin = engine.handler(StaffCommands).find_user("admin")
    assert admin is not None
    with TestClient(create_app(engine)) as http:
        api = Api(http=http, engine=engine, users={"admin": admin.id})
        waits: PositionWaits = http.app.state.waits  # type: ignore[attr-defined]
        ahead = engine.handler(ClientCommands).register(ctx, **client_fields()).position
        with ThreadPoolExecutor(61) as pool:
            # When 60 reads wait for a position the views have not reached
            waiting = [
                pool.submit(api.call, "GET", f"/api/v1/clients?min_position={ahead}", "admin")
                for _ in range(60)
            ]
            wait_until(lambda: waits.waiting == 60, "the 60 reads never all waited")
            # Then an ordinary read is answered while they all still wait
            assert api.call("GET", "/api/v1/clients", "admin").status_code == 200
            # And a 61st waiting read is turned away at once, told when to retry
            refused = api.call(
                "GET", f"/api/v1/clients?min_position={ahead}", "admin", stale_ok=True
            )
            assert (refused.status_code, refused.headers["Retry-After"]) == (503, "1")
            assert not any(w.done() for w in waiting)
            # And once the views reach the position, every waiting read is answered
            engine.projector.catch_up()
            assert [w.result().status_code for w in waiting] == [200] * 60
