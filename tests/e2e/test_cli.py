"""The ``assure`` command, run as a real process on each store."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from adapters.settings import Settings

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


def assure(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env_for(settings),
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
    settings: Settings,
) -> None:
    port = _free_port()
    env = env_for(
        settings, ASSURE_DEMO_ON_EMPTY="false", ASSURE_PORT=str(port), ASSURE_LOG_LEVEL="INFO"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        password = ""
        while not password:
            line = proc.stdout.readline()
            assert line, "serve stopped before printing the admin password"
            if match := re.match(r"^\s{4}(\S+)$", line):
                password = match.group(1)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "admin", "password": password}
        )
        assert token.status_code == 200
        docs = httpx.get(f"{base}/docs")
        assert docs.status_code == 200
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = httpx.post(
            f"{base}/api/v1/clients",
            headers=auth,
            json={
                "name": "Sensitive Person",
                "id_number": "SECRET998877",
                "phone": "+86 13999999999",
                "email": "private@example.cn",
                "address": "1 Hidden Road",
                "branch": "SH",
                "investor_type": "ordinary",
            },
        )
        assert created.status_code == 201
        httpx.get(f"{base}/api/v1/clients?q=Sensitive", headers=auth)
    finally:
        proc.terminate()
        _, logs = proc.communicate(timeout=20)
    assert "request" in logs
    for personal in ("Sensitive", "SECRET998877", "13999999999", "private@", "Hidden"):
        assert personal not in logs
    again = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}")
    finally:
        again.terminate()
        second_out, _ = again.communicate(timeout=20)
    assert "password" not in second_out


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
