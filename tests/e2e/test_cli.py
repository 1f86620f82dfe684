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
import pytest

from adapters.shared.eventstore import key_table
from adapters.shared.settings import Settings
from api.cli import parser
from api.contexts import build_engine
from application.clients import ClientCommands
from application.staff import StaffCommands
from domain.clients import Client
from domain.shared.base import Context
from domain.shared.errors import DomainError
from tests.conftest import CLIENT, client_fields, open_branches
from tests.faketime import python_module
from tests.integration.test_nav_import import given_funds

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
            "--json",
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
    added = out(assure(settings, "branches", "add", "CD-GAOXIN", "Chengdu Gaoxin", "--json"))
    assert added == {"code": "CD-GAOXIN", "name": "Chengdu Gaoxin"}
    assert (
        out(assure(settings, *args, "--password-stdin", "--json", stdin=password))["role"]
        == "advisor"
    )
    listed = assure(settings, "branches", "list")
    assert listed.stdout.split() == ["code", "name", "CD-GAOXIN", "Chengdu", "Gaoxin"]
    [branch] = out(assure(settings, "branches", "list", "--json"))
    assert (branch["code"], branch["name"]) == ("CD-GAOXIN", "Chengdu Gaoxin")
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
            "--json",
        )
    )
    assert demo["clients"] == 12
    moved = out(assure(settings, "projections", "catch-up", "--json"))
    assert moved["moved"] > 0
    status = {s["name"]: s for s in out(assure(settings, "projections", "status", "--json"))}
    assert status["clients"]["lag"] == 0
    assert status["clients"]["head"] >= demo["events"]
    rebuilt = out(assure(settings, "projections", "rebuild", "clients", "--json"))
    assert (rebuilt["rebuilt"], rebuilt["position"]) == ("clients", status["clients"]["head"])
    assert assure(settings, "projections", "rebuild").returncode == 2
    for jobs in ("1", "3"):  # one view at a time, and three
        every = out(assure(settings, "projections", "rebuild", "--all", "--jobs", jobs, "--json"))
        views = [v["view"] for v in every["rebuilt"]]
        assert views == list(status)
        assert all(v["position"] == status[v["view"]]["head"] for v in every["rebuilt"])
    assert assure(settings, "projections", "rebuild", "--all", "--jobs", "0").returncode == 2
    assert assure(settings, "projections", "rebuild", "clients", "--all").returncode == 2
    assert assure(settings, "projections", "status", "--all").returncode == 2


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
    small = ("--clients", "5", "--funds", "3", "--nav-years", "1", "--tickets", "5", "--json")
    first, second = (out(assure(settings, "demo", *small)) for _ in range(2))
    assert (first["clients"], second["clients"], second["users"]) == (5, 5, 0)


def test_keys_rotate_master_rewraps_every_key_and_the_data_still_reads(settings: Settings) -> None:
    # Given clients whose keys are wrapped by the master key in the data directory
    engine = open_branches(build_engine(settings))
    ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="rotate")
    ids = [engine.handler(ClientCommands).register(ctx, **client_fields()).id for _ in range(3)]
    engine.close()
    first = (settings.data_dir / "master.key").read_text()
    # When the master key is rotated
    rotated = out(assure(settings, "keys", "rotate-master", "--json"))
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


def signs_in(settings: Settings, username: str, password: str) -> bool:
    """Whether the account takes this password (checked on the store, as a login does)."""
    engine = build_engine(settings)
    try:
        ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="check")
        engine.handler(StaffCommands).authenticate(ctx, username, password)
    except DomainError:
        return False
    finally:
        engine.close()
    return True


