"""A store written by an earlier layout reads the same, on SQLite and on PostgreSQL: its
events, snapshots and personal data keys load, every view builds from it, and new commands
write on top of it.

``tests/fixtures/store-f021c7d/events.sqlite`` was written by commit f021c7d (before the
contexts restructuring): ``assure demo --clients 12 --funds 4 --nav-years 1 --tickets 40``
on 2026-12-02, then ``assure scheduler tick --now`` at 2027-02-01, 2027-06-15 and
2028-01-10 (reviews due, expiries, re-audits due and overdue, milestones overdue, lapses).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.utils import get_topic
from psycopg import sql

from adapters.shared.eventstore import chain_table, key_table
from adapters.shared.topics import MOVED
from api.contexts import build_engine
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.compliance.history import History
from application.staff import BranchCommands
from domain.clients.registry import ID_NUMBER_KEY, Client
from domain.shared.base import ERASED, Context
from domain.shared.errors import DuplicateFound
from domain.shared.keys import unique_key_id
from domain.suppliers.supplier import Supplier
from projections.clients.views import ClientsView
from projections.compliance.audit import verify
from projections.shared.base import dead_letters, positions
from projections.staff import BranchesView
from tests.conftest import PG_URL, client_fields, drop_schema, make_settings

FIXTURE = Path(__file__).parents[1] / "fixtures" / "store-f021c7d" / "events.sqlite"


@pytest.fixture
def legacy(store_kind: str, tmp_path: Path) -> Iterator[Engine]:
    """The old store, as a SQLite file or copied row by row into a PostgreSQL schema."""
    settings = make_settings(store_kind, tmp_path)
    if store_kind == "sqlite":
        settings.data_dir.mkdir(parents=True)
        shutil.copy(FIXTURE, settings.data_dir / "events.sqlite")
    engine = build_engine(settings)
    if store_kind == "postgres":
        # The old store's tables had no chain: made by today's engine, less the chain
        # table, filled with the old rows, then opened again.
        engine.close()
        copy_to_postgres(settings.database_schema)
        engine = build_engine(settings)
    yield engine
    engine.close()
    drop_schema(settings)


def copy_to_postgres(schema: str) -> None:
    """The fixture's events (in their order), snapshots and personal-data keys, as stored."""
    tables = {
        "assure_events": "SELECT originator_id, originator_version, topic, state "
        "FROM stored_events ORDER BY rowid",
        "assure_snapshots": "SELECT originator_id, originator_version, topic, state "
        "FROM stored_snapshots",
        "personal_data_keys": "SELECT subject_id, key, created_at, destroyed_at "
        "FROM personal_data_keys",
    }
    source = sqlite3.connect(FIXTURE)
    with psycopg.connect(PG_URL) as target, target.cursor() as cursor:
        for table, select in tables.items():
            rows = source.execute(select).fetchall()
            columns = select.split("SELECT ", 1)[1].split(" FROM", 1)[0]
            cursor.executemany(
                sql.SQL("INSERT INTO {}.{} ({}) VALUES (%s, %s, %s, %s)").format(
                    sql.Identifier(schema), sql.Identifier(table), sql.SQL(columns)
                ),
                rows,
            )
        cursor.execute(sql.SQL("DROP TABLE {}.assure_chain").format(sql.Identifier(schema)))
    source.close()


def stored(engine: Engine) -> list[Any]:
    return list(engine.store.recorder.select_notifications(start=1, limit=1_000_000))


def test_every_stored_topic_is_an_old_one_and_resolves_to_a_class_of_today(
    legacy: Engine,
) -> None:
    # Given the store written before the restructuring
    topics = {n.topic for n in stored(legacy)}
    # Then every topic it holds is one of the moved ones
    assert topics <= set(MOVED)
    # And every event decodes to the class standing for its topic now
    mapper = legacy.store.mapper
    for notification in stored(legacy):
        event = mapper.to_domain_event(notification)
        assert get_topic(type(event)) == MOVED[notification.topic]


def test_every_view_builds_from_it_with_nothing_parked(legacy: Engine) -> None:
    # When every view catches up with the old store
    legacy.projector.catch_up()
    # Then each reached its head and parked nothing
    head = legacy.store.head()
    assert head == 1821
    assert set(positions(legacy.db).values()) == {head}
    assert dead_letters(legacy.db) == []
    # And the views say what the old events said
    with legacy.db.read() as tx:

        def count(sql: str) -> int:
            return int(tx.query(sql)[0]["n"])

        assert count("SELECT COUNT(*) AS n FROM view_clients") == 12
        assert count(f"SELECT COUNT(*) AS n FROM view_clients WHERE name = '{ERASED}'") == 1
        assert count("SELECT COUNT(*) AS n FROM view_clients WHERE risk_reminder IS NOT NULL") > 0
        assert count("SELECT COUNT(*) AS n FROM view_tickets") == 40
        assert count("SELECT COUNT(*) AS n FROM view_suppliers") == 12
        assert count("SELECT COUNT(*) AS n FROM view_cqp_plans") == 8
        assert count("SELECT COUNT(*) AS n FROM view_funds") == 4
        assert count("SELECT COUNT(*) AS n FROM view_purchases") == 15
        assert count("SELECT COUNT(*) AS n FROM view_audit_events") == head
        # And events renamed since read under today's names, in the audit log too (the
        # store holds no re-audit falling due: the demo's audits were all recent)
        old_names = "'RiskAssessment.ReviewDue', 'Supplier.ReauditDue', 'Supplier.ReauditOverdue'"
        assert (
            count(f"SELECT COUNT(*) AS n FROM view_audit_events WHERE type IN ({old_names})") == 0
        )
        for renamed in (
            "RiskAssessment.ReviewFellDue",
            "Supplier.ReauditBecameOverdue",
            "CQPPlan.MilestoneBecameOverdue",
        ):
            sql = f"SELECT COUNT(*) AS n FROM view_audit_events WHERE type = '{renamed}'"
            assert count(sql) > 0, renamed


