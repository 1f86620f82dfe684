"""The ``assure`` command, run as a real process on each store."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.shared.eventstore import key_table
from adapters.shared.settings import Settings
from api.contexts import build_engine
from application.clients import ClientCommands
from domain.clients import Client
from domain.shared.base import Context
from tests.conftest import CLIENT, client_fields, open_branches
from tests.faketime import python_module

ROOT = Path(__file__).resolve().parents[2]


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSURE_")}
    env.update(
        ASSURE_ENV="test",
        ASSURE_DATA_DIR=str(settings.data_dir),
        ASSURE_DATABASE_SCHEMA=settings.database_schema,
        ASSURE_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    if settings.database_url:
        env["ASSURE_DATABASE_URL"] = settings.database_url
    return env


def assure(
    settings: Settings, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        python_module("api.cli", *args),
        cwd=ROOT,
        env=env_for(settings, **env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def out(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_users_add_reads_the_password_from_stdin(settings: Settings) -> None:
    added = out(
        assure(
            settings,
            "users",
            "add",
            "Advisor.Wang",
            "--role",
            "advisor",
            "--password-stdin",
            stdin="a long enough password\n",
        )
    )
    assert (added["username"], added["role"]) == ("advisor.wang", "advisor")
    again = assure(
        settings,
        "users",
        "add",
        "advisor.wang",
        "--role",
        "agent",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert again.returncode == 1
    assert "taken" in again.stderr
    short = assure(
        settings, "users", "add", "x.y", "--role", "agent", "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 1
    assert "password" in short.stderr
    assert "short" not in short.stdout


def test_users_add_refuses_an_unknown_branch_until_it_is_added(settings: Settings) -> None:
    # Given an empty store: no branch yet
    args = ("users", "add", "adv.he", "--role", "advisor", "--branch", "CD-GAOXIN")
    password = "a long enough password\n"
    # When an advisor is added for a branch nobody registered, then it is refused
    refused = assure(settings, *args, "--password-stdin", stdin=password)
    assert refused.returncode == 1
    assert "branch: no branch has the code 'CD-GAOXIN'" in refused.stderr
    # And once the branch is added, the same command succeeds and the branch is listed
    added = out(assure(settings, "branches", "add", "CD-GAOXIN", "Chengdu Gaoxin"))
    assert added == {"code": "CD-GAOXIN", "name": "Chengdu Gaoxin"}
    assert out(assure(settings, *args, "--password-stdin", stdin=password))["role"] == "advisor"
    listed = assure(settings, "branches", "list")
    assert listed.stdout == "CD-GAOXIN\tChengdu Gaoxin\n"
    again = assure(settings, "branches", "add", "CD-GAOXIN", "Again")
    assert (again.returncode, "exists already" in again.stderr) == (1, True)


def test_demo_then_status_then_rebuild(settings: Settings) -> None:
    demo = out(
        assure(
            settings,
            "demo",
            "--clients",
            "12",
            "--funds",
            "6",
            "--nav-years",
            "1",
            "--tickets",
            "30",
        )
    )
    assert demo["clients"] == 12
    moved = out(assure(settings, "projections", "catch-up"))
    assert moved["moved"] > 0
    status = {s["name"]: s for s in out(assure(settings, "projections", "status"))}
    assert status["clients"]["lag"] == 0
    assert status["clients"]["head"] >= demo["events"]
    rebuilt = out(assure(settings, "projections", "rebuild", "clients"))
    assert rebuilt == {"rebuilt": "clients", "position": status["clients"]["head"]}
    assert assure(settings, "projections", "rebuild").returncode == 2


def test_serve_on_an_empty_store_prints_the_admin_password_once_and_serves(
    settings: Settings, tmp_path: Path
) -> None:
    """README claim: no personal data in logs of serve at its most verbose level: requests,
    refusals, the projection workers and the scheduler it runs (their error logs are
    proved in tests/integration/test_logging.py)."""
    port = _free_port()
    env = env_for(
        settings, ASSURE_DEMO_ON_EMPTY="false", ASSURE_PORT=str(port), ASSURE_LOG_LEVEL="DEBUG"
    )
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    proc = _serve(env, out, err)
    try:
        password = _await_output(out, r"^\s{4}(\S+)$", proc)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "admin", "password": password}
        )
        assert token.status_code == 200
        docs = httpx.get(f"{base}/docs")
        assert docs.status_code == 200
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        _touch_every_log(base, auth)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    logs = out.read_text() + err.read_text()
    assert "request" in logs
    for personal in ("Sensitive", "SECRET998877", "13999999999", "private@", "Hidden"):
        assert personal not in logs
    again_out = tmp_path / "again.out"
    again = _serve(env, again_out, tmp_path / "again.err")
    try:
        _wait_until_up(f"http://127.0.0.1:{port}")
    finally:
        again.terminate()
        again.wait(timeout=20)
    assert "password" not in again_out.read_text()


PERSON = {
    "name": "Sensitive Person",
    "id_number": "SECRET998877",
    "phone": "+86 13999999999",
    "email": "private@example.cn",
    "address": "1 Hidden Road",
    "branch": "SH-LUJIAZUI",
    "investor_type": "ordinary",
}


def _touch_every_log(base: str, auth: dict[str, str]) -> None:
    """Requests that log: a registration the workers then apply, a refused one carrying
    personal data, a search by name, an interaction note, a read waiting for the views."""
    branch = {"code": PERSON["branch"], "name": "Shanghai Lujiazui"}
    assert httpx.post(f"{base}/api/v1/branches", headers=auth, json=branch).status_code == 201
    created = httpx.post(f"{base}/api/v1/clients", headers=auth, json=PERSON)
    assert created.status_code == 201
    client = created.json()
    refused = httpx.post(
        f"{base}/api/v1/clients", headers=auth, json={**PERSON, "email": "private@", "tier": 9}
    )
    assert refused.status_code == 422
    duplicate = httpx.post(f"{base}/api/v1/clients", headers=auth, json=PERSON)
    assert duplicate.status_code == 409
    httpx.get(f"{base}/api/v1/clients?q=Sensitive", headers=auth)
    note = {"channel": "call", "summary": "Sensitive Person moved to Hidden Road"}
    noted = httpx.post(
        f"{base}/api/v1/clients/{client['id']}/interactions", headers=auth, json=note
    )
    assert noted.status_code == 201, noted.text
    read = httpx.get(
        f"{base}/api/v1/clients/{client['id']}?min_position={noted.json()['position']}",
        headers=auth,
    )
    assert read.status_code == 200


def _serve(env: dict[str, str], out: Path, err: Path) -> subprocess.Popen[bytes]:
    with out.open("wb") as stdout, err.open("wb") as stderr:
        return subprocess.Popen(
            python_module("api.cli", "serve"), cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )


def _await_output(path: Path, pattern: str, proc: subprocess.Popen[bytes]) -> str:
    """The first group of the first line of ``path`` matching ``pattern``; fails if the
    process stops or a minute passes first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in path.read_text().splitlines():
            if match := re.match(pattern, line):
                return match.group(1)
        assert proc.poll() is None, f"serve stopped: {path.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"nothing matched {pattern!r} within a minute")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not come up")


