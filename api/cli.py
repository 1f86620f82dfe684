"""The ``assure`` command: serve, users, projections, demo, scheduler, replay, audit."""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import signal
import sys
import threading
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from adapters.shared.clock import system_clock
from adapters.shared.logging import configure_logging
from adapters.shared.personal import MASTER_FILE, OLD_MASTER_FILE, new_master
from adapters.shared.secrets import replace_secret
from adapters.shared.settings import Settings
from api.contexts import CONTEXTS, build_engine
from api.engine import Engine
from application.compliance.replay import DecisionReplay
from application.demo.load import load_demo
from application.staff import BranchCommands, StaffCommands
from domain.cqp.milestones import Milestone
from domain.shared.base import Context
from domain.shared.errors import DomainError
from domain.staff.users import Role
from projections.compliance.audit import verify
from projections.staff import BranchesView

CLI_ACTOR = "system:cli"
CLOCK_SKEW = timedelta(minutes=1)  # how far ahead of this clock a tick may be dated


def _ctx() -> Context:
    now = system_clock()
    return Context(actor=CLI_ACTOR, at=now, correlation_id=f"cli:{now.isoformat()}")


def _first_start(engine: Engine) -> None:
    """On an empty store: an admin with a generated password (shown once), then the demo."""
    if engine.store.head() > 0:
        return
    password = secrets.token_urlsafe(18)
    engine.handler(StaffCommands).add_user(_ctx(), "admin", Role.ADMIN, password)
    print("=" * 64)
    print("First start: created user 'admin' with password (shown only once):")
    print(f"    {password}")
    print("=" * 64, flush=True)
    if engine.settings.demo_on_empty:
        created = load_demo(engine.demo_commands(), engine.clock())
        print(f"Loaded demo data: {created}", flush=True)


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from api.app import create_app  # noqa: PLC0415

    engine = build_engine(settings)
    _first_start(engine)
    host, port = host or settings.host, port or settings.port
    print(f"Serving on http://{host}:{port} (docs at /docs)", flush=True)
    uvicorn.run(
        create_app(engine),
        host=host,
        port=port,
        access_log=False,
        log_config=None,
    )
    return 0


def users_add(
    settings: Settings, username: str, role: str, password: str, branch: str | None
) -> int:
    engine = build_engine(settings)
    try:
        result = engine.handler(StaffCommands).add_user(
            _ctx(), username, Role(role), password, branch=branch
        )
    finally:
        engine.close()
    print(json.dumps({"id": str(result.id), "username": username.lower(), "role": role}))
    return 0


def branches(settings: Settings, action: str, code: str | None, name: str | None) -> int:
    """List the branches, or register one (its code must be free)."""
    engine = build_engine(settings)
    try:
        if action == "add":
            if code is None or name is None:
                print("assure branches add: give the code and the name", file=sys.stderr)
                return 2
            engine.handler(BranchCommands).open(_ctx(), code, name)
            print(json.dumps({"code": code, "name": name}))
            return 0
        engine.projector.catch_up()
        for branch in engine.view(BranchesView).all(engine.db):
            print(f"{branch['code']}\t{branch['name']}")
        return 0
    finally:
        engine.close()


def rotate_master(settings: Settings) -> int:
    """Wrap every personal-data key under a new master key (the key file's); the old one
    stays in ``master.key.old`` so that a process still running with it can be read."""
    if settings.master_key is not None:
        print(
            "assure keys rotate-master: the master key is ASSURE_MASTER_KEY. Set it to a new "
            "key (base64 of 32 random bytes), add the old one to ASSURE_OLD_MASTER_KEYS and "
            "restart: each start wraps the keys under the current master.",
            file=sys.stderr,
        )
        return 2
    quiet = settings.model_copy(update={"run_workers": False, "run_scheduler": False})
    build_engine(quiet).close()  # every key under the current master first
    current = (settings.data_dir / MASTER_FILE).read_text()
    replace_secret(settings.data_dir / OLD_MASTER_FILE, current)
    replace_secret(settings.data_dir / MASTER_FILE, new_master())
    engine = build_engine(quiet)  # its start wraps every key under the new master
    engine.close()
    old = str(settings.data_dir / OLD_MASTER_FILE)
    print(json.dumps({"rewrapped": engine.rewrapped, "old_master": old}))
    return 0


