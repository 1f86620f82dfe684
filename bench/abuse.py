"""Abuse figures: what a storm of bad requests does to the server and to everyone else.

    .venv/bin/python -m bench.abuse logins [--throttle off]

``logins``: 40 parallel wrong-password logins against a server hashing with the production
parameters (argon2id at OWASP's minimum). Reported: the server's peak resident memory
(VmHWM) and the median latency of an ordinary authenticated GET while the logins run, as a
ratio to the same GET's median on the idle server (targets: under 500 MB, under 3x).
``--throttle off`` raises the failure limit so that all 40 are hashed: the hashing slots
alone then bound the memory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from api.contexts import build_engine
from application.staff import StaffCommands
from bench.run import PASSWORD, PG_URL, ROOT, SECRET_KEY, _wait, drop, settings_for
from domain.shared.base import Context
from domain.staff import Role

PORT = 18500 + os.getpid() % 1000


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def get_latencies_ms(
    client: httpx.Client, auth: dict[str, str], stop: threading.Event | None, rounds: int = 40
) -> list[float]:
    """Latencies of GET /api/v1/clients?limit=5: ``rounds`` of them, or until ``stop``."""
    took: list[float] = []
    while (stop is None and len(took) < rounds) or (stop is not None and not stop.is_set()):
        started = time.perf_counter()
        response = client.get("/api/v1/clients?limit=5", headers=auth)
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return took


def serve(schema: str, tmp: Path, server_root: Path, **env_more: str) -> subprocess.Popen[bytes]:
    """A server on the bench's schema, with an admin who can log in."""
    settings = settings_for(schema, tmp)
    engine = build_engine(settings)
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    engine.handler(StaffCommands).add_user(ctx, "bench.admin", Role.ADMIN, PASSWORD)
    engine.close()
    env = {
        **os.environ,
        "ASSURE_DATABASE_URL": PG_URL,
        "ASSURE_DATABASE_SCHEMA": schema,
        "ASSURE_DATA_DIR": str(tmp),
        "ASSURE_PORT": str(PORT),
        "ASSURE_DEMO_ON_EMPTY": "false",
        "ASSURE_LOG_LEVEL": "WARNING",
        "ASSURE_SECRET_KEY": SECRET_KEY,
        **env_more,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=server_root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def signed_in(client: httpx.Client) -> tuple[str, dict[str, str]]:
    """The bench administrator's token, and the header that carries it."""
    token = client.post(
        "/api/v1/auth/token", data={"username": "bench.admin", "password": PASSWORD}
    ).json()["access_token"]
    return token, {"Authorization": f"Bearer {token}"}


def waits(server_root: Path, storm: int = 80) -> None:
    """``storm`` reads waiting for a written position the views will not reach (the server
    runs no view workers; the reads' timeout is 60 s), and an ordinary GET's latency
    meanwhile against its latency on the idle server. (A position past the store's head
    would be refused at once: the reads must wait for one a write answered.)"""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    server = serve(
        schema,
        tmp,
        server_root,
        ASSURE_ENV="test",
        ASSURE_READ_WAIT_TIMEOUT="60",
        ASSURE_RUN_WORKERS="false",
    )
    url = f"http://127.0.0.1:{PORT}"
    try:
        _wait(url)
        with httpx.Client(base_url=url, timeout=120) as client:
            token, auth = signed_in(client)
            idle = statistics.median(get_latencies_ms(client, auth, None))
            branch = {"code": "BENCH-WAITS", "name": "Bench waits"}
            written = client.post("/api/v1/branches", json=branch, headers=auth)
            written.raise_for_status()
            storm_proc = subprocess.Popen(
                [
                    sys.executable, "-m", "bench.abuse", "hold", "--url", url,
                    "--n", str(storm), "--token", token,
                    "--position", str(written.json()["position"]),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            assert storm_proc.stdout is not None
            assert storm_proc.stdout.readline().strip() == "ready"
            time.sleep(1.0)  # let every waiting read reach the server
            gets = get_latencies_ms(client, auth, None, rounds=60)
            storm_proc.kill()
        during = statistics.median(gets)
        print(
            f"{storm} reads waiting on ?min_position=: GET /api/v1/clients?limit=5 median "
            f"{during:.1f} ms during vs {idle:.1f} ms idle = {during / idle:.2f}x (target < 3x); "
            f"the slowest {max(gets):.0f} ms"
        )
    finally:
        server.terminate()
        server.wait(timeout=90)
        drop(schema)


def hold_waits(url: str, token: str, storm: int, position: int) -> None:
    """``storm`` reads waiting for ``position``, each on its own connection."""
    auth = {"Authorization": f"Bearer {token}"}
    clients = [httpx.Client(base_url=url, timeout=300) for _ in range(storm)]

    def wait(n: int) -> None:
        with contextlib.suppress(httpx.HTTPError):
            clients[n].get(f"/api/v1/clients?min_position={position}", headers=auth)

    for n in range(storm):
        threading.Thread(target=wait, args=(n,), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


def logins(throttle: bool, server_root: Path, storm: int = 40) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    limits = {} if throttle else {"ASSURE_LOGIN_POLICY": json.dumps({"max_failures": 100_000})}
    # The production hashing parameters (the test ones are cheap)
    server = serve(schema, tmp, server_root, ASSURE_ENV="development", **limits)
    url = f"http://127.0.0.1:{PORT}"
    try:
        _wait(url)
        with httpx.Client(base_url=url, timeout=120) as client:
            # The first login rehashes the account's (test-parameter) hash to today's.
            _, auth = signed_in(client)
            idle = statistics.median(get_latencies_ms(client, auth, None))
            before = memory_kb(server.pid, "VmRSS")
            # The storm comes from another process: its threads must not slow the
            # measuring client down by sharing its interpreter.
            storm_proc = subprocess.Popen(
                [sys.executable, "-m", "bench.abuse", "storm", "--url", url, "--n", str(storm)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert storm_proc.stdout is not None
            assert storm_proc.stdout.readline().strip() == "ready"
            stop = threading.Event()
            started = time.perf_counter()

            def until_answered() -> None:
                storm_proc.wait()
                stop.set()

            waiter = threading.Thread(target=until_answered)
            waiter.start()
            gets = get_latencies_ms(client, auth, stop)
            during = statistics.median(gets)
            waiter.join()
            lasted = time.perf_counter() - started
            statuses = json.loads(storm_proc.stdout.read())
        peak = memory_kb(server.pid, "VmHWM")
        print(
            f"{storm} parallel failed logins (throttle {'on' if throttle else 'off'}): "
            f"answers {statuses} in {lasted:.1f} s; "
            f"server RSS {before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB "
            f"(target < 500 MB); GET /api/v1/clients?limit=5 median {during:.1f} ms during vs "
            f"{idle:.1f} ms idle = {during / idle:.2f}x (target < 3x); "
            f"{len(gets)} GETs during, the slowest {max(gets):.0f} ms"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop(schema)


def wrong_logins(url: str, storm: int) -> None:
    """``storm`` wrong-password logins at once (half for a real account, half for no
    account); prints "ready", then, once all are answered, the count of each status."""
    statuses: Counter[int] = Counter()
    gate = threading.Barrier(storm + 1)
    clients = [httpx.Client(base_url=url, timeout=300) for _ in range(storm)]

    def wrong(n: int) -> None:
        gate.wait()
        name = "bench.admin" if n % 2 == 0 else f"nobody.{n}"
        response = clients[n].post(
            "/api/v1/auth/token", data={"username": name, "password": "wrong!" * 3}
        )
        statuses[response.status_code] += 1

    pool = [threading.Thread(target=wrong, args=(n,)) for n in range(storm)]
    for t in pool:
        t.start()
    print("ready", flush=True)
    gate.wait()
    for t in pool:
        t.join()
    print(json.dumps(dict(sorted(statuses.items()))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("figure", choices=["logins", "waits", "storm", "hold"])
    parser.add_argument("--token", help="hold: a bearer token")
    parser.add_argument("--position", type=int, default=0, help="hold: the position to wait on")
    parser.add_argument("--throttle", choices=["on", "off"], default="on")
    parser.add_argument("--url", help="storm: the server")
    parser.add_argument("--n", type=int, default=40, help="storm: how many at once")
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve from another checkout (e.g. a worktree of an older commit)",
    )
    args = parser.parse_args()
    if args.figure == "storm":
        wrong_logins(args.url, args.n)
        return
    if args.figure == "hold":
        hold_waits(args.url, args.token, args.n, args.position)
        return
    if args.figure == "waits":
        waits(args.server_root)
        return
    logins(args.throttle == "on", args.server_root)


if __name__ == "__main__":
    main()
