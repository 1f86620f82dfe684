"""The assure command: serve the API, manage staff accounts and branches, load the demo,
run the scheduler, watch and rebuild the views, import NAV files, replay decisions and
verify the audit chain. Output is for people; --json gives it to machines."""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from adapters.shared.clock import system_clock
from adapters.shared.logging import configure_logging
from adapters.shared.personal import MASTER_FILE, OLD_MASTER_FILE, new_master
from adapters.shared.secrets import replace_secret
from adapters.shared.settings import Settings
from api import terminal
from api.contexts import CONTEXTS, build_engine
from api.engine import Engine
from application.compliance.replay import DecisionReplay
from application.demo.load import DemoLogin, demo_logins, load_demo
from application.funds.commands import FundCommands
from application.staff import BranchCommands, StaffCommands
from domain.cqp.milestones import Milestone
from domain.shared.base import Context
from domain.shared.errors import DomainError, InvalidRows
from domain.shared.progress import Progress
from domain.staff.users import Role
from projections.compliance.audit import verify
from projections.staff import BranchesView, StaffView

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
        with terminal.progress() as track:
            created = load_demo(engine.demo_commands(), engine.clock(), progress=track)
        terminal.say("Loaded the demo data: " + ", ".join(f"{v:,} {k}" for k, v in created.items()))
        _show_logins(demo_logins(engine.handler(StaffCommands), _ctx()))


def _show_logins(logins: list[DemoLogin]) -> None:
    terminal.table(
        ["username", "role", "branch", "password"],
        [(x.username, x.role, x.branch or "", x.password) for x in logins],
        title="Sign in as each demo role (shown once; `assure demo users` gives new ones):",
    )


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from api.app import create_app  # noqa: PLC0415

    engine = build_engine(settings)
    _first_start(engine)
    host, port = host or settings.host, port or settings.port
    print(
        f"Serving the console on http://{host}:{port}/ and the API on /api/v1 (docs at /docs)",
        flush=True,
    )
    uvicorn.run(
        create_app(engine),
        host=host,
        port=port,
        access_log=False,
        log_config=None,
    )
    return 0


def users_add(
    settings: Settings,
    username: str,
    role: str,
    password: str,
    branch: str | None,
    as_json: bool,
) -> int:
    engine = build_engine(settings)
    try:
        result = engine.handler(StaffCommands).add_user(
            _ctx(), username, Role(role), password, branch=branch
        )
    finally:
        engine.close()
    added = {"id": str(result.id), "username": username.lower(), "role": role, "branch": branch}
    if as_json:
        terminal.as_json(added)
    else:
        where = f", branch {branch}" if branch else ""
        terminal.say(f"Added {added['username']} ({role}{where}), id {result.id}")
    return 0


