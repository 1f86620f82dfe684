"""Performance figures on PostgreSQL, each as a ratio to a baseline taken in the same run.

    make bench            # or: .venv/bin/python -m bench.run [--quick] [--json]

``--json`` prints every figure (value, unit, store, baseline, ratio, target, whether it
meets it) as one JSON document on stdout, the table going to stderr; ``--only NAME`` runs
one figure ``--repeat`` times (for an A/B of two commits).

1. register client through the application layer vs raw psycopg INSERT+COMMIT of a row of
   the same size (target >= 0.5x);
2. register client over HTTP, 16 concurrent clients, vs the same server's GET /health rate
   (target >= 0.5x);
3. bulk NAV import (events/s) vs raw multi-row INSERT, 100 rows a commit (target >= 0.25x);
   daily position import (one event per client and day) vs the same raw insert (target
   >= 0.25x, as the NAV import);
4. aggregate load, 1,250 events with snapshots, vs a 9-event aggregate (target: a rate
   ratio >= 0.7x, issue 19);
5. projection catch-up over 200,000 events into the client views, and over 100,000
   tickets' events into the tickets view, next to a raw INSERT of as many rows, 100 a
   commit, as the baseline (target >= 0.4x), on PostgreSQL and on SQLite;
6. ticket queue and statistics queries over 100,000 tickets (p99, view target <= 20 ms),
   on PostgreSQL and on SQLite;
7. with all that stored (over 1 M events): decision replay p99 (target <= 100 ms) and
   ``as_of`` p99, each beside loading the same aggregates' current state;
8. the segment job, the churn warning, knowledge search (p99, on both stores);
9. every view rebuilt as ``assure projections rebuild --all`` does (target <= 60 s per
   1,000,000 events): on PostgreSQL over everything above, on SQLite over the clients'
   and the tickets' streams.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import itertools
import json
import math
import os
import platform
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import psycopg
from psycopg import sql

from adapters.shared.settings import Settings
from api.clients.coverage import reader, segments_job
from api.contexts import build_engine
from api.engine import Engine
from api.shared.jobs import job_context
from application.clients.commands import ClientCommands
from application.clients.risk import RiskCommands
from application.compliance.history import History
from application.compliance.replay import DecisionReplay
from application.demo.load import load_demo_and_truth
from application.demo.tickets import load_tickets
from application.funds.commands import FundCommands
from application.holdings import HoldingsCommands
from application.staff import BranchCommands, StaffCommands
from application.suitability.purchases import PurchaseCommands
from bench.corpus import Corpus
from domain.clients import CoveragePolicy
from domain.clients.registry import Channel, Client
from domain.funds.fund import Fund, fund_id
from domain.holdings import Portfolio
from domain.knowledge import Article, Audience, Content
from domain.service_desk.tickets import Ticket
from domain.service_desk.workflow import TicketType
from domain.shared.base import Context
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from domain.staff.users import Role
from projections.clients.views import ClientsView
from projections.knowledge import Filters, KnowledgeView
from projections.service_desk.rows import sla_as_of
from projections.service_desk.stats import ticket_stats
from projections.service_desk.tickets import TicketsView
from projections.shared.base import View
from projections.shared.worker import ProjectionWorker

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("ASSURE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = secrets.token_urlsafe(18)
SECRET_KEY = secrets.token_urlsafe(32)


def settings_for(schema: str | None, tmp: Path) -> Settings:
    """The bench's settings: PostgreSQL in a schema of its own, or (no schema) SQLite
    under ``tmp``."""
    return Settings(
        _env_file=None,
        env="test",
        database_url=PG_URL if schema else None,
        database_schema=schema or "public",
        data_dir=tmp,
        run_workers=False,
        run_scheduler=False,
        demo_on_empty=False,
        log_level="WARNING",
        secret_key=SECRET_KEY,
    )


def prepared(settings: Settings) -> Engine:
    """An engine on the bench's schema, with the branch its clients belong to."""
    engine = build_engine(settings)
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    engine.handler(BranchCommands).open(ctx, "SH-LUJIAZUI", "Shanghai Lujiazui")
    engine.tick(ctx.at)  # as a server's first tick does (keyed claims recorded as the rule)
    return engine


def client_fields(n: int, run: str) -> dict[str, Any]:
    return {
        "name": f"Bench Client {n}",
        "id_number": f"B{run}{n:09d}",
        "phone": f"+86 138{n:08d}",
        "email": f"bench{n}@example.cn",
        "address": f"{n} Century Avenue, Pudong, Shanghai",
        "branch": "SH-LUJIAZUI",
        "investor_type": "ordinary",
    }


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


