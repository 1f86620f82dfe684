"""Views on each store: catch-up in batches, dead letters, rebuild, read-your-writes."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any, ClassVar

import pytest

from adapters.shared.settings import Settings
from api.contexts import build_engine
from api.engine import Engine
from api.shared.waits import PositionWaits
from application.clients.commands import ClientCommands
from domain.clients.registry import Channel, Client
from domain.shared.base import Context
from projections.clients.contacts import ContactsView
from projections.clients.views import ClientsView
from projections.shared.base import dead_letters, positions
from projections.shared.runner import Projector, rebuild, rebuild_together
from projections.shared.worker import ProjectionWorker, WorkerConfig
from tests.conftest import client_fields, open_branches, table_rows


class FlakyClientsView(ClientsView):
    """Fails on tier changes to platinum while ``broken`` is set; counts its attempts."""

    name = "flaky"
    broken: ClassVar[bool] = True
    attempts: ClassVar[int] = 0

    def tier_changed(self, tx: Any, e: Client.TierChanged, position: int) -> None:
        FlakyClientsView.attempts += 1
        if e.tier == "platinum" and FlakyClientsView.broken:
            raise RuntimeError("cannot apply platinum")
        super().tier_changed(tx, e, position)


def worker_for(engine: Engine, view: ClientsView, **config: Any) -> ProjectionWorker:
    view.create(engine.db)
    return ProjectionWorker(
        engine.store, engine.db, view, WorkerConfig(**config), sleep=lambda _: None
    )


def test_given_events_when_caught_up_then_view_rows_and_position_at_head(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields(name="Zhou Min"))
    engine.handler(ClientCommands).retag(ctx, client.id, ["retiree", "vip"], [])
    engine.handler(ClientCommands).log_interaction(ctx, client.id, Channel.VISIT, "came by", None)
    engine.handler(ClientCommands).record_feedback(ctx, client.id, 4, "good")
    engine.handler(ClientCommands).record_feedback(ctx, client.id, 5, "great")
    engine.projector.catch_up()
    row = engine.view(ClientsView).get(engine.db, client.id)
    assert row is not None
    assert (row["name"], row["tags"], row["interaction_count"]) == (
        "Zhou Min",
        ["retiree", "vip"],
        1,
    )
    assert row["feedback"] == {"count": 2, "mean_rating": 4.5}
    assert row["version"] == 5
    status = {s["name"]: s for s in engine.projector.status()}
    assert status["clients"]["lag"] == 0
    assert status["clients"]["position"] == engine.store.head()


def called(engine: Engine, ctx: Context, calls: int) -> None:
    """A client registered, then called ``calls`` times."""
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    for n in range(calls):
        engine.handler(ClientCommands).log_interaction(
            ctx, client.id, Channel.CALL, f"call {n}", None
        )


def test_given_35_events_when_batches_of_10_then_each_applied_once(
    engine: Engine, ctx: Context
) -> None:
    called(engine, ctx, 33)
    worker = worker_for(engine, ClientsView(suffix="_b"), batch_size=10)
    moved = 0
    steps = 0
    while (step := worker.step()) > 0:
        moved += step
        steps += 1
    assert steps == 4
    with engine.db.read() as tx:
        [row] = tx.query("SELECT interaction_count FROM view_clients_b")
        [count] = tx.query("SELECT COUNT(*) AS n FROM view_client_interactions_b")
    assert row["interaction_count"] == 33
    assert count["n"] == 33
    assert worker.position() == engine.store.head()


def planned(engine: Engine, table: str) -> bool:
    """Whether the table has planner statistics. (Not whether its pages are all-visible
    on PostgreSQL: a vacuum cannot mark them while another test's transaction is open.)"""
    if engine.db.dialect == "sqlite" and not engine.db.table_exists("sqlite_stat1"):
        return False  # no ANALYZE yet
    with engine.db.read() as tx:
        if engine.db.dialect == "sqlite":
            return bool(tx.query("SELECT 1 AS x FROM sqlite_stat1 WHERE tbl = ?", (table,)))
        [row] = tx.query("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)", (table,))
        return bool(row["reltuples"] >= 0)


def test_given_a_worker_far_behind_then_it_reads_bulk_batches_until_caught_up(
    engine: Engine, ctx: Context
) -> None:
    # given a client's 34 events, and a worker in bulk 10 events or more behind
    called(engine, ctx, 33)
    config = {"batch_size": 5, "bulk_after": 10, "bulk_batch_size": 15}
    worker = worker_for(engine, ClientsView(suffix="_k"), **config)
    # when it catches up, then it reads 15 events a step while in bulk, then 5
    steps = 0
    while worker.step() > 0:
        steps += 1
    assert steps == 3  # 15, 15, then 4 (at 5 a step: 7)
    with engine.db.read() as tx:
        [row] = tx.query("SELECT interaction_count FROM view_clients_k")
    assert row["interaction_count"] == 33
    assert worker.position() == engine.store.head()


def test_given_many_events_caught_up_then_the_views_tables_are_tidied_once_at_the_head(
    engine: Engine, ctx: Context
) -> None:
    # given a client with 30 interactions and a worker that tidies after 25 events
    called(engine, ctx, 30)
    worker = worker_for(engine, ClientsView(suffix="_t"), batch_size=10, tidy_after=25)
    # when it steps through part of them, the tables are not tidied mid-way
    worker.step()
    worker.step()
    assert not planned(engine, "view_client_interactions_t")
    # then, caught up past 25 events, they have statistics for the planner
    worker.catch_up()
    assert planned(engine, "view_client_interactions_t")
    assert planned(engine, "view_clients_t")


def test_given_interactions_interleaved_when_applied_in_batches_then_rows_as_one_by_one(
    engine: Engine, ctx: Context
) -> None:
    # given two clients' interactions interleaved, not in the order they occurred, with
    # other events between them
    desk = engine.handler(ClientCommands)
    ids = [desk.register(ctx, **client_fields()).id for _ in range(2)]
    for n in range(12):
        occurred = ctx.at - timedelta(days=(n * 7) % 5)
        desk.log_interaction(ctx, ids[n % 2], Channel.CALL, f"call {n}", occurred)
        if n == 5:
            desk.retag(ctx, ids[0], ["vip"], [])
            desk.record_feedback(ctx, ids[1], 4, "fine")
    # when applied one event at a time, and in batches of 4 and of everything
    tables = {}
    for size in (1, 4, 1000):
        worker_for(engine, ClientsView(suffix=f"_{size}"), batch_size=size).catch_up()
        with engine.db.read() as tx:
            tables[size] = (
                tx.query(f"SELECT * FROM view_clients_{size} ORDER BY id"),
                tx.query(f"SELECT * FROM view_client_interactions_{size} ORDER BY position"),
            )
    # then the same rows
    assert tables[4] == tables[1]
    assert tables[1000] == tables[1]
    assert [r["interaction_count"] for r in tables[1][0]] == [6, 6]


def test_given_event_that_keeps_failing_when_caught_up_then_parked_and_others_applied(
    engine: Engine, ctx: Context
) -> None:
    FlakyClientsView.broken, FlakyClientsView.attempts = True, 0
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    engine.handler(ClientCommands).change_tier(ctx, client.id, "platinum", "private banking")
    engine.handler(ClientCommands).log_interaction(ctx, client.id, Channel.CALL, "after", None)
    view = FlakyClientsView(suffix="_f")
    worker = worker_for(engine, view, max_attempts=3, batch_size=100)
    worker.catch_up()
    assert worker.position() == engine.store.head()
    [parked] = dead_letters(engine.db, view.position_name)
    assert parked["topic"].endswith("Client.TierChanged")
    assert parked["attempts"] == 3
    assert parked["error"].startswith("RuntimeError at test_projections.py:")
    assert "platinum" not in parked["error"]  # the type and the place, never a value
    with engine.db.read() as tx:
        [row] = tx.query("SELECT tier, interaction_count FROM view_clients_f")
    assert (row["tier"], row["interaction_count"]) == ("standard", 1)

    FlakyClientsView.broken = False
    assert worker.retry_parked() == 1
    assert dead_letters(engine.db, view.position_name) == []
    with engine.db.read() as tx:
        [row] = tx.query("SELECT tier FROM view_clients_f")
    assert row["tier"] == "platinum"


def test_given_event_failing_once_when_retried_then_applied_and_not_parked(
    engine: Engine, ctx: Context
) -> None:
    class OnceFlaky(ClientsView):
        name = "once"
        failed = False

        def tier_changed(self, tx: Any, e: Client.TierChanged, position: int) -> None:
            if not OnceFlaky.failed:
                OnceFlaky.failed = True
                raise RuntimeError("transient")
            super().tier_changed(tx, e, position)

    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    engine.handler(ClientCommands).change_tier(ctx, client.id, "gold", "x")
    worker = worker_for(engine, OnceFlaky(suffix="_o"), max_attempts=3)
    worker.catch_up()
    assert dead_letters(engine.db, "once_o") == []
    with engine.db.read() as tx:
        [row] = tx.query("SELECT tier FROM view_clients_o")
    assert row["tier"] == "gold"


def test_given_two_workers_on_one_view_when_racing_then_each_event_applied_once(
    engine: Engine, ctx: Context
) -> None:
    """README claim: each event is applied exactly once (position compare-and-set)."""
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    for n in range(200):
        engine.handler(ClientCommands).log_interaction(
            ctx, client.id, Channel.SMS, f"sms {n}", None
        )
    view = ClientsView(suffix="_r")
    workers = [worker_for(engine, view, batch_size=7) for _ in range(2)]
    threads = [threading.Thread(target=w.catch_up) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    workers[0].catch_up()
    with engine.db.read() as tx:
        [row] = tx.query("SELECT interaction_count FROM view_clients_r")
        [rows] = tx.query("SELECT COUNT(*) AS n FROM view_client_interactions_r")
    assert (row["interaction_count"], rows["n"]) == (200, 200)
    assert dead_letters(engine.db, view.position_name) == []
    assert workers[0].position() == workers[1].position() == engine.store.head()


def test_given_damaged_view_when_rebuilt_then_rows_come_back_from_events(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields(name="Guo Hui"))
    engine.handler(ClientCommands).retag(ctx, client.id, ["vip"], [])
    engine.projector.catch_up()
    with engine.db.transaction() as tx:
        tx.execute("UPDATE view_clients SET name = 'damaged', interaction_count = 99")
        tx.execute("DELETE FROM view_client_tags")
    for _ in range(2):  # twice: a second rebuild must not trip over the first's names
        position = engine.rebuild("clients")
        assert position == engine.store.head()
        row = engine.view(ClientsView).get(engine.db, client.id)
        assert row is not None
        assert (row["name"], row["interaction_count"]) == ("Guo Hui", 0)
        items, _ = engine.view(ClientsView).search(engine.db, tag="vip")
        assert [i["id"] for i in items] == [str(client.id)]
    assert positions(engine.db)["clients"] == engine.store.head()
    assert "clients__rebuild" not in positions(engine.db)


def reached(projector: Projector, position: int, names: list[str], timeout: float) -> bool:
    """Whether the views reach ``position`` in time, waited for as a read waits."""
    waits = PositionWaits(projector.positions, limit=1)
    return asyncio.run(waits.reached(position, names, timeout))


def test_given_running_workers_when_waiting_for_a_write_then_view_has_it(
    settings: Settings, ctx: Context
) -> None:
    """README claim: read-your-writes (a read waits for the view to reach a position)."""
    engine = open_branches(build_engine(settings.model_copy(update={"run_workers": True})))
    engine.start()
    try:
        result = engine.handler(ClientCommands).register(ctx, **client_fields())
        assert reached(engine.projector, result.position, ["clients"], timeout=120)
        assert engine.view(ClientsView).get(engine.db, result.id) is not None
        assert not reached(engine.projector, result.position + 1000, ["clients"], timeout=0.2)
    finally:
        engine.close()


def test_given_no_notifications_when_events_written_then_polling_still_catches_up(
    engine: Engine, ctx: Context
) -> None:
    projector = Projector(engine.store, engine.db, list(engine.projector.workers.values()))
    projector.start()  # no LISTEN connection at all: every NOTIFY is "missed"
    try:
        writer = build_engine(engine.settings)  # another process's writes: no in-process wake-up
        try:
            result = writer.handler(ClientCommands).register(ctx, **client_fields())
        finally:
            writer.close()
        assert reached(projector, result.position, ["clients", "staff"], timeout=120)
    finally:
        projector.stop()


@pytest.mark.parametrize("cursor_pages", [3])
def test_given_clients_when_listed_by_pages_then_cursor_walks_all(
    engine: Engine, ctx: Context, cursor_pages: int
) -> None:
    ids = [
        engine.handler(ClientCommands).register(ctx, **client_fields(branch="BJ-JINRONGJIE")).id
        for _ in range(7)
    ]
    engine.handler(ClientCommands).register(ctx, **client_fields(branch="SZ-FUTIAN"))
    engine.projector.catch_up()
    seen: list[str] = []
    cursor = None
    for _ in range(cursor_pages):
        items, cursor = engine.view(ClientsView).search(
            engine.db, branch="BJ-JINRONGJIE", limit=3, cursor=cursor
        )
        seen += [i["id"] for i in items]
    assert seen == [str(i) for i in ids]
    assert cursor is None


def test_given_concurrent_writers_when_a_worker_follows_then_no_event_is_passed_over(
    engine: Engine, ctx: Context
) -> None:
    clients = [engine.handler(ClientCommands).register(ctx, **client_fields()).id for _ in range(4)]
    worker = worker_for(engine, ClientsView(suffix="_c"), batch_size=5)
    done = threading.Event()

    def write(client_id: Any) -> None:
        for n in range(40):
            engine.handler(ClientCommands).log_interaction(
                ctx, client_id, Channel.CALL, f"call {n}", None
            )

    def follow() -> None:
        while not done.is_set():
            worker.catch_up()

    follower = threading.Thread(target=follow)
    follower.start()
    writers = [threading.Thread(target=write, args=(c,)) for c in clients]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    follower.join()
    worker.catch_up()
    with engine.db.read() as tx:
        counts = tx.query("SELECT interaction_count FROM view_clients_c")
    assert [r["interaction_count"] for r in counts] == [40, 40, 40, 40]


def test_given_a_rebuild_halfway_when_reading_meanwhile_then_the_old_view_serves(
    engine: Engine, ctx: Context
) -> None:
    """README claim: a rebuilt view is swapped in when complete; the old one serves until."""
    halfway, resume = threading.Event(), threading.Event()

    class PausingClientsView(ClientsView):
        """Stops after applying ten registrations until the test lets it go on."""

        applied = 0

        def registered(self, tx: Any, e: Client.Registered, position: int) -> None:
            super().registered(tx, e, position)
            PausingClientsView.applied += 1
            if PausingClientsView.applied == 10:
                halfway.set()
                assert resume.wait(60), "the test never let the rebuild go on"

    # Given twenty clients in the view
    ids = [engine.handler(ClientCommands).register(ctx, **client_fields()).id for _ in range(20)]
    engine.projector.catch_up()
    # When a rebuild is halfway through
    rebuilding = threading.Thread(
        target=rebuild, args=(engine.store, engine.db, PausingClientsView(), engine.worker_config)
    )
    rebuilding.start()
    try:
        assert halfway.wait(60), "the rebuild never got halfway"
        # Then the old view still serves every client, the last registered included
        for _ in range(5):
            assert engine.view(ClientsView).get(engine.db, ids[-1]) is not None
            assert len(engine.view(ClientsView).search(engine.db, limit=100)[0]) == 20
    finally:
        resume.set()
        rebuilding.join()
    # And after the swap the rebuilt view serves them all
    assert PausingClientsView.applied == 20
    assert len(engine.view(ClientsView).search(engine.db, limit=100)[0]) == 20
    assert engine.view(ClientsView).get(engine.db, ids[0]) is not None


def test_given_views_rebuilt_together_in_windows_then_a_failing_event_is_parked_for_its_own(
    engine: Engine, ctx: Context
) -> None:
    # Given clients, their calls and a tier change one view cannot apply
    FlakyClientsView.broken, FlakyClientsView.attempts = True, 0
    commands = engine.handler(ClientCommands)
    clients = [commands.register(ctx, **client_fields()).id for _ in range(3)]
    for client in clients:
        commands.log_interaction(ctx, client, Channel.CALL, "call", None)
    commands.change_tier(ctx, clients[1], "platinum", "private banking")
    commands.log_interaction(ctx, clients[1], Channel.VISIT, "after", None)
    alone = ContactsView(suffix="_alone")
    worker_for(engine, alone).catch_up()  # type: ignore[arg-type]
    # When the view that fails and another are rebuilt together, windows of 3 events
    config = WorkerConfig(batch_size=3, bulk_batch_size=3, max_attempts=2, backoff=0)
    done = rebuild_together(engine.store, engine.db, [FlakyClientsView(), ContactsView()], config)
    # Then the failing event is parked for its view only, which applied every other event
    head = engine.store.head()
    assert [(name, position) for name, position, _ in done] == [("flaky", head), ("contacts", head)]
    [parked] = dead_letters(engine.db, "flaky")
    assert parked["topic"].endswith("Client.TierChanged")
    assert dead_letters(engine.db, "contacts") == []
    with engine.db.read() as tx:
        rows = tx.query("SELECT id, tier, interaction_count FROM view_clients")
    counts = {r["id"]: (r["tier"], r["interaction_count"]) for r in rows}
    assert counts == {
        str(clients[0]): ("standard", 1),
        str(clients[1]): ("standard", 2),
        str(clients[2]): ("standard", 1),
    }
    # And the other view holds what it holds caught up alone
    for base in ContactsView.tables:
        assert table_rows(engine, base) == table_rows(engine, alone.t(base)), base


def test_given_views_rebuilt_together_when_events_are_stored_meanwhile_then_they_are_in(
    engine: Engine, ctx: Context
) -> None:
    # Given clients in the views
    commands = engine.handler(ClientCommands)
    for _ in range(4):
        commands.register(ctx, **client_fields())
    engine.projector.catch_up()
    later: list[Any] = []

    def progress(view: str) -> Any:
        def report(_: str, done: int, total: int) -> None:
            if view == "contacts" and 0 < done < total and not later:  # mid-rebuild
                later.append(commands.register(ctx, **client_fields(name="Late Client")).id)

        return report

    # When a client registers while the views are rebuilt together, a window at a time
    config = WorkerConfig(batch_size=2, bulk_batch_size=2)
    done = rebuild_together(
        engine.store, engine.db, [ClientsView(), ContactsView()], config, progress
    )
    # Then both views have the client, at the new head
    assert later
    assert {position for _, position, _ in done} == {engine.store.head()}
    row = engine.view(ClientsView).get(engine.db, later[0])
    assert row is not None
    assert row["name"] == "Late Client"
    with engine.db.read() as tx:
        assert tx.query(
            "SELECT client_id FROM view_contact_plan WHERE client_id = ?", (str(later[0]),)
        )