def _read(
    settings: Settings, read: Callable[[Engine], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Rows of a view, once the views have caught up with the store."""
    engine = build_engine(settings)
    try:
        engine.projector.catch_up()
        return read(engine)
    finally:
        engine.close()


def users_list(settings: Settings, as_json: bool) -> int:
    """Every staff account, by username."""
    users = _read(settings, lambda e: e.view(StaffView).all(e.db))
    if as_json:
        terminal.as_json(users)
        return 0
    terminal.table(
        ["username", "role", "branch", "enabled", "created"],
        [
            (
                u["username"],
                u["role"],
                u["branch"] or "",
                "yes" if u["enabled"] else "no",
                terminal.local(u["created_at"]),
            )
            for u in users
        ],
    )
    return 0


def users_reset_password(settings: Settings, username: str, as_json: bool) -> int:
    """Give an account a generated password, printed once; its tokens stop working."""
    engine = build_engine(settings)
    try:
        staff = engine.handler(StaffCommands)
        user = staff.find_user(username)
        if user is None:
            print(f"assure users reset-password: no account {username!r}", file=sys.stderr)
            return 1
        password = secrets.token_urlsafe(12)
        staff.change_password(_ctx(), user.id, password)
    finally:
        engine.close()
    if as_json:
        terminal.as_json({"username": user.username, "password": password})
    else:
        terminal.say(f"New password for {user.username} (shown only once): {password}")
    return 0


def branches(
    settings: Settings, action: str, code: str | None, name: str | None, as_json: bool
) -> int:
    """List the branches, or register one (its code must be free)."""
    if action == "add":
        if code is None or name is None:
            print("assure branches add: give the code and the name", file=sys.stderr)
            return 2
        engine = build_engine(settings)
        try:
            engine.handler(BranchCommands).open(_ctx(), code, name)
        finally:
            engine.close()
        _report(as_json, {"code": code, "name": name}, f"Opened branch {code} ({name})")
        return 0
    rows = _read(settings, lambda e: e.view(BranchesView).all(e.db))
    if as_json:
        terminal.as_json(rows)
    else:
        terminal.table(["code", "name"], [(b["code"], b["name"]) for b in rows])
    return 0


def rotate_master(settings: Settings, as_json: bool) -> int:
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
    if as_json:
        terminal.as_json({"rewrapped": engine.rewrapped, "old_master": old})
    else:
        terminal.say(f"Wrapped {engine.rewrapped:,} personal-data keys under a new master key.")
        terminal.say(f"The old master key is kept in {old} until every process has restarted.")
    return 0


def projections(
    settings: Settings,
    action: str,
    name: str | None,
    as_json: bool,
    every: bool = False,
    jobs: int = 2,
) -> int:
    engine = build_engine(settings)
    try:
        if action == "status":
            _status(engine, as_json)
        elif action == "rebuild" and every:
            _rebuild_all(engine, as_json, jobs)
        elif action == "rebuild":
            assert name is not None
            _rebuild(engine, name, as_json)
        elif action == "retry":
            assert name is not None
            retried = engine.projector.workers[name].retry_parked()
            _report(as_json, {"retried": retried}, f"Applied {retried:,} parked events again")
        elif action == "catch-up":
            moved = engine.projector.catch_up()
            _report(as_json, {"moved": moved}, f"The views applied {moved:,} events")
    finally:
        engine.close()
    return 0


def _report(as_json: bool, data: dict[str, Any], sentence: str) -> None:
    if as_json:
        terminal.as_json(data)
    else:
        terminal.say(sentence)


def _status(engine: Engine, as_json: bool) -> None:
    status = engine.projector.status()
    if as_json:
        terminal.as_json(status)
        return
    terminal.table(
        ["view", "position", "head", "lag", "parked"],
        [(s["name"], s["position"], s["head"], s["lag"], len(s["parked"])) for s in status],
    )


def _rebuild(engine: Engine, name: str, as_json: bool) -> None:
    started = time.monotonic()
    with terminal.progress(not as_json) as track:
        position = engine.rebuild(name, track)
    seconds = time.monotonic() - started
    _report(
        as_json,
        {"rebuilt": name, "position": position, "seconds": round(seconds, 3)},
        f"Rebuilt {name} to position {position:,} in {seconds:.1f} s",
    )


def _as_view(track: Progress, view: str, _: str, done: int, total: int) -> None:
    """A rebuild's progress, under its view's name."""
    track(view, done, total)


def _rebuild_all(engine: Engine, as_json: bool, jobs: int) -> None:
    """Every view rebuilt from the events, ``jobs`` at a time, a progress bar each; each
    keeps serving its old tables until its own swap."""
    started = time.monotonic()
    with terminal.progress(not as_json) as track:
        done = engine.rebuild_all(lambda view: partial(_as_view, track, view), jobs)
    rebuilt = [
        {"view": name, "position": position, "seconds": round(seconds, 3)}
        for name, position, seconds in done
    ]
    seconds = time.monotonic() - started
    _report(
        as_json,
        {"rebuilt": rebuilt, "seconds": round(seconds, 3)},
        f"Rebuilt {len(rebuilt)} views in {seconds:.1f} s",
    )


def demo(
    settings: Settings, count: int, funds: int, years: int, tickets: int, as_json: bool
) -> int:
    engine = build_engine(settings)
    try:
        seed = engine.store.head()  # another run adds other clients
        with terminal.progress(not as_json) as track:
            created = load_demo(
                engine.demo_commands(), engine.clock(), count, seed, funds, years, tickets, track
            )
    finally:
        engine.close()
    if as_json:
        terminal.as_json(created)
    else:
        terminal.table(["created", "count"], [(k, v) for k, v in created.items()])
        terminal.say("Sign in as a demo role: assure demo users")
    return 0


def demo_users(settings: Settings, as_json: bool) -> int:
    """A new password for each demo account, shown once: how to sign in as each role."""
    engine = build_engine(settings)
    try:
        logins = demo_logins(engine.handler(StaffCommands), _ctx())
    finally:
        engine.close()
    if as_json:
        terminal.as_json([asdict(x) for x in logins])
    elif not logins:
        terminal.say("No demo accounts here: load the demo first (assure demo)")
    else:
        _show_logins(logins)
    return 0


def import_navs(settings: Settings, path: str, as_json: bool) -> int:
    """Import a NAV file (code,date,unit_nav,accumulated_nav); a file cut short imports the
    rest when given again."""
    text = Path(path).read_text(encoding="utf-8")
    engine = build_engine(settings)
    try:
        with terminal.progress(not as_json) as track:
            report = engine.handler(FundCommands).import_navs(
                _ctx(), text, Path(path).name, progress=track
            )
    except InvalidRows as e:
        for error in e.errors[:20]:
            print(
                f"line {error.get('line')}: {error.get('field')}: {error.get('message')}",
                file=sys.stderr,
            )
        print(f"assure funds import-nav: {e.message}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    if as_json:
        terminal.as_json(asdict(report))
    else:
        terminal.say(
            f"Imported {report.rows:,} rows: {report.published:,} published, "
            f"{report.corrected:,} corrected, {report.unchanged:,} unchanged "
            f"(position {report.position:,})"
        )
    return 0


def scheduler(settings: Settings, action: str, now: datetime | None, as_json: bool) -> int:
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
            if as_json:
                terminal.as_json({"now": at.isoformat(), "leader": leader, "recorded": done})
            elif leader:
                terminal.table(
                    ["job", "recorded"],
                    [(job, count) for job, count in done.items()],
                    title=f"Every job, once, as of {terminal.local(at)}:",
                )
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
        with terminal.progress(not as_json) as track:
            report = verify(engine.store, progress=track)
    finally:
        engine.close()
    if as_json:
        terminal.as_json(asdict(report))
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
        data = report.model_dump(mode="json")
        names = engine.handler(StaffCommands).usernames(
            UUID(e["actor"]) for e in data["timeline"] if _is_id(e["actor"])
        )
    finally:
        engine.close()
    for e in data["timeline"]:
        e["actor_id"] = e["actor"]
        e["actor"] = names.get(UUID(e["actor"]), e["actor"]) if _is_id(e["actor"]) else e["actor"]
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        print(readable(kind, ref, key, data))
    return 0 if report.consistent else 1


def _is_id(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def readable(kind: str, ref: str, key: str | None, data: dict[str, Any]) -> str:
    """A replay as a plain report: timeline, inputs, verdicts, consistency."""
    title = f"Replay of {kind} {ref}" + (f" / {key}" if key else "")
    lines = [title, "=" * len(title), "", "Timeline:"]
    for e in data["timeline"]:
        lines.append(
            f"  #{e['position']:<8} v{e['version']:<3} {terminal.local(e['at'])}  "
            f"{e['type']:<28} by {e['actor']} (correlation {e['correlation_id']})"
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


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("give a whole number, 1 or more")
    return int(text)


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for machines")


def _users(sub: Any) -> None:
    u = sub.add_parser("users", help="staff accounts: add, list, reset a password")
    usub = u.add_subparsers(dest="action", required=True, metavar="ACTION")
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
    _json(add)
    _json(usub.add_parser("list", help="every staff account"))
    reset = usub.add_parser("reset-password", help="a generated password, printed once")
    reset.add_argument("username")
    _json(reset)


def _data(sub: Any) -> None:
    b = sub.add_parser("branches", help="the firm's branches: list, or add one")
    b.add_argument("action", choices=["list", "add"])
    b.add_argument("code", nargs="?", help="e.g. SH-LUJIAZUI")
    b.add_argument("name", nargs="?", help="e.g. 'Shanghai Lujiazui'")
    _json(b)
    d = sub.add_parser("demo", help="load the demo data set, or show its sign-ins")
    d.add_argument("action", nargs="?", choices=["load", "users"], default="load")
    d.add_argument("--clients", type=int, default=300)
    d.add_argument("--funds", type=int, default=200)
    d.add_argument("--nav-years", type=int, default=3)
    d.add_argument("--tickets", type=int, default=3000)
    _json(d)
    f = sub.add_parser("funds", help="the fund catalogue: import a NAV file")
    f.add_argument("action", choices=["import-nav"])
    f.add_argument("file", help="a CSV file: code,date,unit_nav,accumulated_nav")
    _json(f)


def _operations(sub: Any) -> None:
    k = sub.add_parser("keys", help="the master key of the personal-data keys")
    k.add_argument("action", choices=["rotate-master"])
    _json(k)
    pr = sub.add_parser("projections", help="views: status, rebuild, retry, catch-up")
    pr.add_argument("action", choices=["status", "rebuild", "retry", "catch-up"])
    pr.add_argument("name", nargs="?", choices=[v.name for c in CONTEXTS for v in c.views])
    pr.add_argument("--all", action="store_true", dest="every", help="rebuild: every view")
    pr.add_argument(
        "--jobs",
        type=_positive,
        default=2,
        help="rebuild --all: how many views at a time (default 2)",
    )
    _json(pr)
    sc = sub.add_parser("scheduler", help="run the scheduler alone, or every job once")
    sc.add_argument("action", choices=["run", "tick"])
    sc.add_argument("--now", type=_instant, help="the instant a tick runs as of (ISO 8601)")
    _json(sc)
    r = sub.add_parser("replay", help="replay a recorded decision for compliance")
    r.add_argument("kind", choices=["purchase", "avl", "milestone"])
    r.add_argument("id", help="the purchase, supplier or CQP plan id")
    r.add_argument("key", nargs="?", help="the AVL category, or the milestone code")
    _json(r)
    a = sub.add_parser("audit", help="the audit log's hash chain")
    a.add_argument("action", choices=["verify"])
    _json(a)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assure", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    s = sub.add_parser("serve", help="run the API, the console, workers and scheduler")
    s.add_argument("--host", help="the address to listen on (default: ASSURE_HOST)")
    s.add_argument("--port", type=int, help="the port to listen on (default: ASSURE_PORT)")
    _users(sub)
    _data(sub)
    _operations(sub)
    return p


def _run_users(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    if args.action == "list":
        return users_list(settings, as_json)
    if args.action == "reset-password":
        return users_reset_password(settings, args.username, as_json)
    password = sys.stdin.readline().rstrip("\n")
    return users_add(settings, args.username, args.role, password, args.branch, as_json)


def _run_projections(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    every = args.action == "rebuild" and args.every
    if args.every and (args.name or args.action != "rebuild"):
        print("assure projections: --all goes with rebuild and no view name", file=sys.stderr)
        return 2
    if args.action in ("rebuild", "retry") and not args.name and not every:
        print(f"assure projections {args.action}: give a view name or --all", file=sys.stderr)
        return 2
    return projections(settings, args.action, args.name, as_json, every, args.jobs)


def _run_replay(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    if args.kind != "purchase" and not args.key:
        print(f"assure replay {args.kind}: give the category or milestone", file=sys.stderr)
        return 2
    return replay(settings, args.kind, args.id, args.key, as_json)


def _run_demo(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    if args.action == "users":
        return demo_users(settings, as_json)
    return demo(settings, args.clients, args.funds, args.nav_years, args.tickets, as_json)


Run = Callable[[argparse.Namespace, Settings, bool], int]
COMMANDS: dict[str, Run] = {
    "serve": lambda a, s, _: serve(s, a.host, a.port),
    "users": _run_users,
    "projections": _run_projections,
    "keys": lambda _, s, j: rotate_master(s, j),
    "branches": lambda a, s, j: branches(s, a.action, a.code, a.name, j),
    "funds": lambda a, s, j: import_navs(s, a.file, j),
    "replay": _run_replay,
    "audit": lambda _, s, j: audit(s, j),
    "scheduler": lambda a, s, j: scheduler(s, a.action, a.now, j),
    "demo": _run_demo,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    try:
        return COMMANDS[args.command](args, settings, getattr(args, "json", False))
    except DomainError as e:
        print(f"assure: {e.message}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as e:  # a malformed id or milestone code, a missing file
        print(f"assure: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