class Report:
    """Every figure of a run, for ``--json``; the table goes to stderr then, so stdout is
    one JSON document a script can check."""

    def __init__(self) -> None:
        self.figures: list[dict[str, Any]] = []
        self.as_json = False

    def say(self, text: str) -> None:
        print(text, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    def figure(self, name: str, value: float, unit: str, **more: Any) -> None:
        """One figure: its value and, where it has them, its store, baseline, ratio and
        target (``target_min`` for a ratio or rate, ``target_max`` for a time)."""
        figure = {"name": name, "value": round(value, 4), "unit": unit, **more}
        if "target_min" in more:
            figure["meets"] = more.get("ratio", value) >= more["target_min"]
        if "target_max" in more:
            figure["meets"] = value <= more["target_max"]
        self.figures.append(figure)

    def document(self, started: datetime) -> str:
        return json.dumps(
            {
                "started": started.isoformat(),
                "machine": {"host": platform.node(), "cpus": os.cpu_count()},
                "figures": self.figures,
            },
            indent=2,
        )


REPORT = Report()


def line(
    what: str,
    value: float,
    baseline: float,
    target: float,
    unit: str = "/s",
    ratio: float | None = None,
) -> None:
    """One figure: value, baseline, and their ratio (the median of per-round ratios)."""
    if ratio is None:
        ratio = value / baseline if baseline else float("nan")
    verdict = "meets" if ratio >= target else "BELOW"
    REPORT.say(
        f"{what:<58} {value:>10,.0f}{unit}  baseline {baseline:>10,.0f}{unit}  "
        f"ratio {ratio:5.2f}x  (target >= {target}x: {verdict})"
    )
    REPORT.figure(
        what, value, unit, baseline=round(baseline, 4), ratio=round(ratio, 4), target_min=target
    )


def raw_inserter(schema: str, row_bytes: int) -> Callable[[int], float]:
    """One row per INSERT+COMMIT from one connection: the floor of any durable write."""
    conn = psycopg.connect(PG_URL, autocommit=True)
    table = sql.Identifier(schema, "bench_raw")
    conn.execute(
        sql.SQL(
            "CREATE TABLE {} (id uuid, version int, topic text, state bytea, "
            "position bigserial, PRIMARY KEY (id, version))"
        ).format(table)
    )
    # The same shape as the event table: its key and a unique index on the position.
    conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (position)").format(table))
    payload = os.urandom(row_bytes)
    insert = sql.SQL("INSERT INTO {} (id, version, topic, state) VALUES (%s, 1, %s, %s)").format(
        table
    )

    def run(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            conn.execute(
                insert,
                (uuid.uuid4(), "domain.clients.registry:Client.Registered", payload),
                prepare=True,
            )
        return rate(count, time.perf_counter() - started)

    return run


def bench_application(engine: Engine, schema: str, count: int, rounds: int = 5) -> None:
    """Rounds alternate baseline and command, so both see the same disk and load."""
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    sample = Client.register(
        ctx, uuid.uuid4(), **client_fields(0, "x"), tier=None, policy=engine.settings.client_policy
    )
    row_bytes = len(engine.store.mapper.to_stored_event(sample.collect_events()[0]).state)
    raw = raw_inserter(schema, row_bytes)
    for n in range(50):  # warm up pools and prepared statements
        engine.handler(ClientCommands).register(ctx, **client_fields(n, "warm"))
    raw(50)
    per_round = count // rounds
    raws, apps = [], []
    for r in range(rounds):
        raws.append(raw(per_round))
        started = time.perf_counter()
        for n in range(per_round):
            engine.handler(ClientCommands).register(ctx, **client_fields(r * per_round + n, "run"))
        apps.append(rate(per_round, time.perf_counter() - started))
    ratios = sorted(a / b for a, b in zip(apps, raws, strict=True))
    line(
        f"register client, application layer ({row_bytes} B event + claim)",
        statistics.median(apps),
        statistics.median(raws),
        0.5,
        ratio=statistics.median(ratios),
    )


def load(
    url: str, threads: int, seconds: float, request: Callable[[httpx.Client, int], httpx.Response]
) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(index: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            n = 0
            while time.perf_counter() < stop:
                response = request(client, index * 10_000_000 + n)
                assert response.status_code < 300, response.text
                n += 1
            done[index] = n

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return rate(sum(done), time.perf_counter() - started)


def bench_http(settings: Settings, seconds: float) -> None:
    port = 18000 + os.getpid() % 1000
    env = {
        **os.environ,
        "ASSURE_ENV": "test",
        "ASSURE_DATABASE_URL": PG_URL,
        "ASSURE_DATABASE_SCHEMA": settings.database_schema,
        "ASSURE_DATA_DIR": str(settings.data_dir),
        "ASSURE_PORT": str(port),
        "ASSURE_DEMO_ON_EMPTY": "false",
        "ASSURE_LOG_LEVEL": "WARNING",
        "ASSURE_SECRET_KEY": SECRET_KEY,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        token = httpx.post(
            f"{url}/api/v1/auth/token", data={"username": "bench.admin", "password": PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        run = uuid.uuid4().hex[:6]
        health = load(url, 16, seconds, lambda c, _: c.get("/health"))
        writes = load(
            url,
            16,
            seconds,
            lambda c, n: c.post("/api/v1/clients", headers=auth, json=client_fields(n, run)),
        )
        line(
            "register client over HTTP, 16 concurrent clients (vs GET /health)", writes, health, 0.5
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def bench_catch_up(engine: Engine, events: int) -> None:
    """Write ``events`` events in large batches, then time a fresh view catching up."""
    ctx = Context(
        actor="system:bench", at=datetime.now(UTC) - timedelta(days=1), correlation_id="bench"
    )
    per_client = 100
    stored = []
    policy = engine.settings.client_policy
    for n in range(events // per_client):
        client = Client.register(
            ctx, uuid.uuid4(), **client_fields(n, "cu"), tier=None, policy=policy
        )
        for k in range(per_client - 1):
            client.log_interaction(ctx, Channel.CALL, f"call {k}", None, policy)
        stored += [engine.store.mapper.to_stored_event(e) for e in client.collect_events()]
        if len(stored) >= 5000:
            engine.store.recorder.insert_events(stored)
            stored = []
    if stored:
        engine.store.recorder.insert_events(stored)
    view = ClientsView(suffix="_bench")
    view.create(engine.db)
    elapsed, tidied = caught_up(engine, view)
    applied = rate(events, elapsed)
    raw = raw_view_rate(engine, events, "bench_catch_up_rows")
    store = "PostgreSQL" if engine.settings.is_postgres else "SQLite"
    REPORT.say(
        f"projection catch-up into the client views on {store}, {events:,} events: "
        f"{applied:,.0f} events/s ({elapsed:.1f} s; then tidied in {tidied:.1f} s); raw "
        f"INSERT of as many rows, 100 a commit, {raw:,.0f} rows/s, ratio {applied / raw:.2f}x "
        f"(target >= 0.4x: {'meets' if applied / raw >= 0.4 else 'BELOW'})"
    )
    REPORT.figure(
        f"projection catch-up into the client views, {events:,} events",
        applied,
        "events/s",
        store=store.lower(),
        baseline=round(raw, 4),
        ratio=round(applied / raw, 4),
        target_min=0.4,
    )


def caught_up(engine: Engine, view: View) -> tuple[float, float]:
    """Catch a view up as a server's worker does, timing the applying and, apart, the
    tidy that follows a bulk (statistics and vacuum, once): seconds of each."""
    config = dataclasses.replace(engine.worker_config, tidy_after=sys.maxsize)
    worker = ProjectionWorker(engine.store, engine.db, view, config)
    started = time.perf_counter()
    worker.catch_up()
    applied = time.perf_counter() - started
    started = time.perf_counter()
    worker.tidy()
    return applied, time.perf_counter() - started


def raw_multirow_rate(schema: str, count: int, name: str = "bench_rows") -> float:
    """Rows of about a NAV event's size, 100 per INSERT and commit."""
    with psycopg.connect(PG_URL) as conn:
        table = sql.Identifier(schema, name)
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (position bigint PRIMARY KEY, client_id text, "
                "channel text, summary text, occurred_at text)"
            ).format(table)
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for start in range(0, count, 100):
                rows = [(p, "c", "call", "call", "2026-01-01") for p in range(start, start + 100)]
                cursor.executemany(
                    sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(table), rows
                )
                conn.commit()
        return rate(count, time.perf_counter() - started)


def raw_view_rate(engine: Engine, count: int, name: str = "bench_view_rows") -> float:
    """The raw insert baseline on the engine's own view database (PostgreSQL: as
    ``raw_multirow_rate``; SQLite: the same rows, 100 a transaction)."""
    if engine.settings.is_postgres:
        return raw_multirow_rate(engine.settings.database_schema, count, name)
    with engine.db.transaction() as tx:
        tx.execute(
            f"CREATE TABLE {name} (position BIGINT PRIMARY KEY, client_id TEXT, "
            "channel TEXT, summary TEXT, occurred_at TEXT)"
        )
    started = time.perf_counter()
    for start in range(0, count, 100):
        with engine.db.transaction() as tx:
            tx.executemany(
                f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?)",
                [(p, "c", "call", "call", "2026-01-01") for p in range(start, start + 100)],
            )
    return rate(count, time.perf_counter() - started)


def bond_fund(engine: Engine, ctx: Context, code: str, inception: date) -> None:
    """List a bond fund for a figure's data."""
    engine.handler(FundCommands).list_fund(
        ctx,
        code=code,
        name=f"Bench Fund {code}",
        fund_type=FundType.BOND,
        manager="Bench",
        inception_date=inception,
        risk_rating=RiskRating.R2,
        horizon=Horizon.MEDIUM,
        variety=Variety.FIXED_INCOME,
    )


def bench_nav_import(engine: Engine, schema: str, funds: int, days: int) -> None:
    """A CSV of ``funds`` x ``days`` NAV points through the application layer."""
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    start = datetime.now(UTC).date() - timedelta(days=days + 1)
    lines = ["code,date,unit_nav,accumulated_nav"]
    for f in range(funds):
        code = f"{900000 + f}"
        bond_fund(engine, ctx, code, start)
        lines += [
            f"{code},{start + timedelta(days=d)},{1 + d / 5000:.4f},{1.2 + d / 5000:.4f}"
            for d in range(days)
        ]
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    report = engine.handler(FundCommands).import_navs(ctx, text)
    imported = rate(report.published, time.perf_counter() - started)
    raw = raw_multirow_rate(schema, report.published, "bench_nav_rows")
    line(
        f"NAV import through the application layer, {report.published:,} events",
        imported,
        raw,
        0.25,
    )


def bench_holdings_import(engine: Engine, schema: str, clients: int, days: int) -> None:
    """A daily position file of ``clients`` x ``days`` days x 2 funds through the
    application layer: one event per client and day."""
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    start = datetime.now(UTC).date() - timedelta(days=days + 1)
    codes = [f"{800000 + f}" for f in range(2)]
    for code in codes:
        bond_fund(engine, ctx, code, start)
    run = uuid.uuid4().hex[:6]
    register = engine.handler(ClientCommands).register
    ids = [register(ctx, **client_fields(n, run)).id for n in range(clients)]
    lines = ["client_id,fund_code,date,units"] + [
        f"{client},{code},{start + timedelta(days=d)},{1000 + d}.{c}"
        for client in ids
        for d in range(days)
        for c, code in enumerate(codes)
    ]
    started = time.perf_counter()
    report = engine.handler(HoldingsCommands).import_positions(ctx, "\n".join(lines) + "\n")
    imported = rate(report.published, time.perf_counter() - started)
    raw = raw_multirow_rate(schema, report.published, "bench_position_rows")
    line(
        f"Position import through the application layer, {report.published:,} events",
        imported,
        raw,
        0.25,
    )


def bench_segment_job(engine: Engine, clients: int) -> None:
    """The segment job over ``clients`` clients, each with two days of positions (half a
    year ago and last week) in one fund: its seconds, beside reading every client's row."""
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    today = datetime.now(UTC).date()
    code = "870001"
    bond_fund(engine, ctx, code, today - timedelta(days=400))
    engine.handler(FundCommands).publish_nav(
        ctx, code, today - timedelta(days=300), Decimal(1), Decimal(1)
    )
    policy = engine.settings.client_policy
    rng = random.Random(19)
    stored = []
    for n in range(clients):
        client = Client.register(
            ctx, uuid.uuid4(), **client_fields(n, "sg"), tier=None, policy=policy
        )
        portfolio = Portfolio.open(ctx, client.id)
        units = Decimal(rng.choice((20_000, 300_000, 800_000, 2_000_000)))
        portfolio.report(ctx, today - timedelta(days=180), {code: units})
        portfolio.report(
            ctx, today - timedelta(days=7), {code: units * Decimal(rng.choice(("0.1", "1", "1.2")))}
        )
        events = [*client.collect_events(), *portfolio.collect_events()]
        stored += [engine.store.mapper.to_stored_event(e) for e in events]
        if len(stored) >= 5000:
            engine.store.recorder.insert_events(stored)
            stored = []
    if stored:
        engine.store.recorder.insert_events(stored)
    engine.projector.catch_up()
    started = time.perf_counter()
    engine.view(ClientsView).coverage_rows(engine.db, None)
    read = time.perf_counter() - started
    started = time.perf_counter()
    recorded = segments_job(engine, job_context("segments", datetime.now(UTC)))
    first = time.perf_counter() - started
    engine.projector.catch_up()
    started = time.perf_counter()
    again = segments_job(engine, job_context("segments", datetime.now(UTC)))
    second = time.perf_counter() - started
    REPORT.say(
        f"segment job over {clients:,} clients: {first:.1f} s (recorded {recorded:,} changes), "
        f"again {second:.1f} s ({again} changes); reading every client's row {read:.2f} s"
    )
    for what, seconds in (
        (f"segment job over {clients:,} clients, first run", first),
        (f"segment job over {clients:,} clients, nothing new", second),
    ):
        REPORT.figure(what, seconds, "s", baseline=round(read, 4), ratio=round(seconds / read, 4))


def bench_churn_warning(client_count: int) -> None:
    """The churn warning against the demo's ground truth (the clients the demo makes leave),
    on the embedded default: precision and recall at the policy's threshold (target: both
    at least 0.8), and how long scoring every client takes."""
    settings = settings_for(None, Path(tempfile.mkdtemp(prefix="assure-bench-")))
    engine = prepared(settings)
    try:
        now = datetime.now(UTC)
        _, truth = load_demo_and_truth(engine.demo_commands(), now, client_count)
        engine.projector.catch_up()
        policy = CoveragePolicy()
        started = time.perf_counter()
        found = reader(engine).assess(now.date(), now, policy)
        scored = time.perf_counter() - started
        warned = {UUID(c.client_id) for c in found if c.churn.score >= policy.churn.threshold}
        hits = len(warned & set(truth))
        precision, recall = hits / max(len(warned), 1), hits / max(len(truth), 1)
        REPORT.say(
            f"churn warning on the demo ({client_count} clients, {len(truth)} leavers): "
            f"precision {precision:.2f}, recall {recall:.2f} (target >= 0.8 each); "
            f"scoring every client {scored:.2f} s"
        )
        for what, value in (("precision", precision), ("recall", recall)):
            REPORT.figure(f"churn warning {what} on the demo", value, "ratio", target_min=0.8)
    finally:
        engine.close()
        shutil.rmtree(settings.data_dir, ignore_errors=True)


KB_QUERIES = (
    "密码重置",
    "赎回到账",
    "测评过期",
    "对帐单",
    "账户冻结",
    "reset password",
    "pasword",
    "fees",
    "bank card change",
)


def bench_kb_search(engine: Engine, count: int, rounds: int = 200) -> None:
    """Knowledge-base search over ``count`` published articles, half in Chinese, written
    the way a real knowledge base is (``corpus.py``): the p99 of real queries (typos among
    them) beside reading one article by id (target: search p99 at most 20 ms at 10,000
    articles)."""
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    editor = ctx.model_copy(update={"actor": "system:bench-editor"})
    rng = random.Random(23)
    stored, first = [], None
    for text in Corpus().articles(count):
        content = Content(
            title=text.title,
            body=text.body,
            language="zh-CN" if text.chinese else "en",
            audience=Audience.PUBLIC,
            ticket_types=(rng.choice(list(TicketType)),),
        )
        article = Article.write(ctx, uuid.uuid4(), content, None)
        article.submit(ctx)
        article.publish(editor)
        first = first or article.id
        stored += [engine.store.mapper.to_stored_event(e) for e in article.collect_events()]
        if len(stored) >= 3000:
            engine.store.recorder.insert_events(stored)
            stored = []
    if stored:
        engine.store.recorder.insert_events(stored)
    engine.projector.catch_up()
    view, store = (
        engine.view(KnowledgeView),
        "postgresql" if engine.settings.is_postgres else "sqlite",
    )
    baseline = p99_ms(lambda: view.get(engine.db, str(first)), rounds)
    queries = iter(KB_QUERIES * rounds * 2)
    p99 = p99_ms(lambda: view.search(engine.db, next(queries), Filters(), 20, None), rounds)
    REPORT.say(
        f"knowledge search over {count:,} articles on {store}: p99 {p99:.1f} ms "
        f"(target <= 20 ms: {'meets' if p99 <= 20 else 'ABOVE'}); one article by id "
        f"{baseline:.2f} ms, {p99 / baseline:.1f}x"
    )
    REPORT.figure(
        f"knowledge search p99, {count:,} articles",
        p99,
        "ms",
        store=store,
        baseline=round(baseline, 4),
        ratio=round(p99 / baseline, 4),
        target_max=20,
    )


def bench_aggregate_load(engine: Engine, rounds: int = 200) -> None:
    """A fund with at least 1,250 events (snapshots on) against one with 10 events.

    The large one stops just before its next snapshot, the worst case: its load reads the
    snapshot and then ``interval - 1`` events.
    """
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    interval = engine.store.snapshotting_intervals.get(Fund, 1_000_000)
    large = 1250 + (interval - 1 - 1250 % interval) % interval  # events, Listed included
    start = datetime.now(UTC).date() - timedelta(days=large + 10)
    for code, points in (("880001", large - 1), ("880002", 8)):
        engine.handler(FundCommands).list_fund(
            ctx,
            code=code,
            name=f"Load {code}",
            fund_type=FundType.EQUITY,
            manager="Bench",
            inception_date=start,
            risk_rating=RiskRating.R4,
            horizon=Horizon.LONG,
            variety=Variety.EQUITY,
        )
        for d in range(points):  # one save per NAV, as daily publishing does
            engine.handler(FundCommands).publish_nav(
                ctx,
                code,
                start + timedelta(days=d),
                Decimal(f"{1 + d / 5000:.4f}"),
                Decimal(f"{1 + d / 4000:.4f}"),
            )

    def load_rate(code: str) -> float:
        aggregate_id = fund_id(code)
        started = time.perf_counter()
        for _ in range(rounds):
            engine.store.repository.get(aggregate_id)
        return rate(rounds, time.perf_counter() - started)

    small = load_rate("880002")
    line(
        f"aggregate load, {large:,} events, snapshot every {interval} (vs 9 events, none)",
        load_rate("880001"),
        small,
        0.7,  # issue 19: the snapshot and the events after it in one round trip
    )


def p99_ms(run: Callable[[], object], rounds: int) -> float:
    """The p99 of ``rounds`` runs, after a few unmeasured ones (caches and plans warm)."""
    for _ in range(3):
        run()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings[max(0, math.ceil(0.99 * len(timings)) - 1)]


def bench_tickets(engine: Engine, count: int) -> None:
    """The ticket queue and statistics queries over ``count`` tickets of a year."""
    store = "PostgreSQL" if engine.settings.is_postgres else "SQLite"
    now = datetime.now(UTC)
    zone = ZoneInfo("Asia/Shanghai")
    shanghai = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
    rng = random.Random(11)
    before = engine.store.head()
    load_tickets(
        engine.store, engine.settings.sla_policy, rng, "system:bench", now, [], count, batch=500
    )
    events = engine.store.head() - before
    elapsed, tidied = caught_up(engine, engine.view(TicketsView))
    applied = rate(events, elapsed)
    raw = raw_view_rate(engine, events)
    REPORT.say(
        f"projection catch-up into the tickets view on {store}, {events:,} events: "
        f"{applied:,.0f} events/s (then tidied in {tidied:.1f} s); raw INSERT of as many "
        f"rows, 100 a commit, {raw:,.0f} "
        f"rows/s, ratio {applied / raw:.2f}x (target >= 0.4x: "
        f"{'meets' if applied / raw >= 0.4 else 'BELOW'})"
    )
    REPORT.figure(
        f"projection catch-up into the tickets view, {events:,} events",
        applied,
        "events/s",
        store=store.lower(),
        baseline=round(raw, 4),
        ratio=round(applied / raw, 4),
        target_min=0.4,
    )
    policy, view = engine.settings.sla_policy, engine.view(TicketsView)
    # The tables as a server's steady state has them (a worker tidies after a bulk).
    engine.db.tidy([view.t(name) for name in view.tables])

    def queue(filters: dict[str, Any], sort: str, cursor: str | None = None) -> None:
        rows, _ = view.queue(engine.db, filters, sort, 50, cursor, datetime.now(UTC))
        for row in rows:  # what the route adds: both SLA clocks of each ticket
            sla_as_of(row, policy, now)

    page_21 = base64.urlsafe_b64encode(b"1000").decode()
    cases = {
        "queue, open by priority": lambda: queue({"status": "in_progress"}, "priority"),
        "queue, all by due": lambda: queue({}, "due"),
        "queue, breached": lambda: queue({"breached": True}, "priority"),
        "queue, complaints by last update": lambda: queue({"type": "complaint"}, "updated"),
        "queue, page 21": lambda: queue({}, "created", page_21),
        "stats by type, one year": lambda: ticket_stats(
            engine.db, view, "type", None, None, None, {}
        ),
        "stats by month, one year": lambda: ticket_stats(
            engine.db, view, "month", None, None, None, {}
        ),
        "stats by group, one year": lambda: ticket_stats(
            engine.db, view, "group", None, None, None, {}
        ),
        "stats by priority, last 30 days": lambda: ticket_stats(
            engine.db, view, "priority", now - timedelta(days=30), None, None, {}
        ),
        # As the console asks: from and to local midnights (Asia/Shanghai).
        "stats by type, 30 days, Shanghai days": lambda: ticket_stats(
            engine.db, view, "type", shanghai - timedelta(days=29), shanghai, None, {}
        ),
        "stats by branch, 12 months, Shanghai days": lambda: ticket_stats(
            engine.db, view, "branch", shanghai - timedelta(days=365), shanghai, None, {}
        ),
    }
    REPORT.say(
        f"ticket queries on {store} over {count:,} tickets ({engine.store.head():,} events "
        "stored), p99 of 50 runs (target for view queries: <= 20 ms):"
    )
    for name, run in cases.items():
        measured = p99_ms(run, 50)
        REPORT.say(f"  {name:<44} {measured:8.1f} ms")
        REPORT.figure(
            f"{name}, {count:,} tickets", measured, "ms p99", store=store.lower(), target_max=20
        )


def bench_compliance(engine: Engine, funds: int, rounds: int = 100) -> None:
    """Decision replay and ``as_of`` with everything above stored (1 M events and more),
    each against loading the same aggregate's current state in the same run."""
    rng = random.Random(5)
    ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
    questionnaire = engine.handler(RiskCommands).questionnaire("2026-1")
    purchases = []
    for n in range(30):  # purchases of the NAV-import funds (1,000 NAV events each)
        client = engine.handler(ClientCommands).register(ctx, **client_fields(n, "rp")).id
        answers = {q.id: rng.choice(q.options).id for q in questionnaire.questions}
        engine.handler(RiskCommands).assess(ctx, client, "2026-1", answers)
        code = f"{900000 + rng.randrange(funds)}"
        purchases.append(
            engine.handler(PurchaseCommands).request(ctx, client, code, Decimal(1000)).result.id
        )
    with engine.db.read() as tx:
        tickets = [UUID(r["id"]) for r in tx.query("SELECT id FROM view_tickets LIMIT 200")]
    fund_ids = [fund_id(f"{900000 + f}") for f in range(funds)]
    history = engine.handler(History)

    def cycle(items: list[Any]) -> Callable[[], Any]:
        it = itertools.cycle(items)
        return lambda: next(it)

    def as_of(kind: type[Any], ids: list[UUID]) -> Callable[[], object]:
        pick = cycle(ids)

        def run() -> object:
            ident = pick()
            first: Any = next(iter(engine.store.events.get(ident, limit=1)))
            return history.as_of(kind, ident, first.timestamp + timedelta(seconds=1))

        return run

    def load(ids: list[UUID]) -> Callable[[], object]:
        pick = cycle(ids)
        return lambda: engine.store.repository.get(pick())

    replay_pick = cycle(purchases)
    cases = [
        (
            "replay of a purchase (3 aggregates)",
            lambda: engine.handler(DecisionReplay).purchase(replay_pick()),
            load(purchases),
            100.0,
        ),
        ("as_of a fund, 1,000+ events", as_of(Fund, fund_ids), load(fund_ids), None),
        ("as_of a ticket", as_of(Ticket, tickets), load(tickets), None),
    ]
    REPORT.say(
        f"compliance reads with {engine.store.head():,} events stored, p99 of {rounds} runs, "
        "against loading the current state of the same aggregates:"
    )
    for name, run, baseline, target in cases:
        p99_ms(run, rounds)  # a first pass over the same aggregates warms the database's
        p99_ms(baseline, rounds)  # cache for both: neither is measured cold
        measured, base = p99_ms(run, rounds), p99_ms(baseline, rounds)
        verdict = (
            ""
            if target is None
            else f"; target <= {target:.0f} ms: " + ("meets" if measured <= target else "ABOVE")
        )
        REPORT.say(
            f"  {name:<40} {measured:8.1f} ms (current-state load {base:.1f} ms, "
            f"ratio {measured / base:.1f}x{verdict})"
        )
        REPORT.figure(
            name,
            measured,
            "ms p99",
            store="postgresql",
            baseline=round(base, 4),
            ratio=round(measured / base, 4),
            **({} if target is None else {"target_max": target}),
        )


def bench_rebuild(engine: Engine) -> None:
    """Every view rebuilt from all the events stored, the store read once and two views
    applying at a time, as ``assure projections rebuild --all`` does (target: 60 s at
    1,000,000 events). The views' seconds are their own work, not the shared reads."""
    head, store = engine.store.head(), "postgresql" if engine.settings.is_postgres else "sqlite"
    started = time.perf_counter()
    times = [(seconds, name) for name, _, seconds in engine.rebuild_all()]
    total = time.perf_counter() - started
    slowest = ", ".join(f"{n} {t:.1f} s" for t, n in sorted(times, reverse=True)[:3])
    REPORT.say(
        f"rebuild of every view over {head:,} events on {store}, two at a time: "
        f"{total:.1f} s (slowest: {slowest}; target <= 60 s at 1,000,000 events: "
        f"{'meets' if total <= 60 * head / 1_000_000 else 'ABOVE'})"
    )
    REPORT.figure(
        f"rebuild of every view, {head:,} events",
        total,
        "s",
        store=store,
        target_max=round(60 * head / 1_000_000, 3),
        views={n: round(t, 3) for t, n in times},
    )


def only(name: str, count: int, seconds: float) -> None:
    """One independent figure, on a schema of its own."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    settings = settings_for(schema, Path(tempfile.mkdtemp(prefix="assure-bench-")))
    engine = prepared(settings)
    try:
        if name == "application":
            bench_application(engine, schema, count)
        elif name == "http":
            ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
            engine.handler(StaffCommands).add_user(ctx, "bench.admin", Role.ADMIN, PASSWORD)
            bench_http(settings, seconds)
        elif name == "load":
            bench_aggregate_load(engine)
        elif name == "holdings":
            bench_holdings_import(engine, schema, count // 2, 100)
        elif name == "segments":
            bench_segment_job(engine, count * 50)
        elif name == "kb":
            bench_kb_search(engine, count * 5)
            on_sqlite(lambda e: bench_kb_search(e, count * 5))
        elif name == "churn":
            bench_churn_warning(300 if count < 1000 else 600)
        elif name == "tickets":
            bench_tickets(engine, count * 50)
            on_sqlite(lambda e: bench_tickets(e, count * 50))
        elif name == "rebuild":  # the clients' stream and the tickets' one, then --all
            streams_then_rebuild(count * 100, count * 50)(engine)
            on_sqlite(streams_then_rebuild(count * 100, count * 50))
        else:
            bench_catch_up(engine, count * 100)
            on_sqlite(lambda e: bench_catch_up(e, count * 100))
    finally:
        engine.close()
        drop(schema)


def streams_then_rebuild(events: int, tickets: int) -> Callable[[Engine], None]:
    """The clients' stream and the tickets' one, each caught up, then every view rebuilt."""

    def run(engine: Engine) -> None:
        bench_catch_up(engine, events)
        bench_tickets(engine, tickets)
        bench_rebuild(engine)

    return run


def on_sqlite(*runs: Callable[[Engine], None]) -> None:
    """Figures on the embedded default, SQLite, beside PostgreSQL's: one store for them."""
    settings = settings_for(None, Path(tempfile.mkdtemp(prefix="assure-bench-")))
    engine = prepared(settings)
    try:
        for run in runs:
            run(engine)
    finally:
        engine.close()
        shutil.rmtree(settings.data_dir, ignore_errors=True)


def drop(schema: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    parser.add_argument(
        "--only",
        choices=[
            "application",
            "http",
            "load",
            "holdings",
            "segments",
            "churn",
            "kb",
            "catch-up",
            "tickets",
            "rebuild",
        ],
        help="one figure that needs no other, run --repeat times (A/B of two commits)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--json", action="store_true", help="every figure as one JSON document on stdout"
    )
    args = parser.parse_args()
    REPORT.as_json = args.json
    started = datetime.now(UTC)
    try:
        run(args)
    finally:
        if args.json:
            print(REPORT.document(started), flush=True)


def run(args: argparse.Namespace) -> None:
    if args.only:
        for _ in range(args.repeat):
            only(args.only, 300 if args.quick else 2000, 3.0 if args.quick else 10.0)
        return
    count, seconds, events = (300, 3.0, 20_000) if args.quick else (2000, 10.0, 200_000)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    settings = settings_for(schema, tmp)
    engine = prepared(settings)
    try:
        ctx = Context(actor="system:bench", at=datetime.now(UTC), correlation_id="bench")
        engine.handler(StaffCommands).add_user(ctx, "bench.admin", Role.ADMIN, PASSWORD)
        REPORT.say(f"Assure bench on PostgreSQL ({PG_URL.rsplit('@', 1)[-1]}, schema {schema})")
        bench_application(engine, schema, count)
        bench_http(settings, seconds)
        bench_aggregate_load(engine)
        bench_nav_import(engine, schema, *((20, 500) if args.quick else (100, 1000)))
        bench_holdings_import(engine, schema, *((150, 100) if args.quick else (1000, 100)))
        tickets = 10_000 if args.quick else 100_000
        bench_catch_up(engine, events)
        bench_tickets(engine, tickets)
        on_sqlite(streams_then_rebuild(events, tickets))
        bench_compliance(engine, 20 if args.quick else 100)
        bench_segment_job(engine, 10_000 if args.quick else 100_000)
        bench_churn_warning(300 if args.quick else 600)
        articles = 2000 if args.quick else 10_000
        bench_kb_search(engine, articles)
        on_sqlite(lambda e: bench_kb_search(e, articles))
        bench_rebuild(engine)
    finally:
        engine.close()
        drop(schema)


if __name__ == "__main__":
    main()
