"""A view's tables and position on each store: created when missing, dropped and rebuilt
when its schema version changes, read by id in chunks; a worker follows up to a bound and
an overtaken worker reports no progress of its own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, cast
from unittest.mock import patch

from structlog.testing import capture_logs

from adapters.shared.personal import SealingMapper
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.demo.load import load_demo
from domain.clients.registry import Channel, Client
from domain.shared.base import ERASED, Context
from projections.clients.views import ClientsView
from projections.shared.base import read_position, rows_by_id
from projections.shared.worker import ProjectionWorker, WorkerConfig
from tests.conftest import client_fields, table_rows


def follower(engine: Engine, view: ClientsView, **config: Any) -> ProjectionWorker:
    view.create(engine.db)
    return ProjectionWorker(engine.store, engine.db, view, WorkerConfig(**config))


def test_a_missing_table_of_a_view_is_created_again_and_the_others_kept(
    engine: Engine, ctx: Context
) -> None:
    engine.handler(ClientCommands).register(ctx, **client_fields())
    view = ClientsView(suffix="_l")
    follower(engine, view).catch_up()
    last = list(view.tables)[-1]
    with engine.db.transaction() as tx:
        tx.execute(f"DROP TABLE {view.t(last)}")
    view.create(engine.db)
    assert all(engine.db.table_exists(view.t(base)) for base in view.tables)
    with engine.db.read() as tx:
        assert len(tx.query(f"SELECT id FROM {view.t('view_clients')}")) == 1  # kept


def test_a_new_schema_version_drops_the_view_to_be_rebuilt_and_the_same_keeps_it(
    engine: Engine, ctx: Context
) -> None:
    engine.handler(ClientCommands).register(ctx, **client_fields())
    view = ClientsView(suffix="_v")
    follower(engine, view).catch_up()
    view.create(engine.db)  # the same version: nothing is dropped
    assert follower(engine, view).position() == engine.store.head()

    class NextClientsView(ClientsView):
        schema_version: ClassVar[int] = ClientsView.schema_version + 1

    newer = NextClientsView(suffix="_v")
    newer.create(engine.db)
    with engine.db.read() as tx:
        assert tx.query(f"SELECT id FROM {newer.t('view_clients')}") == []
        assert read_position(tx, newer.position_name) == 0


def test_rows_are_read_by_id_in_chunks_and_an_unknown_position_is_zero(
    engine: Engine, ctx: Context
) -> None:
    ids = [
        str(engine.handler(ClientCommands).register(ctx, **client_fields()).id) for _ in range(5)
    ]
    engine.projector.catch_up()
    table = engine.view(ClientsView).t("view_clients")
    with engine.db.read() as tx:
        found = rows_by_id(tx, table, [*ids, "nobody"], chunk=2)
        named = rows_by_id(tx, table, ids[:3], columns="id, branch")
        assert read_position(tx, "no-such-view") == 0
    assert sorted(found) == sorted(ids)
    assert found[ids[4]]["branch"] == "SH-LUJIAZUI"
    assert "tier" in found[ids[4]]
    assert {k: sorted(v) for k, v in named.items()} == {i: ["branch", "id"] for i in ids[:3]}


def test_a_worker_caught_up_until_a_position_applies_nothing_after_it(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    for n in range(6):
        engine.handler(ClientCommands).log_interaction(ctx, client, Channel.CALL, f"call {n}", None)
    until = engine.store.head() - 3
    worker = follower(engine, ClientsView(suffix="_u"), batch_size=100)
    assert worker.catch_up(until) == until
    with engine.db.read() as tx:
        [row] = tx.query("SELECT interaction_count FROM view_clients_u")
    assert worker.position() == until
    assert row["interaction_count"] == 3


class Overtaken(ProjectionWorker):
    """A worker that another one overtakes just before it applies its batch."""

    other: ProjectionWorker

    def _apply(self, position: int, new_position: int, batch: Any, bulk: bool = False) -> None:
        self.other.catch_up()
        super()._apply(position, new_position, batch, bulk)


def test_a_worker_overtaken_on_a_batch_reports_no_progress(engine: Engine, ctx: Context) -> None:
    engine.handler(ClientCommands).register(ctx, **client_fields())
    view = ClientsView(suffix="_o")
    view.create(engine.db)
    first = Overtaken(engine.store, engine.db, view, WorkerConfig())
    first.other = ProjectionWorker(engine.store, engine.db, view, WorkerConfig())
    assert first.step() == 0
    assert first.position() == engine.store.head()


def test_a_failing_batch_is_logged_with_its_view_and_position(engine: Engine, ctx: Context) -> None:
    for _ in range(2):
        engine.handler(ClientCommands).register(ctx, **client_fields())
    view = ClientsView(suffix="_x")

    def failing(tx: Any, batch: Any) -> None:
        if len(batch) > 1:
            raise RuntimeError("a batch fails")
        ClientsView.apply(view, tx, batch)

    view.apply = failing  # type: ignore[method-assign]
    with capture_logs() as logs:
        follower(engine, view).catch_up()
    assert {
        "event": "projection.batch_failed",
        "projection": "clients_x",
        "position": 0,
        "log_level": "warning",
    } in logs


def _indexes(engine: Engine, table: str) -> list[str]:
    """The columns of a table's non-unique indexes, one text each, sorted."""
    with engine.db.read() as tx:
        if tx.dialect == "postgres":
            # Filtered on the catalogue's columns before any definition is made: another
            # test dropping its schema meanwhile would fail ``pg_get_indexdef`` on its own.
            rows = tx.query(
                "SELECT pg_get_indexdef(i.indexrelid) AS d FROM pg_index i JOIN pg_class c "
                "ON c.oid = i.indrelid WHERE c.relnamespace = current_schema()::regnamespace "
                "AND c.relname = ? AND NOT i.indisunique",
                (table,),
            )
        else:
            rows = tx.query(
                "SELECT sql AS d FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL AND sql NOT LIKE ?",
                (table, "CREATE UNIQUE%"),
            )
    return sorted(str(r["d"]).rsplit(" ON ", 1)[-1].split("(", 1)[-1] for r in rows)