def test_demo_twice_adds_other_clients(settings: Settings) -> None:
    first = out(
        assure(
            settings, "demo", "--clients", "5", "--funds", "3", "--nav-years", "1", "--tickets", "5"
        )
    )
    second = out(
        assure(
            settings, "demo", "--clients", "5", "--funds", "3", "--nav-years", "1", "--tickets", "5"
        )
    )
    assert (first["clients"], second["clients"], second["users"]) == (5, 5, 0)


def test_keys_rotate_master_rewraps_every_key_and_the_data_still_reads(settings: Settings) -> None:
    # Given clients whose keys are wrapped by the master key in the data directory
    engine = open_branches(build_engine(settings))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="rotate")
    ids = [engine.handler(ClientCommands).register(ctx, **client_fields()).id for _ in range(3)]
    engine.close()
    first = (settings.data_dir / "master.key").read_text()
    # When the master key is rotated
    rotated = out(assure(settings, "keys", "rotate-master"))
    # Then every key was re-wrapped under a new master, the old one kept for the stragglers
    assert rotated["rewrapped"] == 3
    assert (settings.data_dir / "master.key.old").read_text() == first
    assert (settings.data_dir / "master.key").read_text() != first
    engine = build_engine(settings)
    try:
        rows = key_table(engine.store.recorder).key_rows(None, 100)
        assert len(rows) == 3
        assert all(engine.keyring.masters.current(stored) for _, stored in rows)
        names = [engine.handler(ClientCommands).load(Client, i).name for i in ids]
        assert names == [CLIENT["name"]] * 3
    finally:
        engine.close()
    # And with the master key given by the environment, the command says what to do
    given = assure(settings, "keys", "rotate-master", ASSURE_MASTER_KEY=first)
    assert given.returncode == 2
    assert "ASSURE_OLD_MASTER_KEYS" in given.stderr
