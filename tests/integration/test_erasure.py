"""Personal data on each store: sealed at rest with the client's key, and erased everywhere
by destroying that key, while records stay complete and the audit chain still verifies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.shared.personal import KEYS_TABLE
from adapters.shared.settings import Settings
from api.contexts import build_engine
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.compliance.history import History
from application.compliance.replay import DecisionReplay
from application.service_desk import TicketCommands
from application.suitability.purchases import PurchaseCommands
from domain.clients.registry import Channel, Client, ClientErased
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import TicketChannel, TicketType
from domain.shared.base import ERASED, Context
from domain.shared.errors import DuplicateFound, InvalidField
from domain.shared.vocab import RiskRating
from projections.clients.views import ClientsView
from projections.compliance.audit import verify
from projections.service_desk import TicketsView
from tests.conftest import client_fields, drop_schema, make_settings, open_branches
from tests.integration.test_replay import NOW, buy

PERSONAL = ("Lin Mei", "440101199001011234", "+86 13700000000", "lin.mei@example.cn")
NOTES = ("asked about her mortgage", "prefers calls after six")


@pytest.fixture
def snapshotting(store_kind: str, tmp_path: Path) -> Iterator[Engine]:
    """Client snapshots every 2 events, so erasure must reach into snapshots too."""
    settings = make_settings(store_kind, tmp_path, snapshot_intervals={"Client": 2})
    engine = open_branches(build_engine(settings))
    yield engine
    engine.close()
    drop_schema(settings)


def at(minutes: int) -> Context:
    return Context(actor="u-admin", at=NOW + timedelta(minutes=minutes), correlation_id="e")


def known_client(engine: Engine, id_number: str = PERSONAL[1]) -> UUID:
    """A client with every kind of personal data: registration, a contact change, an
    interaction and a feedback comment."""
    name, _, phone, email = PERSONAL
    fields = client_fields(name=name, id_number=id_number, email=email)
    client = engine.handler(ClientCommands).register(at(0), **fields).id
    engine.handler(ClientCommands).update_contact(at(1), client, expected_version=None, phone=phone)
    engine.handler(ClientCommands).log_interaction(at(2), client, Channel.CALL, NOTES[0], None)
    engine.handler(ClientCommands).record_feedback(at(3), client, 5, NOTES[1])
    return client


def stored_bytes(engine: Engine) -> bytes:
    """Every stored record (events and snapshots) as the database holds it."""
    notes = engine.store.recorder.select_notifications(1, 10_000)
    snapshots = engine.store.snapshots
    assert snapshots is not None
    records = [n.state for n in notes]
    for n in notes:
        records += [s.state for s in snapshots.recorder.select_events(n.originator_id)]
    return b"\n".join(records)


def key_rows(engine: Engine) -> int:
    """The rows of the key table, read beside the events (on SQLite, in their file)."""
    recorder: Any = engine.store.recorder
    with recorder.datastore.transaction(commit=False) as cursor:
        table = (
            f"{recorder.datastore.schema}.{KEYS_TABLE}"
            if engine.db.dialect == "postgres"
            else KEYS_TABLE
        )
        cursor.execute(f"SELECT COUNT(*) AS n FROM {table}")
        return int(cursor.fetchone()["n"])


def assert_not_findable(engine: Engine, client: UUID) -> None:
    """README claim: erasure reads [erased] everywhere. No column of the client's view rows
    (the search columns included) holds a former personal value, and searching by the
    former name or phone finds nobody."""
    with engine.db.read() as tx:
        [row] = tx.query(
            f"SELECT * FROM {engine.view(ClientsView).t('view_clients')} WHERE id = ?",
            (str(client),),
        )
    former = {*PERSONAL, PERSONAL[0].lower(), "Century Avenue"}
    held = {str(v) for v in row.values() if v is not None}
    assert not {v for v in held for f in former if f in v}, row
    for query in (PERSONAL[0], PERSONAL[0].lower(), "lin", PERSONAL[2], "13700000000"):
        found, _ = engine.view(ClientsView).search(engine.db, q=query, limit=10)
        assert found == [], query


def test_personal_data_is_sealed_at_rest_and_read_plainly_with_its_key(
    snapshotting: Engine,
) -> None:
    """README claim: personal data is sealed at rest (no personal value in the stored bytes)."""
    # Given a client with personal data in four kinds of events and in snapshots
    engine = snapshotting
    client = known_client(engine)
    # Then no personal value is in the stored bytes
    raw = stored_bytes(engine)
    for value in (*PERSONAL, *NOTES, "Century Avenue"):
        assert value.encode() not in raw, value
    # While the aggregate, its history and the views read them plainly
    loaded: Any = engine.store.repository.get(client)
    assert (loaded.name, loaded.phone, loaded.email) == (PERSONAL[0], PERSONAL[2], PERSONAL[3])
    registered: Any = next(iter(engine.store.events.get(client)))
    assert registered.id_number == PERSONAL[1]
    engine.projector.catch_up()
    row = engine.view(ClientsView).get(engine.db, client)
    assert row is not None
    assert row["name"] == PERSONAL[0]
    assert row["id_number_masked"].endswith("1234")


def test_given_erased_client_then_personal_data_reads_erased_everywhere(
    snapshotting: Engine,
) -> None:
    """README claim: erasure reads [erased] everywhere: aggregate, snapshots, every past
    event, as_of, the views and a rebuilt view; the chain still verifies."""
    # Given a client with personal data, shown in the views
    engine = snapshotting
    client = known_client(engine)
    before = at(2).at + timedelta(seconds=30)
    engine.projector.catch_up()
    # When their personal data is erased
    result = engine.handler(ClientCommands).erase_personal_data(
        at(10), client, "client's request (Art. 17)"
    )
    assert result.changed
    engine.projector.catch_up()
    # Then the aggregate, from its latest snapshot and from its events, reads erased
    loaded: Any = engine.store.repository.get(client)
    assert loaded.erased
    assert {loaded.name, loaded.phone, loaded.email, loaded.address} == {ERASED}
    # And so does every event of its history, the past state included
    events: list[Any] = list(engine.store.events.get(client))
    assert events[0].name == events[0].id_number == ERASED
    assert events[1].changes == {"phone": ERASED}
    assert events[2].summary == ERASED
    assert events[3].comment == ERASED
    then = engine.handler(History).as_of(Client, client, before)
    assert then.name == ERASED
    assert then.version == 3
    # And the views: the client, their interactions, and a rebuilt view alike
    for _ in range(2):
        row = engine.view(ClientsView).get(engine.db, client)
        assert row is not None
        assert {row[k] for k in ("name", "id_number_masked", "phone", "email", "address")} == {
            ERASED
        }
        assert row["erased_at"] is not None
        assert row["branch"] == "SH-LUJIAZUI"  # what is not personal stays
        notes, _ = engine.view(ClientsView).interactions(engine.db, client)
        assert [n["summary"] for n in notes] == [ERASED]
        assert_not_findable(engine, client)
        engine.rebuild("clients")
    # And the chain still verifies every stored record
    assert verify(engine.store).ok
    # And what is not personal still changes, snapshots included
    engine.handler(ClientCommands).change_tier(at(20), client, "gold", "assets")
    engine.handler(ClientCommands).retag(at(21), client, ["closed"], [])
    later: Any = engine.store.repository.get(client)
    assert (later.tier, later.tags, later.name) == ("gold", ["closed"], ERASED)
    assert engine.store.snapshots is not None
    snapshot: Any = next(iter(engine.store.snapshots.get(client, desc=True, limit=1)))
    assert (snapshot.originator_version, snapshot.state["name"]) == (6, ERASED)  # the tier


def test_given_erased_client_then_suitability_records_stay_complete_and_replay(
    engine: Engine,
) -> None:
    """README claim: after erasure, purchases and their decisions stay complete and replay."""
    # Given a purchase decided with a warning, by a client whose data is then erased
    purchase = buy(engine, answers_index=1, rating=RiskRating.R5)
    recorded: Any = engine.store.repository.get(purchase)
    client: UUID = recorded.client_id
    before = engine.handler(DecisionReplay).purchase(purchase)
    engine.handler(ClientCommands).erase_personal_data(at(60), client, "closed account")
    # When the decision is replayed
    after = engine.handler(DecisionReplay).purchase(purchase)
    # Then it is as complete and as consistent as before
    assert after.consistent
    assert after.inputs == before.inputs
    assert after.recorded == before.recorded
    # But the erased client can buy nothing more
    with pytest.raises(ClientErased):
        engine.handler(PurchaseCommands).request(
            at(61), client, before.inputs["fund"]["code"], Decimal(1000)
        )


def test_given_erased_client_then_nothing_personal_is_recorded_and_erasure_is_once(
    engine: Engine,
) -> None:
    client, other = known_client(engine), known_client(engine, "440101199001015678")
    engine.handler(ClientCommands).erase_personal_data(at(10), client, "client's request")
    head = engine.store.head()
    # When erased again: nothing recorded
    again = engine.handler(ClientCommands).erase_personal_data(at(11), client, "twice")
    assert not again.changed
    assert engine.store.head() == head
    # And new personal data is refused
    refusals: list[Callable[[], object]] = [
        lambda: engine.handler(ClientCommands).update_contact(
            at(12), client, expected_version=None, phone="1"
        ),
        lambda: engine.handler(ClientCommands).log_interaction(
            at(12), client, Channel.SMS, "hello", None
        ),
        lambda: engine.handler(ClientCommands).record_feedback(at(12), client, 3, "ok"),
    ]
    for refused in refusals:
        with pytest.raises(ClientErased):
            refused()
    with pytest.raises(InvalidField, match="reason"):
        engine.handler(ClientCommands).erase_personal_data(at(12), other, " ")
    assert engine.store.head() == head


def test_a_key_is_stored_with_the_first_events_or_not_at_all(engine: Engine) -> None:
    # Given a client, and one key stored for them
    fields = client_fields()
    engine.handler(ClientCommands).register(at(0), **fields)
    assert key_rows(engine) == 1
    # When a second registration of the same identity number fails
    with pytest.raises(DuplicateFound):
        engine.handler(ClientCommands).register(at(1), **{**fields, "name": "Someone Else"})
    # Then the key made for it was not stored either, and a later client gets its own
    assert key_rows(engine) == 1
    engine.handler(ClientCommands).register(at(2), **client_fields())
    assert key_rows(engine) == 2


def test_a_crash_between_the_erasure_and_the_key_is_finished_by_the_scheduler(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an erasure whose event was saved but whose key destruction failed
    client = known_client(engine)
    table: Any = engine.keyring.table

    def crash(*_: Any) -> bool:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(table, "destroy_key", crash)
    with pytest.raises(ConnectionError):
        engine.handler(ClientCommands).erase_personal_data(at(10), client, "client's request")
    monkeypatch.undo()
    assert engine.keyring.live([client]) == {client}
    # When the scheduler ticks
    done = engine.tick(NOW + timedelta(hours=1))
    # Then the key is destroyed, once
    assert done["erasures"] == 1
    assert engine.keyring.live([client]) == set()
    assert engine.tick(NOW + timedelta(hours=2))["erasures"] == 0
    loaded: Any = engine.store.repository.get(client)
    assert loaded.name == ERASED


def test_a_view_rebuilt_after_a_restart_looks_keys_up_once_a_batch(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given twenty clients recorded by one process
    first = open_branches(build_engine(settings))
    names = {first.handler(ClientCommands).register(at(n), **client_fields()).id for n in range(20)}
    first.close()
    # When another process, with no key in memory, rebuilds the clients view
    engine = open_branches(build_engine(settings))
    try:
        table: Any = engine.keyring.table
        calls: list[int] = []
        select = table.select_keys

        def counted(subjects: list[UUID]) -> Any:
            calls.append(len(subjects))
            return select(subjects)

        monkeypatch.setattr(table, "select_keys", counted)
        engine.rebuild("clients")
        # Then it read every client's data with one key query for the batch
        assert calls == [20]
        rows, _ = engine.view(ClientsView).search(engine.db, limit=50)
        assert {UUID(r["id"]) for r in rows} == names
        assert {r["name"] for r in rows} == {"Chen Jing"}
    finally:
        engine.close()


def test_what_a_client_wrote_in_a_ticket_is_sealed_with_their_key_and_erased_with_it(
    engine: Engine,
) -> None:
    """README claim: a ticket's subject, description and comments are sealed with its
    client's key: erasure reads them [erased] in the events, the views and their history."""
    # Given a ticket a client opened, commented on, and a ticket with no client
    client = known_client(engine)
    desk = engine.handler(TicketCommands)
    fields: dict[str, Any] = {
        "type": TicketType.COMPLAINT,
        "priority": Priority.P3,
        "channel": TicketChannel.PHONE,
    }
    theirs = desk.open(
        at(3), client_id=client, subject="Li Na's statement", description="Li Na: wrong fee",
        **fields,
    ).result.id  # fmt: skip
    desk.comment(at(4), theirs, "Called Li Na back about the fee", public=True)
    nobodys = desk.open(
        at(5), client_id=None, subject="Printer jam", description="Floor 3", **fields
    ).result.id
    engine.projector.catch_up()
    # Then the stored records do not hold the client's words, the other ticket's are plain
    stored = [n.state for n in engine.store.recorder.select_notifications(1, 10_000)]
    assert not any(b"Li Na" in s for s in stored)
    assert any(b"Printer jam" in s for s in stored)
    view = engine.view(TicketsView)
    row = view.get(engine.db, theirs)
    assert row is not None
    assert row["subject"] == "Li Na's statement"
    # When the client's personal data is erased
    engine.handler(ClientCommands).erase_personal_data(at(10), client, "Art. 17 request")
    engine.projector.catch_up()
    # Then the ticket's events, its row, comments and history read erased, now and rebuilt
    events: list[Any] = list(engine.store.events.get(theirs))
    assert (events[0].subject, events[0].description, events[1].body) == (ERASED,) * 3
    for _ in range(2):
        detail = view.get(engine.db, theirs)
        assert detail is not None
        assert (detail["subject"], detail["description"]) == (ERASED, ERASED)
        assert [c["body"] for c in detail["comments"]] == [ERASED]
        written = json.dumps(detail["history"])
        assert "Li Na" not in written
        other = view.get(engine.db, nobodys)
        assert other is not None
        assert other["subject"] == "Printer jam"
        engine.rebuild("tickets")


def test_erasure_frees_the_identity_number_for_a_new_registration(engine: Engine) -> None:
    # Given a client with a number, erased
    commands = engine.handler(ClientCommands)
    first = known_client(engine)
    with pytest.raises(DuplicateFound):
        commands.register(at(1), **client_fields(id_number=PERSONAL[1]))
    commands.erase_personal_data(at(2), first, "Art. 17 request")
    # When someone registers with the same number, then they may, once
    again = commands.register(at(3), **client_fields(id_number=PERSONAL[1]))
    assert again.version == 1
    with pytest.raises(DuplicateFound):
        commands.register(at(4), **client_fields(id_number=PERSONAL[1]))
    # And the claim records who held it, its release and who holds it now
    claim_id = commands.claim_id("client-id-number", PERSONAL[1])
    kinds = [type(e).__name__ for e in engine.store.events.get(claim_id)]
    assert kinds == ["Claimed", "Released", "Reclaimed"]
