"""Exactly once across a real kill -9, and a standby taking over from a killed worker."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from adapters.shared.settings import Settings
from api.contexts import build_engine
from api.engine import Engine
from application.clients.commands import ClientCommands
from domain.clients.registry import Channel
from domain.shared.base import Context
from projections.shared.base import dead_letters, positions
from tests.conftest import client_fields, open_branches
from tests.faketime import python_module

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, CALLS = 5, 60  # 300 interactions plus 5 registrations


def given_history(engine: Engine, ctx: Context) -> list[str]:
    ids = []
    for _ in range(CLIENTS):
        client = engine.handler(ClientCommands).register(ctx, **client_fields())
        ids.append(str(client.id))
        for n in range(CALLS):
            engine.handler(ClientCommands).log_interaction(
                ctx, client.id, Channel.CALL, f"call {n}", None
            )
    return ids


def spawn(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        python_module("tests.integration.worker_proc", settings.model_dump_json(), *args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def then_each_event_applied_exactly_once(engine: Engine, ids: list[str]) -> None:
    for client_id in ids:
        with engine.db.read() as tx:
            [row] = tx.query(
                "SELECT interaction_count FROM view_clients WHERE id = ?", (client_id,)
            )
            [count] = tx.query(
                "SELECT COUNT(*) AS n FROM view_client_interactions WHERE client_id = ?",
                (client_id,),
            )
        assert (row["interaction_count"], count["n"]) == (CALLS, CALLS)
    assert positions(engine.db)["clients"] == engine.store.head()
    assert dead_letters(engine.db) == []


def test_given_worker_killed_mid_batch_when_restarted_then_each_event_applied_once(
    settings: Settings, ctx: Context
) -> None:
    """README claim: each event is applied exactly once, also across kill -9."""
    settings = settings.model_copy(update={"projection_batch_size": 100})
    engine = open_branches(build_engine(settings))
    try:
        ids = given_history(engine, ctx)
        # 150 events applied: in the middle of the second batch (positions 101-200).
        proc = spawn(settings, "kill-after", "150")
        proc.wait(timeout=60)
        assert proc.returncode == -9, proc.stderr.read() if proc.stderr else ""
        killed_at = positions(engine.db)["clients"]
        assert 0 < killed_at < engine.store.head()
        restarted = spawn(settings, "kill-after", "100000")
        _out, err = restarted.communicate(timeout=120)
        assert restarted.returncode == 0, err
        then_each_event_applied_exactly_once(engine, ids)
    finally:
        engine.close()


@pytest.mark.postgres
@pytest.mark.parametrize("store_kind", ["postgres"], indirect=True)
def test_given_active_and_standby_when_active_killed_then_standby_finishes_exactly_once(
    settings: Settings, ctx: Context, tmp_path: Path
) -> None:
    """README claim: on PostgreSQL a standby worker takes over when the active one dies, and
    applies each event exactly once."""
    settings = settings.model_copy(
        update={"projection_batch_size": 50, "projection_poll_interval": 0.1}
    )
    engine = open_branches(build_engine(settings))
    procs: list[subprocess.Popen[str]] = []
    try:
        ids = given_history(engine, ctx)
        leader_files = [tmp_path / "a.leader", tmp_path / "b.leader"]
        procs = [spawn(settings, "follow", str(f)) for f in leader_files]
        active = _wait_for_leader(leader_files)
        time.sleep(0.2)  # let it get into the log, mid-batch
        assert [p.poll() for p in procs] == [None, None], "a worker died on its own"
        assert positions(engine.db)["clients"] < engine.store.head()
        procs[active].kill()
        procs[active].wait(timeout=10)
        standby = 1 - active
        deadline = time.monotonic() + 60
        while not leader_files[standby].exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert leader_files[standby].exists(), "the standby never took over"
        while positions(engine.db)["clients"] < engine.store.head():
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.1)
        then_each_event_applied_exactly_once(engine, ids)
        assert procs[standby].poll() is None
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)
        engine.close()


def _wait_for_leader(files: list[Path]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for index, path in enumerate(files):
            if path.exists():
                return index
        time.sleep(0.02)
    raise AssertionError("no worker became the leader")
