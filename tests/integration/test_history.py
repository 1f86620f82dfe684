"""Time travel and histories on each store: the state as of an instant, rebuilt from the
events (and snapshots), equals what the views showed at that instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.contexts import build_engine
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.compliance.history import History, state_of
from application.suppliers.commands import SupplierCommands
from domain.clients.registry import Client
from domain.shared.base import Context, Snapshot
from domain.shared.errors import NotFound
from domain.suppliers.audits import SECTIONS, AssessmentKind
from domain.suppliers.lifecycle import Site, Stage
from domain.suppliers.supplier import Supplier
from projections.clients.views import ClientsView
from projections.shared.worker import ProjectionWorker
from projections.suppliers.views import SuppliersView
from tests.conftest import client_fields, drop_schema, make_settings, open_branches

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def snapshotting(store_kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine taking snapshots every 2 client and every 3 supplier events, so time
    travel has to start from snapshots and stop before later ones."""
    settings = make_settings(store_kind, tmp_path, snapshot_intervals={"Client": 2, "Supplier": 3})
    engine = open_branches(build_engine(settings))
    yield engine
    engine.close()
    drop_schema(settings)


def day(n: int, actor: str = "u-1") -> Context:
    return Context(actor=actor, at=START + timedelta(days=n), correlation_id=f"req-{n}")


def client_history(engine: Engine) -> UUID:
    c = engine.handler(ClientCommands)
    client = c.register(day(0), **client_fields()).id
    c.update_contact(day(1), client, expected_version=None, phone="+86 13900000001")
    c.change_tier(day(2), client, "gold", "assets above threshold")
    c.retag(day(3), client, ["vip"], [])
    c.update_contact(day(4), client, expected_version=None, name="Chen Jing-Wei")
    c.retag(day(5), client, ["esg"], ["vip"])
    c.record_feedback(day(6), client, 4, "quick answers")
    return client


def supplier_history(engine: Engine) -> UUID:
    s = engine.handler(SupplierCommands)
    site = Site(name="Kunshan", country="CN", city="Kunshan")
    supplier = s.register(day(0), "Delta", [site], ["connectors"]).id
    s.move(day(1), supplier, Stage.SURVEY, "visit planned")
    s.assess(
        day(2),
        supplier,
        kind=AssessmentKind.SELF,
        site="Kunshan",
        on=day(2).at.date(),
        auditors=[],
        scores={k: [3] * n for k, n in SECTIONS.items()},
        findings=[],
    )
    s.move(day(3), supplier, Stage.EVALUATION, "surveyed")
    s.suspend(day(4), supplier, "late deliveries")
    s.reinstate(day(5), supplier, "recovered")
    return supplier


def positions_by_instant(engine: Engine, aggregate_id: UUID) -> list[tuple[datetime, int]]:
    """For each instant between the events (and one before them all): the position of the
    last event recorded at or before it."""
    events: list[Any] = list(engine.store.events.get(aggregate_id))
    positions = engine.store.positions(aggregate_id)
    instants = [(START - timedelta(hours=1), 0)]
    for e in events:
        instants.append((e.timestamp + timedelta(hours=12), positions[e.originator_version]))
    return instants


def test_a_client_as_of_each_instant_is_what_the_clients_view_showed_then(
    snapshotting: Engine,
) -> None:
    engine = snapshotting
    # Given a client changed on seven days, with snapshots every two events
    client = client_history(engine)
    assert len(list(engine.store.snapshots.get(client))) == 3  # type: ignore[union-attr]
    view = ClientsView("_then")
    view.create(engine.db)
    worker = ProjectionWorker(engine.store, engine.db, view, engine.worker_config)
    for instant, position in positions_by_instant(engine, client):
        # When the view has seen the events up to that instant, and time travel goes there
        worker.catch_up(until=position)
        shown = view.get(engine.db, client)
        if position == 0:
            # Then before registration there is nothing, in the view or in the past
            assert shown is None
            with pytest.raises(NotFound):
                engine.handler(History).as_of(Client, client, instant)
            continue
        past = engine.handler(History).as_of(Client, client, instant)
        # Then both tell the same
        assert shown is not None
        assert past.version == shown["version"]
        for field in ("name", "phone", "email", "address", "tier", "tags"):
            assert getattr(past, field) == shown[field], field


def test_a_supplier_as_of_each_instant_is_what_its_document_view_held_then(
    snapshotting: Engine,
) -> None:
    engine = snapshotting
    # Given a supplier moved, assessed, suspended and reinstated, snapshotted every 3
    supplier = supplier_history(engine)
    view = SuppliersView("_then")
    view.create(engine.db)
    worker = ProjectionWorker(engine.store, engine.db, view, engine.worker_config)
    for instant, position in positions_by_instant(engine, supplier)[1:]:
        # When the view has seen the events up to that instant
        worker.catch_up(until=position)
        found = view.load(engine.db, str(supplier))
        assert found is not None
        held, _ = found
        # Then the state rebuilt as of that instant is the state the view held, exactly
        past = engine.handler(History).as_of(Supplier, supplier, instant)
        assert state_of(past) == Snapshot.take(held).state
        assert past.version == held.version


def test_time_travel_between_two_events_of_one_instant_takes_both_and_a_wrong_kind_is_404(
    engine: Engine,
) -> None:
    # Given a client and a supplier
    client = engine.handler(ClientCommands).register(day(0), **client_fields()).id
    engine.handler(ClientCommands).change_tier(day(0), client, "gold", "same instant")
    site = Site(name="Kunshan", country="CN", city="Kunshan")
    supplier = engine.handler(SupplierCommands).register(day(1), "Delta", [site], ["connectors"]).id
    # Then an instant equal to an event's time includes it
    assert engine.handler(History).as_of(Client, client, START).tier == "gold"
    # And a supplier id asked for as a client is not found, at any instant
    with pytest.raises(NotFound):
        engine.handler(History).as_of(Client, supplier, START + timedelta(days=9))
    with pytest.raises(NotFound):
        engine.handler(History).events(Client, supplier)
    with pytest.raises(NotFound):
        engine.handler(History).at_version(Client, supplier, 1)


def test_the_history_lists_every_event_with_its_position_actor_time_and_correlation(
    engine: Engine,
) -> None:
    # Given a client changed by two actors
    c = engine.handler(ClientCommands)
    registered = c.register(day(0, "u-1"), **client_fields())
    tier = c.change_tier(day(1, "u-2"), registered.id, "gold", "assets")
    # When its history is read
    events = engine.handler(History).events(Client, registered.id)
    # Then it has both events, in order, as recorded
    assert [(e.version, e.type, e.actor, e.correlation_id) for e in events] == [
        (1, "Client.Registered", "u-1", "req-0"),
        (2, "Client.TierChanged", "u-2", "req-1"),
    ]
    # (a registration also saves the identity-number claim, so its last position is that)
    assert events[0].position <= registered.position < events[1].position == tier.position
    assert events[1].at == START + timedelta(days=1)
    assert events[1].data == {"tier": "gold", "previous_tier": "standard", "reason": "assets"}
    # And the state at version 1 is the registered one
    assert engine.handler(History).at_version(Client, registered.id, 1).tier == "standard"