def test_the_chain_verifies_over_the_old_records(legacy: Engine) -> None:
    """The old store kept its chain beside the views: the store chained its records when it
    first opened with a chain table of its own, once."""
    report = verify(legacy.store)
    assert (report.ok, report.checked, report.verified_to) == (True, 1821, 1821)
    assert chain_table(legacy.store.recorder).chain_head() == 1821


def test_its_personal_data_keys_are_wrapped_by_the_master_key_at_the_first_start(
    legacy: Engine,
) -> None:
    # Given the old store's keys, stored as they were (before wrapping)
    source = sqlite3.connect(FIXTURE)
    plain = {
        UUID(r[0]): bytes(r[1])
        for r in source.execute("SELECT subject_id, key FROM personal_data_keys")
        if r[1] is not None
    }
    source.close()
    # Then the engine's start wrapped each under the master key: the same keys, not in clear
    rows = dict(key_table(legacy.store.recorder).key_rows(None, 10_000))
    assert rows.keys() == plain.keys()
    masters = legacy.keyring.masters
    assert all(masters.current(stored) for stored in rows.values())
    assert {s: masters.unwrap(s, stored) for s, stored in rows.items()} == plain
    assert not set(rows.values()) & set(plain.values())


def test_old_aggregates_load_with_their_history_and_snapshots(legacy: Engine) -> None:
    # Given the suppliers of the old store, re-audits flagged by the old scheduler
    legacy.projector.catch_up()
    with legacy.db.read() as tx:
        ids = [UUID(r["id"]) for r in tx.query("SELECT id FROM view_suppliers ORDER BY id")]
    history = legacy.handler(History)
    flagged = 0
    for supplier_id in ids:
        events = history.events(Supplier, supplier_id)
        supplier: Any = legacy.store.repository.get(supplier_id)
        # Then each loads at its last version, the history reading every event
        assert isinstance(supplier, Supplier)
        assert supplier.version == events[-1].version == len(events)
        flagged += supplier.reaudit_overdue_for is not None
    assert flagged > 0
    # And the snapshots the old code took (funds, every 10 events) still load
    assert legacy.store.snapshots is not None
    fund_ids = {n.originator_id for n in stored(legacy) if n.topic == "domain.funds:Fund.Listed"}
    for fund_id in fund_ids:
        [snapshot] = list[Any](legacy.store.snapshots.get(fund_id, desc=True, limit=1))
        assert snapshot.mutate(None).version == snapshot.originator_version


def test_its_branches_are_registered_at_the_first_tick(legacy: Engine, ctx: Context) -> None:
    # Given the old store, written when a branch was a bare code on a client
    legacy.projector.catch_up()
    clients = legacy.view(ClientsView).branches(legacy.db)
    assert clients
    assert not legacy.handler(BranchCommands).known(clients[0])
    # When the scheduler first ticks
    ran = legacy.tick(ctx.at)
    legacy.projector.catch_up()
    # Then every branch its clients name is one, named by its code, and a second tick is idle
    assert ran["branches"] == len(clients)
    listed = legacy.view(BranchesView).all(legacy.db)
    assert [(b["code"], b["name"]) for b in listed] == [(c, c) for c in clients]
    assert legacy.tick(ctx.at)["branches"] == 0


def test_its_identity_number_claims_are_keyed_at_the_first_tick(
    legacy: Engine, ctx: Context
) -> None:
    # Given the old store, its clients' claims plain digests of their numbers
    legacy.projector.catch_up()
    commands = legacy.handler(ClientCommands)
    clients = legacy.view(ClientsView).client_ids(legacy.db, "", 1_000)
    numbers = [commands.first_event(c, Client.Registered).id_number for c in clients]
    plain = [unique_key_id(ID_NUMBER_KEY, n) for n in numbers]
    assert all(commands.exists(p) for p in plain)
    # Then before the tick, a plain claim still refuses the number (in a known branch)
    legacy.handler(BranchCommands).open(ctx, "SH-LUJIAZUI", "Shanghai Lujiazui")
    with pytest.raises(DuplicateFound):
        commands.register(ctx, **client_fields(id_number=numbers[0]))
    # When the scheduler first ticks
    assert legacy.tick(ctx.at)["claims"] == len(clients)
    # Then each client holds a keyed claim, its plain one released, and the keyed claim
    # refuses the number; a second tick moves nothing
    for client, number in zip(clients, numbers, strict=True):
        keyed: Any = legacy.store.repository.get(commands.claim_id(ID_NUMBER_KEY, number))
        assert (keyed.owner_id, keyed.released) == (client, False)
    assert all(legacy.store.repository.get(p).released for p in plain)
    with pytest.raises(DuplicateFound):
        commands.register(ctx, **client_fields(id_number=numbers[0]))
    assert legacy.tick(ctx.at)["claims"] == 0


def test_new_commands_write_on_top_of_it(legacy: Engine, ctx: Context) -> None:
    # Given the old store upgraded (its branches registered at the first tick)
    legacy.tick(ctx.at)
    # When a client is registered on the old store
    result = legacy.handler(ClientCommands).register(ctx, **client_fields())
    legacy.projector.catch_up()
    # Then it is there, under today's topic, and the chain goes on
    assert legacy.view(ClientsView).get(legacy.db, result.id) is not None
    [registered] = [n for n in stored(legacy) if n.originator_id == result.id]
    assert registered.topic == get_topic(Client.Registered)
    assert verify(legacy.store).ok
