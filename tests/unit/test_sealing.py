"""Sealing personal fields: round trips, erasure by a destroyed key, and the bindings that
keep a sealed value from being moved, altered or mistaken for one."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import MapperDeserialisationError

from adapters.shared.personal import (
    KeyRing,
    Masters,
    PersonalDataErased,
    SealingMapper,
    UnknownMaster,
    _personal_value,
)
from adapters.shared.serialization import SEALED
from domain.clients.policies import ClientPolicy
from domain.clients.registry import Channel
from domain.shared.base import ERASED, Snapshot
from tests.unit.test_serialization import CTX, registered_client


class MemoryKeys:
    """A key table in memory: the unit under test is the sealing, not the database."""

    def __init__(self) -> None:
        self.keyring: KeyRing | None = None
        self.rows: dict[uuid.UUID, bytes | None] = {}

    def select_keys(self, subjects: list[uuid.UUID]) -> dict[uuid.UUID, bytes | None]:
        return {s: self.rows[s] for s in subjects if s in self.rows}

    def destroy_key(self, subject: uuid.UUID, _: datetime) -> bool:
        alive = self.rows.get(subject) is not None
        self.rows[subject] = None
        return alive

    def key_rows(self, after: uuid.UUID | None, limit: int) -> list[tuple[uuid.UUID, bytes]]:
        live = sorted(
            (s, k) for s, k in self.rows.items() if k is not None and (after is None or s > after)
        )
        return live[:limit]

    def replace_keys(self, rows: dict[uuid.UUID, bytes]) -> None:
        self.rows.update(rows)


MASTER = os.urandom(32)


def mapper() -> tuple[SealingMapper, MemoryKeys]:
    keys, ring = MemoryKeys(), KeyRing(Masters(MASTER))
    ring.attach(keys)
    return SealingMapper(ring), keys


def stored_with_keys(m: SealingMapper, keys: MemoryKeys, event: Any) -> Any:
    """Store as a recorder would: the new keys go in with the event."""
    stored = m.to_stored_event(event)
    keys.rows.update(m.keyring.for_storage(m.keyring.take_pending()))
    return stored


def test_personal_fields_are_sealed_and_the_rest_stays_readable() -> None:
    m, keys = mapper()
    client = registered_client()
    [event] = client.collect_events()
    stored = stored_with_keys(m, keys, event)
    state = orjson.loads(stored.state)
    # Then the personal values are sealed, each on its own, and nothing else is
    assert b"Li Na" not in stored.state
    assert b"110101199001011234" not in stored.state
    assert set(state["name"]) == {"$sealed"}
    assert (state["branch"], state["tier"], state["meta"]["actor"]) == ("BJ", "gold", "u-1")
    assert keys.rows.keys() == {client.id}
    # And loading opens them
    assert m.to_domain_event(stored) == event


def test_given_destroyed_key_then_sealed_values_read_erased_and_no_new_ones_are_sealed() -> None:
    m, keys = mapper()
    client = registered_client()
    client.update_contact(CTX, phone="+86 2")
    registered, changed = client.collect_events()
    stored = [stored_with_keys(m, keys, e) for e in (registered, changed)]
    snapshot = m.to_stored_event(Snapshot.take(client))
    assert b"+86 2" not in snapshot.state
    m.keyring.destroy(client.id, datetime.now(UTC))
    loaded = [m.to_domain_event(s) for s in stored]
    assert (loaded[0].name, loaded[0].id_number, loaded[0].tier) == (ERASED, ERASED, "gold")
    assert loaded[1].changes == {"phone": ERASED}
    assert m.to_domain_event(snapshot).state["phone"] == ERASED
    client.record_feedback(CTX, 5, "thanks")
    with pytest.raises(PersonalDataErased):
        m.to_stored_event(client.collect_events()[0])


def test_a_sealed_value_moved_to_another_client_or_altered_does_not_open() -> None:
    m, keys = mapper()
    first, second = registered_client(), registered_client()
    a = stored_with_keys(m, keys, first.collect_events()[0])
    b = stored_with_keys(m, keys, second.collect_events()[0])
    state_a, state_b = orjson.loads(a.state), orjson.loads(b.state)
    # A value of the first client's, in the second's event: bound to the first's id
    keys.rows[second.id] = keys.rows[first.id]  # even under the same key
    moved = {**state_b, "name": state_a["name"]}
    with pytest.raises(MapperDeserialisationError):
        m.to_domain_event(replace(b, state=orjson.dumps(moved)))
    sealed = state_a["name"]["$sealed"]
    altered = {
        **state_a,
        "name": {"$sealed": sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")},
    }
    with pytest.raises(MapperDeserialisationError):
        m.to_domain_event(replace(a, state=orjson.dumps(altered)))


def test_a_value_shaped_like_a_sealed_one_is_left_as_it_is_where_no_key_was_made() -> None:
    m, _ = mapper()
    holder = {"note": {"$sealed": "not a sealed value"}}
    m.unseal_state(uuid.uuid4(), holder)
    assert holder == {"note": {"$sealed": "not a sealed value"}}


def test_every_client_event_and_snapshot_round_trips_through_the_sealing_mapper() -> None:
    m, keys = mapper()
    client = registered_client()
    client.update_contact(CTX, name="Li Na-Na", address="b")
    client.log_interaction(CTX, Channel.CALL, "call", None, ClientPolicy())
    client.record_feedback(CTX, 3, "fine")
    for event in client.collect_events():
        assert m.to_domain_event(stored_with_keys(m, keys, event)) == event
    snapshot = Snapshot.take(client)
    assert m.to_domain_event(m.to_stored_event(snapshot)).state == snapshot.state


def test_every_string_of_a_value_is_sealed_whatever_its_shape_and_opened_back() -> None:
    subject, key = uuid.uuid4(), AESGCM.generate_key(bit_length=256)
    value = {"notes": ["first call", "second call"], "count": 2, "when": None}
    sealed = KeyRing.seal(value, AESGCM(key), subject)
    assert sealed["count"] == 2
    assert sealed["when"] is None
    assert all(set(item) == {SEALED} for item in sealed["notes"])
    assert b"call" not in orjson.dumps(sealed)
    assert OneKey(key).opener(subject).open(sealed) == value


class OneKey(KeyRing):
    """A key ring that holds one key for everyone."""

    def __init__(self, key: bytes) -> None:
        super().__init__(Masters(MASTER))
        self.key = key

    def lookup(self, subject: uuid.UUID) -> tuple[bool, bytes | None]:  # noqa: ARG002
        return True, self.key


@pytest.mark.parametrize(
    ("value", "personal"),
    [
        ("Lin Mei", True),
        (ERASED, False),
        (None, False),
        (3, False),
        ([ERASED, None], False),
        ([None, "a note"], True),
        ({"phone": ERASED}, False),
        ({"phone": "+86 137"}, True),
    ],
)
def test_a_value_is_personal_when_it_holds_a_string_other_than_erased(
    value: Any, personal: bool
) -> None:
    assert _personal_value(value) is personal


def test_keys_are_stored_wrapped_by_the_master_and_the_table_alone_opens_nothing() -> None:
    # Given a client's event stored with its new key
    m, keys = mapper()
    [event] = registered_client().collect_events()
    stored = stored_with_keys(m, keys, event)
    [(subject, kept)] = [(s, k) for s, k in keys.rows.items() if k is not None]
    # Then the key table holds the key wrapped, naming its master, not the key itself
    assert kept is not None
    assert kept.startswith(b"AW1")
    assert len(kept) == 3 + 8 + 12 + 32 + 16
    plain = Masters(MASTER).unwrap(subject, kept)
    assert len(plain) == 32
    # And with the tables alone (another master), the key cannot be unwrapped
    with pytest.raises(UnknownMaster):
        Masters(os.urandom(32)).unwrap(subject, kept)
    # And with the master, the event reads as it was
    assert m.to_domain_event(stored) == event


def test_a_new_master_rewraps_older_and_unwrapped_keys_and_reads_them_meanwhile() -> None:
    # Given keys wrapped by the old master and one stored before wrapping began
    m, keys = mapper()
    for _ in range(3):
        [event] = registered_client().collect_events()
        stored_with_keys(m, keys, event)
    legacy = uuid.uuid4()
    keys.rows[legacy] = os.urandom(32)
    before = {s: Masters(MASTER).unwrap(s, k) for s, k in keys.rows.items() if k}
    # When a ring with a new master (the old one still given) re-wraps
    new = os.urandom(32)
    ring = KeyRing(Masters(new, [MASTER]))
    ring.attach(keys)
    assert ring.rewrap(page=2) == 4
    assert ring.rewrap(page=2) == 0  # once
    # Then every key is wrapped by the new master alone, and is the same key
    only_new = Masters(new)
    assert all(only_new.current(k) for k in keys.rows.values() if k)
    assert {s: only_new.unwrap(s, k) for s, k in keys.rows.items() if k} == before
