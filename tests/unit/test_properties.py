"""Property tests: tag rules over any sequence of changes, and replay giving the same state."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.shared.serialization import OrjsonTranscoder, PydanticMapper
from domain.clients.policies import ClientPolicy
from domain.clients.registry import Channel, Client, InvestorType
from domain.shared.base import Context
from domain.shared.errors import InvalidField

CTX = Context(actor="advisor", at=datetime(2026, 5, 1, tzinfo=UTC), correlation_id="p")
POLICY = ClientPolicy()
MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())
TAG = st.sampled_from(["vip", "VIP ", "retiree", "dividend", "new", "family"])
COMMAND = st.one_of(
    st.tuples(st.just("retag"), st.lists(TAG, max_size=3), st.lists(TAG, max_size=3)),
    st.tuples(st.just("tier"), st.sampled_from(POLICY.tiers), st.just("review")),
    st.tuples(st.just("contact"), st.sampled_from(["+86 1", "+86 2"]), st.just("")),
    st.tuples(st.just("feedback"), st.integers(1, 5), st.text(max_size=5)),
    st.tuples(st.just("call"), st.text(min_size=1, max_size=5), st.just("")),
)


def new_client() -> Client:
    return Client.register(
        CTX,
        uuid.uuid4(),
        name="P",
        id_number="123456",
        phone="+86 0",
        email="p@e.cn",
        address="a",
        branch="b",
        investor_type=InvestorType.ORDINARY,
        tier=None,
        policy=POLICY,
    )


def run(client: Client, command: tuple[Any, Any, Any]) -> None:
    kind, a, b = command
    if kind == "retag":
        client.retag(CTX, a, b, POLICY)
    elif kind == "tier":
        client.change_tier(CTX, a, b, POLICY)
    elif kind == "contact":
        client.update_contact(CTX, phone=a)
    elif kind == "feedback":
        client.record_feedback(CTX, a, b)
    else:
        client.log_interaction(CTX, Channel.CALL, a, None, POLICY)


@given(st.lists(st.tuples(st.lists(TAG, max_size=4), st.lists(TAG, max_size=4)), max_size=8))
def test_tags_behave_as_a_set_of_normalised_names(
    changes: list[tuple[list[str], list[str]]],
) -> None:
    client = new_client()
    expected: set[str] = set()
    for add, remove in changes:
        adds = {t.strip().lower() for t in add}
        removes = {t.strip().lower() for t in remove}
        try:
            client.retag(CTX, add, remove, POLICY)
        except InvalidField:
            assert adds & removes
            continue
        expected = (expected | adds) - removes
        assert client.tags == sorted(expected)


@given(st.lists(COMMAND, max_size=15))
def test_replaying_the_stored_events_gives_the_same_client(commands: list[Any]) -> None:
    client = new_client()
    for command in commands:
        with contextlib.suppress(InvalidField):
            run(client, command)
    events = [MAPPER.to_domain_event(MAPPER.to_stored_event(e)) for e in client.collect_events()]
    replayed: Any = None
    for event in events:
        replayed = event.mutate(replayed)
    assert vars(replayed) == {**vars(client), "_pending_events": []}
