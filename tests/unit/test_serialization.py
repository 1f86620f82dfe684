"""Events through the one mapper: round trips, metadata, and a real upcast."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from adapters.shared.serialization import OrjsonTranscoder, PydanticMapper
from adapters.shared.topics import register_moved_topics
from domain.clients.policies import ClientPolicy
from domain.clients.registry import Client, InvestorType
from domain.shared.base import Context, EventMeta, Snapshot
from domain.shared.imports import FileImport, ImportKind

CTX = Context(
    actor="u-1",
    at=datetime(2026, 2, 1, 8, tzinfo=UTC),
    correlation_id="corr",
    causation_id="request:9",
)
MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())


def registered_client() -> Client:
    return Client.register(
        CTX,
        uuid.uuid4(),
        name="Li Na",
        id_number="110101199001011234",
        phone="+86 1",
        email="l@example.cn",
        address="a",
        branch="BJ",
        investor_type=InvestorType.ORDINARY,
        tier="gold",
        policy=ClientPolicy(),
    )


def test_given_an_event_when_stored_and_loaded_then_it_is_equal_with_its_metadata() -> None:
    client = registered_client()
    client.record_feedback(CTX, 4, "quick answer")
    for event in client.collect_events():
        loaded = MAPPER.to_domain_event(MAPPER.to_stored_event(event))
        assert loaded == event
        assert loaded.meta == EventMeta(
            actor="u-1", correlation_id="corr", causation_id="request:9"
        )


def test_given_a_version_3_event_when_stored_then_its_class_version_is_kept() -> None:
    client = registered_client()
    client.record_feedback(CTX, 5, "")
    stored = MAPPER.to_stored_event(client.collect_events()[-1])
    assert orjson.loads(stored.state)["class_version"] == 3


def test_given_a_version_1_feedback_when_loaded_then_score_is_upcast_to_rating() -> None:
    client_id = uuid.uuid4()
    v1_state = {
        "timestamp": "2024-05-01T10:00:00+00:00",
        "score": 3,
        "comment": "ok",
        "meta": {"actor": "u-0", "correlation_id": "old", "causation_id": None},
    }
    stored = StoredEvent(
        originator_id=client_id,
        originator_version=4,
        topic=get_topic(Client.FeedbackRecorded),
        state=orjson.dumps(v1_state),
    )
    event = MAPPER.to_domain_event(stored)
    assert isinstance(event, Client.FeedbackRecorded)
    assert (event.rating, event.topic) == (3, "other")  # v1 -> v2 -> v3
    assert event.originator_id == client_id


def test_given_an_aggregate_when_snapshot_taken_and_loaded_then_state_types_survive() -> None:
    client = registered_client()
    client.retag(CTX, ["vip"], [], ClientPolicy())
    snapshot = Snapshot.take(client)
    loaded = MAPPER.to_domain_event(MAPPER.to_stored_event(snapshot))
    restored = loaded.mutate(None)
    assert isinstance(restored, Client)
    assert restored.investor_type is InvestorType.ORDINARY
    assert restored.created_on == client.created_on
    assert (restored.tier, restored.tags, restored.version) == ("gold", ["vip"], 2)


def test_given_a_nav_import_stored_before_holdings_imports_when_loaded_then_it_is_a_nav_file() -> (
    None
):
    register_moved_topics()
    record_id = uuid.uuid4()
    v1_state = {
        "timestamp": "2026-10-01T10:00:00+00:00",
        "originator_topic": "domain.funds.imports:NavImport",
        "digest": "ab" * 32,
        "filename": "navs.csv",
        "rows": 12,
        "meta": {"actor": "u-0", "correlation_id": "old", "causation_id": None},
    }
    stored = StoredEvent(
        originator_id=record_id,
        originator_version=1,
        topic="domain.funds.imports:NavImport.Started",
        state=orjson.dumps(v1_state),
    )
    record = MAPPER.to_domain_event(stored).mutate(None)
    assert isinstance(record, FileImport)
    assert (record.kind, record.rows, record.completed) == (ImportKind.NAV, 12, False)
