"""The console's page render times at the demo's size with 100,000 tickets stored, on the
embedded default (SQLite), each as a p99 beside the same server's answer for its stylesheet
in the same run (the baseline: the app's middleware and routing, without a page).

    .venv/bin/python -m bench.pages [--tickets 100000] [--rounds 200] [--data DIR]

``--data DIR`` keeps the loaded store in DIR and uses it again on the next run (loading
100,000 tickets takes about ten minutes on two cores).

Target (ARCHITECTURE.md): every page's HTML in at most 50 ms p99. The requests go through
the whole app in-process (ASGI, middleware, the session's checks, the views, the template),
not over a socket, so the figure is the server's render time.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from adapters.shared.logging import configure_logging
from adapters.shared.settings import Settings
from api.app import create_app
from api.contexts import build_engine
from api.engine import Engine
from application.demo.load import load_demo
from application.staff import StaffCommands
from bench.run import p99_ms
from domain.shared.base import Context
from domain.staff import Role
from projections.clients.views import ClientsView
from projections.cqp.views import CQPPlansView
from projections.funds import FundsView
from projections.service_desk import TicketsView
from projections.suitability import PurchasesView
from projections.suppliers import SuppliersView

PASSWORD = "bench pages passphrase"  # noqa: S105 - a throwaway store's account
TARGET_MS = 50.0
BASELINE = "/static/console.css"


def loaded(data: Path, tickets: int) -> Engine:
    """The demo store with ``tickets`` tickets in ``data``: loaded there unless it was."""
    settings = Settings(
        _env_file=None,
        env="test",
        data_dir=data,
        run_workers=False,
        run_scheduler=False,
        demo_on_empty=False,
        log_level="WARNING",
        secret_key="bench-pages-secret-key-of-enough-length",  # noqa: S106 - throwaway
    )
    configure_logging(settings)  # warnings only: a line per request would be timed too
    engine = build_engine(settings)
    started = time.perf_counter()
    if engine.store.head() == 0:
        load_demo(engine.demo_commands(), engine.clock(), ticket_count=tickets)
    engine.projector.catch_up()  # a view of a new schema is rebuilt here
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    staff = engine.handler(StaffCommands)
    for username, role, branch in (
        ("bench.advisor", Role.ADVISOR, "SH-LUJIAZUI"),
        ("bench.compliance", Role.COMPLIANCE, None),
        ("bench.agent", Role.AGENT, None),
        ("bench.quality", Role.QUALITY, None),
        ("bench.admin", Role.ADMIN, None),
    ):
        if staff.find_user(username) is None:
            staff.add_user(ctx, username, role, PASSWORD, branch=branch)
    engine.projector.catch_up()
    engine.tick(engine.clock())  # the scheduler's reminders: the inbox and contacts have rows
    engine.projector.catch_up()
    print(
        f"demo data with {tickets:,} tickets: {engine.store.head():,} events, "
        f"loaded in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return engine


def signed_in(app: Any, username: str) -> TestClient:
    http = TestClient(app)
    form = http.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token
    done = http.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return http


def pages(engine: Engine) -> dict[str, list[str]]:
    """The pages of each role's day, on real rows."""
    db = engine.db
    clients, _ = engine.view(ClientsView).search(db, branch="SH-LUJIAZUI", limit=5)
    client = clients[0]
    assessed = next((c for c in clients if c["risk"]), client)
    overrides, _ = engine.view(PurchasesView).overrides(
        db, start=None, end=None, branch="SH-LUJIAZUI", fund=None, limit=1
    )
    purchase = overrides[0]["id"] if overrides else None
    c = f"/clients/{client['id']}"
    advisor = [
        "/today",
        "/clients",
        "/clients?q=13&risk=attention",
        c,
        f"{c}/edit",
        f"/clients/{assessed['id']}/assessment",
        f"/clients/{assessed['id']}/funds",
        "/funds",
        "/funds?type=bond&max_risk=R3",
        "/funds/rankings?period=1y",
        "/password",
        "/dashboard",
        "/dashboard/segments/high_value",
        "/feedback",
        f"{c}?aum=2y",
        "/contacts",
        "/contacts?ahead=90",
        "/inbox",
        "/inbox/latest",
        "/inbox/badge",
    ]
    bought = engine.view(PurchasesView).of_client(db, client["id"])
    code = bought[0]["fund_code"] if bought else engine.view(FundsView).search(db)[0]["code"]
    advisor.append(f"/funds/{code}?range=1y")
    compliance = [
        "/compliance/overrides",
        "/compliance/reviews",
        "/compliance/audit",
        f"/compliance/history?kind=clients&ref={client['id']}",
    ]
    if purchase:
        advisor.append(f"/purchases/{purchase}")
        compliance.append(f"/compliance/purchases/{purchase}/replay")
    tickets, _ = engine.view(TicketsView).queue(db, {"open": True}, "due", 1, None, engine.clock())
    agent = [
        "/tickets",
        "/tickets?view=breached",
        "/tickets?view=due_soon&type=complaint",
        "/tickets?view=all&sort=updated",
        "/tickets/new",
        f"/tickets/{tickets[0]['id']}",
        "/tickets/stats",
        "/tickets/stats?group_by=month&from=2025-01-01",
        "/inbox",
    ]
    suppliers, _ = engine.view(SuppliersView).search(
        db, stage=None, category=None, avl=None, overdue=None, today=engine.clock().date(), limit=1
    )
    plans, _ = engine.view(CQPPlansView).plans(db, None, None, limit=1)
    quality = ["/suppliers", "/corrective-actions?who=all", "/cqp"]
    if suppliers:
        s = f"/suppliers/{suppliers[0]['id']}"
        quality += [s, f"{s}/assessments/new"]
    if plans:
        quality.append(f"/cqp/{plans[0][0].id}")
    admin = ["/admin/accounts", "/admin/logins", "/admin/operations", "/dashboard"]
    return {
        "bench.advisor": advisor,
        "bench.compliance": compliance,
        "bench.agent": agent,
        "bench.quality": quality,
        "bench.admin": admin,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--data", type=Path, default=None, help="keep the store here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assure-pages-") as tmp:
        engine = loaded(args.data or Path(tmp), args.tickets)
        with TestClient(create_app(engine)) as _:
            app = _.app
            worst = 0.0
            for username, paths in pages(engine).items():
                http = signed_in(app, username)
                baseline = p99_ms(partial(http.get, BASELINE), args.rounds)
                print(f"{username}: GET {BASELINE} p99 {baseline:.1f} ms (the baseline)")
                for path in paths:
                    answer = http.get(path)
                    assert answer.status_code == 200, (path, answer.status_code)
                    p99 = p99_ms(partial(http.get, path), args.rounds)
                    worst = max(worst, p99)
                    print(
                        f"  {path[:60]:<60} p99 {p99:6.1f} ms = {p99 / baseline:5.1f}x baseline",
                        flush=True,
                    )
            verdict = "met" if worst <= TARGET_MS else "NOT met"
            print(f"slowest page p99 {worst:.1f} ms: target {TARGET_MS:.0f} ms {verdict}")


if __name__ == "__main__":
    main()