def test_every_view_rebuilt_has_the_indexes_of_a_new_one(engine: Engine, ctx: Context) -> None:
    # Given every view as a service creates it, over a client's events
    engine.handler(ClientCommands).register(ctx, **client_fields())
    engine.projector.catch_up()
    views = [worker.view for worker in engine.projector.workers.values()]
    tables = [view.t(base) for view in views for base in view.tables]
    before = {table: _indexes(engine, table) for table in tables}
    assert sum(map(len, before.values())) > 20
    # When each is rebuilt (some make their indexes after their rows)
    assert any(view.late_indexes for view in views)
    engine.rebuild_all(jobs=2)
    # Then each table has the same indexes as before
    assert {table: _indexes(engine, table) for table in tables} == before


def test_a_view_that_reads_no_personal_field_is_built_alike_from_opened_events(
    engine: Engine,
) -> None:
    # Given the demo: clients, their calls and feedback, tickets, all with personal fields
    load_demo(engine.demo_commands(), datetime.now(UTC), 20, 7, 10, 1, 40)
    redacting = [w.view for w in engine.projector.workers.values() if not w.view.personal]
    assert {v.name for v in redacting} >= {"holdings", "coverage", "inbox", "contacts"}
    for view in redacting:
        # When it is built as it is (personal fields read as ERASED) and with them opened
        copies = [view.with_suffix("_sealed"), view.with_suffix("_opened")]
        setattr(copies[1], "personal", True)  # noqa: B010 - an instance's own setting
        for copy in copies:
            copy.create(engine.db)
            ProjectionWorker(engine.store, engine.db, copy, engine.worker_config).catch_up()
        # Then every table holds the same rows: none of them came from a personal field
        for base in view.tables:
            sealed, opened = (table_rows(engine, copy.t(base)) for copy in copies)
            assert sealed == opened, (view.name, base)
            assert ERASED not in repr(sealed)


def test_without_personal_fields_the_mapper_reads_them_as_erased_and_opens_no_key(
    engine: Engine, ctx: Context
) -> None:
    engine.handler(ClientCommands).register(ctx, **client_fields(name="Chen Jing"))
    records = engine.store.recorder.select_notifications(1, 1000, topics=[])
    mapper = cast(SealingMapper, engine.store.mapper)
    [opened] = [e for e in mapper.to_domain_events(records) if isinstance(e, Client.Registered)]
    assert opened.name == "Chen Jing"
    with patch.object(mapper.keyring, "lookup", side_effect=AssertionError("a key looked up")):
        events = mapper.to_domain_events(records, personal=False)
    [sealed] = [e for e in events if isinstance(e, Client.Registered)]
    assert (sealed.name, sealed.phone, sealed.id_number) == (ERASED, ERASED, ERASED)
    assert (sealed.branch, sealed.tier) == (opened.branch, opened.tier)


def test_every_view_rebuilt_together_holds_the_rows_it_held_caught_up_alone(
    engine: Engine,
) -> None:
    # Given the demo (clients, holdings, tickets, articles, suppliers), every view caught up
    # on its own, and then a table of each damaged
    load_demo(engine.demo_commands(), datetime.now(UTC), 20, 7, 10, 1, 40)
    engine.projector.catch_up()
    views = [worker.view for worker in engine.projector.workers.values()]
    tables = [view.t(base) for view in views for base in view.tables]
    before = {table: table_rows(engine, table) for table in tables}
    assert sum(1 for rows in before.values() if rows) > 30
    with engine.db.transaction() as tx:
        for view in views:
            tx.execute(f"DELETE FROM {view.t(next(iter(view.tables)))}")
    # When every view is rebuilt from one reading of the store
    done = engine.rebuild_all(jobs=2)
    # Then each holds every row it held, at the head
    assert {table: table_rows(engine, table) for table in before} == before
    assert {name for name, _, _ in done} == set(engine.projector.workers)
    assert {position for _, position, _ in done} == {engine.store.head()}
    assert set(engine.projector.positions().values()) == {engine.store.head()}