def test_users_list_and_reset_password_for_people_and_machines(settings: Settings) -> None:
    # Given two accounts
    for name, role in (("agent.wu", "agent"), ("admin.he", "admin")):
        added = assure(
            settings,
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            stdin="a long enough password\n",
        )
        assert added.returncode == 0, added.stderr
        assert f"Added {name} ({role})" in added.stdout
    # When they are listed, for people and for machines
    table = assure(settings, "users", "list")
    listed = out(assure(settings, "users", "list", "--json"))
    # Then people see an aligned table by username, machines every field
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["username", "role", "branch", "enabled", "created"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["admin.he", "admin"],
        ["agent.wu", "agent"],
    ]
    assert [(u["username"], u["enabled"]) for u in listed] == [
        ("admin.he", True),
        ("agent.wu", True),
    ]
    # And a reset password is printed once, works, and the old one no longer does
    reset = out(assure(settings, "users", "reset-password", "agent.wu", "--json"))
    assert reset["username"] == "agent.wu"
    assert signs_in(settings, "agent.wu", reset["password"])
    assert not signs_in(settings, "agent.wu", "a long enough password")
    nobody = assure(settings, "users", "reset-password", "nobody")
    assert (nobody.returncode, "no account 'nobody'" in nobody.stderr) == (1, True)


def test_demo_users_gives_a_working_sign_in_for_each_demo_role(settings: Settings) -> None:
    # Given the demo data
    loaded = assure(
        settings, "demo", "--clients", "3", "--funds", "2", "--nav-years", "1", "--tickets", "3"
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "assure demo users" in loaded.stdout
    # When the demo's sign-ins are asked for
    logins = out(assure(settings, "demo", "users", "--json"))
    # Then there is one for each working role, and each password signs in
    assert {x["role"] for x in logins} == {
        "advisor",
        "agent",
        "compliance",
        "quality",
        "mpl",
        "editor",
    }
    assert all(x["branch"] for x in logins if x["role"] == "advisor")
    for x in logins[:2]:
        assert signs_in(settings, x["username"], x["password"])
    shown = assure(settings, "demo", "users")
    assert "advisor.wang" in shown.stdout
    assert "SH-LUJIAZUI" in shown.stdout


def test_funds_import_nav_from_a_file_reports_what_it_did(
    settings: Settings, tmp_path: Path
) -> None:
    # Given a fund, and a NAV file with two days of it
    engine = build_engine(settings)
    try:
        ctx = Context(actor="system:test", at=datetime.now(UTC), correlation_id="fund")
        given_funds(engine, ctx, "000123")
    finally:
        engine.close()
    navs = tmp_path / "navs.csv"
    navs.write_text(
        "code,date,unit_nav,accumulated_nav\n000123,2026-01-05,1.01,1.21\n"
        "000123,2026-01-06,1.02,1.22\n"
    )
    # When it is imported from the command line
    done = assure(settings, "funds", "import-nav", str(navs))
    # Then it says what it did, and a second run changes nothing
    assert done.returncode == 0, done.stderr
    assert "Imported 2 rows: 2 published, 0 corrected, 0 unchanged" in done.stdout
    again = out(assure(settings, "funds", "import-nav", str(navs), "--json"))
    assert (again["published"], again["unchanged"]) == (0, 2)
    # And a bad row imports nothing and names its line; a missing file is a clear error
    navs.write_text("code,date,unit_nav,accumulated_nav\n000123,2026-01-07,-1,1.2\n")
    bad = assure(settings, "funds", "import-nav", str(navs))
    assert bad.returncode == 1
    assert "line 2: unit_nav" in bad.stderr
    missing = assure(settings, "funds", "import-nav", str(tmp_path / "none.csv"))
    assert (missing.returncode, "No such file" in missing.stderr) == (2, True)


def test_human_output_is_tables_and_sentences(settings: Settings) -> None:
    status = assure(settings, "projections", "status")
    assert status.stdout.splitlines()[0].split() == ["view", "position", "head", "lag", "parked"]
    tick = assure(settings, "scheduler", "tick")
    assert tick.stdout.splitlines()[1].split() == ["job", "recorded"]
    assert "ticket_breaches" in tick.stdout


def test_help_texts_are_plain(capsys: pytest.CaptureFixture[str]) -> None:
    [choices] = [a.choices for a in parser()._actions if a.dest == "command"]
    commands = [[], *[[c] for c in choices or ()]]
    for command in [*commands, ["users", "add"], ["users", "reset-password"]]:
        with pytest.raises(SystemExit) as shown:
            parser().parse_args([*command, "--help"])
        assert shown.value.code == 0, command
        text = capsys.readouterr().out
        assert "usage: assure" in text
        assert not re.search(r"``|:[a-z]+:`|\.\. ", text), (command, text)
