"""Application commands on each store: whole commands or nothing, idempotency, versions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from adapters.shared.eventstore import latest_of
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.shared.common import Idempotency, IdempotencyKeyReused
from application.staff.commands import StaffCommands
from domain.clients.registry import ID_NUMBER_KEY, Channel, Client
from domain.shared.base import Context
from domain.shared.errors import DuplicateFound, NotAuthenticated, NotFound, StaleVersion
from domain.shared.keys import unique_key_id
from domain.staff.users import Role
from tests.conftest import client_fields


def events_of(engine: Engine, aggregate_id: uuid.UUID) -> list[Any]:
    return list(engine.store.events.get(aggregate_id))


def test_when_client_registered_then_client_and_id_number_claim_stored_together(
    engine: Engine, ctx: Context
) -> None:
    result = engine.handler(ClientCommands).register(
        ctx, **client_fields(id_number="310101198805061234")
    )
    assert result.version == 1
    assert result.position == engine.store.head()
    keyed = engine.handler(ClientCommands).claim_id(ID_NUMBER_KEY, "310101198805061234")
    claim = events_of(engine, keyed)
    # The claim's id is keyed: the plain digest of the number names nothing in the store
    assert events_of(engine, unique_key_id(ID_NUMBER_KEY, "310101198805061234")) == []
    assert claim[0].owner_id == result.id
    assert events_of(engine, result.id)[0].meta.actor == ctx.actor


def test_given_registered_id_number_when_registered_again_then_duplicate_and_nothing_written(
    engine: Engine, ctx: Context
) -> None:
    engine.handler(ClientCommands).register(ctx, **client_fields(id_number="310101198805061234"))
    head = engine.store.head()
    with pytest.raises(DuplicateFound) as refused:
        engine.handler(ClientCommands).register(
            ctx, **client_fields(id_number="310101198805061234")
        )
    assert refused.value.message == "a client with this id_number is registered"
    assert engine.store.head() == head
    assert len(engine.store.recorder.select_notifications(1, 100)) == head


def test_given_key_used_when_same_command_sent_again_then_first_answer_and_no_new_event(
    engine: Engine, ctx: Context
) -> None:
    fields = client_fields()
    idem = Idempotency.of("key-1", "POST", "/clients", repr(fields))
    first = engine.handler(ClientCommands).register(ctx, **fields, idem=idem)
    head = engine.store.head()
    again = engine.handler(ClientCommands).register(ctx, **fields, idem=idem)
    assert again == first
    assert engine.store.head() == head


def test_given_key_used_when_other_body_sent_then_key_reused_error(
    engine: Engine, ctx: Context
) -> None:
    engine.handler(ClientCommands).register(ctx, **client_fields(), idem=Idempotency.of("k", "a"))
    with pytest.raises(IdempotencyKeyReused):
        engine.handler(ClientCommands).register(
            ctx, **client_fields(), idem=Idempotency.of("k", "b")
        )


def test_given_same_key_from_two_users_then_both_commands_run(engine: Engine, ctx: Context) -> None:
    other = Context(actor="someone-else", at=ctx.at, correlation_id="c")
    a = engine.handler(ClientCommands).register(
        ctx, **client_fields(), idem=Idempotency.of("k", "a")
    )
    b = engine.handler(ClientCommands).register(
        other, **client_fields(), idem=Idempotency.of("k", "a")
    )
    assert a.id != b.id


def test_given_client_at_version_2_when_patched_with_version_1_then_stale(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    engine.handler(ClientCommands).change_tier(ctx, client.id, "gold", "assets")
    with pytest.raises(StaleVersion):
        engine.handler(ClientCommands).update_contact(
            ctx, client.id, expected_version=1, phone="+86 139"
        )
    result = engine.handler(ClientCommands).update_contact(
        ctx, client.id, expected_version=2, phone="+86 139"
    )
    assert result.version == 3


def test_when_nothing_changes_then_no_event_and_current_version(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields(tier="gold"))
    head = engine.store.head()
    result = engine.handler(ClientCommands).change_tier(ctx, client.id, "gold", "same")
    assert (result.version, result.position, engine.store.head()) == (1, head, head)


def test_when_unknown_client_then_not_found(engine: Engine, ctx: Context) -> None:
    with pytest.raises(NotFound):
        engine.handler(ClientCommands).change_tier(ctx, uuid.uuid4(), "gold", "x")


def test_when_id_of_another_aggregate_type_then_not_found(engine: Engine, ctx: Context) -> None:
    user = engine.handler(StaffCommands).add_user(
        ctx, "agent.zhao", Role.AGENT, "correct horse battery"
    )
    with pytest.raises(NotFound):
        engine.handler(ClientCommands).change_tier(ctx, user.id, "gold", "x")


def test_given_many_events_when_loaded_then_snapshot_gives_same_state_as_replay(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    for n in range(120):
        engine.handler(ClientCommands).log_interaction(
            ctx, client.id, Channel.CALL, f"call {n}", None
        )
    engine.handler(ClientCommands).retag(ctx, client.id, ["vip"], [])
    assert engine.store.snapshots is not None
    snapshots = list(engine.store.snapshots.get(client.id))
    assert [s.originator_version for s in snapshots] == [50, 100]
    with_snapshot: Any = engine.store.repository.get(client.id)
    replayed = _replay(None, engine.store.events.get(client.id))
    assert with_snapshot.version == replayed.version == 122
    assert vars(with_snapshot) == vars(replayed)
    # On PostgreSQL the snapshot and the events after it come in one query.
    found = latest_of(engine.store.recorder, engine.store.snapshots.recorder, client.id)
    if engine.settings.is_postgres:
        assert found is not None
        snapshot, after = found
        assert snapshot is not None
        assert snapshot.originator_version == 100
        assert [e.originator_version for e in after] == list(range(101, 123))
        assert latest_of(engine.store.recorder, engine.store.snapshots.recorder, uuid.uuid4()) == (
            None,
            [],
        )
    else:
        assert found is None  # SQLite reads in process: the library's two reads


def _replay(aggregate: Any, events: Any) -> Any:
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def test_given_a_stored_version_1_event_when_client_loaded_then_it_is_upcast(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields())
    v1 = StoredEvent(
        originator_id=client.id,
        originator_version=2,
        topic=get_topic(Client.FeedbackRecorded),
        state=b'{"timestamp":"2025-01-01T00:00:00+00:00","score":2,"comment":"slow",'
        b'"meta":{"actor":"legacy","correlation_id":"import","causation_id":null}}',
    )
    engine.store.recorder.insert_events([v1])
    [event] = list(engine.store.events.get(client.id, gt=1))
    assert isinstance(event, Client.FeedbackRecorded)
    assert event.rating == 2
    assert engine.store.repository.get(client.id).version == 2


def test_given_user_when_authenticating_then_password_and_enabled_checked(
    engine: Engine, ctx: Context
) -> None:
    user = engine.handler(StaffCommands).add_user(
        ctx, "Advisor.Li", Role.ADVISOR, "correct horse battery"
    )
    assert (
        engine.handler(StaffCommands).authenticate(ctx, "advisor.li", "correct horse battery").id
        == user.id
    )
    with pytest.raises(NotAuthenticated):
        engine.handler(StaffCommands).authenticate(ctx, "advisor.li", "wrong password!!")
    engine.handler(StaffCommands).disable(ctx, user.id, "on leave")
    with pytest.raises(NotAuthenticated):
        engine.handler(StaffCommands).authenticate(ctx, "advisor.li", "correct horse battery")


def test_given_username_taken_when_added_again_then_duplicate(engine: Engine, ctx: Context) -> None:
    engine.handler(StaffCommands).add_user(ctx, "agent.sun", Role.AGENT, "correct horse battery")
    with pytest.raises(DuplicateFound):
        engine.handler(StaffCommands).add_user(
            ctx, "AGENT.SUN", Role.ADMIN, "correct horse battery"
        )