def projections(settings: Settings, action: str, name: str | None) -> int:
    engine = build_engine(settings)
    try:
        if action == "status":
            print(json.dumps(engine.projector.status(), indent=2, default=str))
        elif action == "rebuild":
            assert name is not None
            position = engine.rebuild(name)
            print(json.dumps({"rebuilt": name, "position": position}))
        elif action == "retry":
            assert name is not None
            print(json.dumps({"retried": engine.projector.workers[name].retry_parked()}))
        elif action == "catch-up":
            print(json.dumps({"moved": engine.projector.catch_up()}))
    finally:
        engine.close()
    return 0


def demo(settings: Settings, count: int, funds: int, years: int, tickets: int) -> int:
    engine = build_engine(settings)
    try:
        seed = engine.store.head()  # another run adds other clients
        print(
            json.dumps(
                load_demo(
                    engine.demo_commands(), engine.clock(), count, seed, funds, years, tickets
                )
            )
        )
    finally:
        engine.close()
    return 0


def scheduler(settings: Settings, action: str, now: datetime | None) -> int:
    """``tick``: run every job once as of ``now`` (catch-up, tests) and print what each
    recorded; ``run``: the scheduler alone, leading or standing by, until interrupted."""
    running = action == "run"
    if now is not None and now > system_clock() + CLOCK_SKEW:
        print(
            f"assure scheduler tick: --now {now.isoformat()} is in the future (more than "
            f"{CLOCK_SKEW.seconds} s ahead of this machine's clock); nothing was recorded",
            file=sys.stderr,
        )
        return 1
    engine = build_engine(
        settings.model_copy(update={"run_workers": running, "run_scheduler": running})
    )
    try:
        if action == "tick":
            at = now or engine.clock()
            done = engine.tick(at)
            engine.projector.catch_up()
            leader = bool(done)  # a standby runs nothing: another scheduler leads
            print(json.dumps({"now": at.isoformat(), "leader": leader, "recorded": done}))
            if not leader:
                print("another scheduler leads: this tick ran nothing", file=sys.stderr)
            return 0
        engine.start()
        print("Scheduler running (leader or standby); Ctrl-C stops it", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        engine.close()
    return 0


def audit(settings: Settings, as_json: bool) -> int:
    """Recompute the chain from the store (never extending it); exit 1 at the first break."""
    engine = build_engine(settings.model_copy(update={"run_workers": False}))
    try:
        report = verify(engine.store)
    finally:
        engine.close()
    if as_json:
        print(json.dumps(asdict(report)))
    elif report.ok:
        print(f"Chain verified: {report.checked} events up to position {report.verified_to}")
        print(f"Head hash (publish it): {report.head_hash}")
    else:
        print(f"Chain BROKEN at position {report.broken_at}: {report.reason}")
        print(f"Verified before it: {report.checked} events up to {report.verified_to}")
    return 0 if report.ok else 1


def replay(settings: Settings, kind: str, ref: str, key: str | None, as_json: bool) -> int:
    """Replay one recorded decision; exit 1 when it does not replay consistently."""
    engine = build_engine(settings.model_copy(update={"run_workers": False}))
    try:
        ident = UUID(ref)
        if kind == "purchase":
            report: Any = engine.handler(DecisionReplay).purchase(ident)
        elif kind == "avl":
            report = engine.handler(DecisionReplay).avl(ident, key or "")
        else:
            report = engine.handler(DecisionReplay).milestone(ident, Milestone(key or ""))
    finally:
        engine.close()
    data = report.model_dump(mode="json")
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        print(readable(kind, ref, key, data))
    return 0 if report.consistent else 1


def readable(kind: str, ref: str, key: str | None, data: dict[str, Any]) -> str:
    """A replay as a plain report: timeline, inputs, verdicts, consistency."""
    title = f"Replay of {kind} {ref}" + (f" / {key}" if key else "")
    lines = [title, "=" * len(title), "", "Timeline:"]
    for e in data["timeline"]:
        lines.append(
            f"  #{e['position']:<8} v{e['version']:<3} {e['at']}  {e['type']:<28} "
            f"by {e['actor']} (correlation {e['correlation_id']})"
        )
    lines += ["", "Inputs, as they stood:"]
    lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data["inputs"].items()]
    lines += ["", "Verdicts:"]
    for name in ("recorded", "recomputed", "under_current_rules"):
        lines.append(f"  {name:<20} {json.dumps(data[name], ensure_ascii=False)}")
    verdict = "CONSISTENT" if data["consistent"] else "INCONSISTENT"
    lines += ["", f"Result: {verdict}", *[f"  - {d}" for d in data["differences"]]]
    return "\n".join(lines)


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2026-12-01T09:00:00+00:00")
    return moment


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assure", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the API, workers and scheduler")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    u = sub.add_parser("users", help="staff accounts")
    usub = u.add_subparsers(dest="action", required=True)
    add = usub.add_parser("add", help="add a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--branch", help="the branch an advisor works for")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input",
    )
    b = sub.add_parser("branches", help="the firm's branches: list, or add one")
    b.add_argument("action", choices=["list", "add"])
    b.add_argument("code", nargs="?", help="e.g. SH-LUJIAZUI")
    b.add_argument("name", nargs="?", help="e.g. 'Shanghai Lujiazui'")
    k = sub.add_parser("keys", help="the master key of the personal-data keys")
    k.add_argument("action", choices=["rotate-master"])
    pr = sub.add_parser("projections", help="views: status, rebuild, retry, catch-up")
    pr.add_argument("action", choices=["status", "rebuild", "retry", "catch-up"])
    pr.add_argument("name", nargs="?", choices=[v.name for c in CONTEXTS for v in c.views])
    d = sub.add_parser("demo", help="load the demo data set")
    d.add_argument("--clients", type=int, default=300)
    d.add_argument("--funds", type=int, default=200)
    d.add_argument("--nav-years", type=int, default=3)
    d.add_argument("--tickets", type=int, default=3000)
    sc = sub.add_parser("scheduler", help="run the scheduler alone, or every job once")
    sc.add_argument("action", choices=["run", "tick"])
    sc.add_argument("--now", type=_instant, help="the instant a tick runs as of (ISO 8601)")
    r = sub.add_parser("replay", help="replay a recorded decision for compliance")
    r.add_argument("kind", choices=["purchase", "avl", "milestone"])
    r.add_argument("id", help="the purchase, supplier or CQP plan id")
    r.add_argument("key", nargs="?", help="the AVL category, or the milestone code")
    r.add_argument("--json", action="store_true", help="print the replay as JSON")
    a = sub.add_parser("audit", help="the audit log's hash chain")
    a.add_argument("action", choices=["verify"])
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    try:
        if args.command == "serve":
            return serve(settings, args.host, args.port)
        if args.command == "users":
            password = sys.stdin.readline().rstrip("\n")
            return users_add(settings, args.username, args.role, password, args.branch)
        if args.command == "projections":
            if args.action in ("rebuild", "retry") and not args.name:
                print(f"assure projections {args.action}: give a view name", file=sys.stderr)
                return 2
            return projections(settings, args.action, args.name)
        if args.command == "keys":
            return rotate_master(settings)
        if args.command == "branches":
            return branches(settings, args.action, args.code, args.name)
        if args.command == "replay":
            if args.kind != "purchase" and not args.key:
                print(f"assure replay {args.kind}: give the category or milestone", file=sys.stderr)
                return 2
            return replay(settings, args.kind, args.id, args.key, args.json)
        if args.command == "audit":
            return audit(settings, args.json)
        if args.command == "scheduler":
            return scheduler(settings, args.action, args.now)
        return demo(settings, args.clients, args.funds, args.nav_years, args.tickets)
    except DomainError as e:
        print(f"assure: {e.message}", file=sys.stderr)
        return 1
    except ValueError as e:  # a malformed id or milestone code
        print(f"assure: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
