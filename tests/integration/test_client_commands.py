"""Client commands on each store: every change command honours its Idempotency-Key (also
when a repeat would now be refused), records what it was given, and an erasure reports
what it did."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.shared.personal import KeyRing, Masters
from api.engine import Engine
from application.clients.commands import ClientCommands
from application.clients.risk import RiskCommands
from application.shared.common import CommandResult, Idempotency
from domain.clients.registry import Channel, Client
from domain.shared.base import Context
from domain.shared.errors import ConcurrentWrite
from tests.conftest import client_fields

Command = Callable[[Engine, Context, UUID, Idempotency], CommandResult]

COMMANDS: dict[str, Command] = {
    "contact": lambda e, c, i, k: e.handler(ClientCommands).update_contact(
        c, i, expected_version=1, idem=k, phone="+86 13900000000"
    ),
    "tier": lambda e, c, i, k: e.handler(ClientCommands).change_tier(c, i, "gold", "assets", k),
    "tags": lambda e, c, i, k: e.handler(ClientCommands).retag(c, i, ["retiree"], [], k),
    "interaction": lambda e, c, i, k: e.handler(ClientCommands).log_interaction(
        c, i, Channel.CALL, "x", None, k
    ),
    "feedback": lambda e, c, i, k: e.handler(ClientCommands).record_feedback(c, i, 4, "fine", k),
    "erasure": lambda e, c, i, k: e.handler(ClientCommands).erase_personal_data(c, i, "request", k),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_change_repeated_with_its_key_answers_as_first_and_records_once(
    engine: Engine, ctx: Context, name: str
) -> None:
    """README claim: idempotent writes, for every client command."""
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    key = Idempotency.of(f"{name}-1", "POST", f"/clients/{client}/{name}", b"{}")
    first = COMMANDS[name](engine, ctx, client, key)
    head = engine.store.head()
    # A repeat arrives after the client moved on: its If-Match is stale, it is erased...
    engine.handler(ClientCommands).change_tier(ctx, client, "platinum", "moved on")
    moved = engine.store.head()
    again = COMMANDS[name](engine, ctx, client, key)
    assert (again.id, again.version, again.position) == (first.id, first.version, first.position)
    assert first.position == head
    assert engine.store.head() == moved


def test_an_interaction_records_when_it_happened(engine: Engine, ctx: Context) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    earlier = ctx.at - timedelta(hours=3)
    engine.handler(ClientCommands).log_interaction(ctx, client, Channel.VISIT, "came by", earlier)
    last: Any = list(engine.store.events.get(client))[-1]
    assert isinstance(last, Client.InteractionLogged)
    assert (last.occurred_at, last.summary, last.channel) == (earlier, "came by", Channel.VISIT)


def test_an_erasure_reports_a_change_when_it_records_or_only_destroys_the_key(
    engine: Engine, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    # When the erasure's event is saved but the key survives (a crash in between)
    table: Any = engine.keyring.table
    destroy = table.destroy_key
    monkeypatch.setattr(table, "destroy_key", lambda *_: False)
    assert engine.handler(ClientCommands).erase_personal_data(ctx, client, "request").changed
    # Then a repeated erasure records nothing but destroys the key: a change
    monkeypatch.setattr(table, "destroy_key", destroy)
    repeated = engine.handler(ClientCommands).erase_personal_data(ctx, client, "request")
    assert repeated.changed
    assert (
        engine.handler(ClientCommands).erase_personal_data(ctx, client, "request").changed is False
    )


def test_a_repeated_assessment_answers_with_the_event_the_first_one_recorded(
    engine: Engine, ctx: Context
) -> None:
    """Commands that answer with what they recorded answer a repeat from the store."""
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    questionnaire = engine.handler(RiskCommands).questionnaire("2026-1")
    answers = {q.id: q.options[1].id for q in questionnaire.questions}
    key = Idempotency.of("assess-1", "POST", f"/clients/{client}/risk-assessments", b"{}")
    first = engine.handler(RiskCommands).assess(ctx, client, "2026-1", answers, key)
    head = engine.store.head()
    again = engine.handler(RiskCommands).assess(ctx, client, "2026-1", answers, key)
    assert again.result == first.result
    assert again.assessed == first.assessed
    assert again.assessed.originator_version == 1
    assert engine.store.head() == head


def test_lists_and_changes_in_stored_client_events_read_back_as_recorded(
    engine: Engine, ctx: Context
) -> None:
    """Unsealing opens every container of an event; plain values in them stay as they are."""
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    engine.handler(ClientCommands).retag(ctx, client, ["retiree", "vip"], [])
    engine.handler(ClientCommands).update_contact(
        ctx, client, expected_version=None, email="new@example.cn"
    )
    events: list[Any] = list(engine.store.events.get(client))
    assert (events[1].added, events[1].tags) == (["retiree", "vip"], ["retiree", "vip"])
    assert events[2].changes == {"email": "new@example.cn"}
    loaded: Any = engine.store.repository.get(client)
    assert (loaded.tags, loaded.email) == (["retiree", "vip"], "new@example.cn")


def test_a_key_ring_attached_to_no_store_knows_no_key() -> None:
    assert KeyRing(Masters(bytes(32))).lookup(uuid4()) == (False, None)


def test_two_identical_requests_racing_with_one_key_record_once_and_answer_alike(
    engine: Engine, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second finds no receipt yet, records, and meets the first one's at commit."""
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id
    key = Idempotency.of("tier-race", "POST", f"/clients/{client}/tier", b"{}")
    first = engine.handler(ClientCommands).change_tier(ctx, client, "gold", "assets", key)
    head = engine.store.head()
    real, calls = engine.handler(ClientCommands).replayed, []

    def not_yet(context: Context, idem: Idempotency | None) -> CommandResult | None:
        calls.append(idem)
        return None if len(calls) == 1 else real(context, idem)

    monkeypatch.setattr(engine.handler(ClientCommands), "replayed", not_yet)
    again = engine.handler(ClientCommands).change_tier(ctx, client, "platinum", "assets", key)
    assert (again.id, again.version, again.position) == (first.id, first.version, first.position)
    assert engine.store.head() == head
    assert calls == [key, key]


def test_a_change_lost_to_a_concurrent_one_is_refused_naming_the_record(
    engine: Engine, ctx: Context
) -> None:
    client = engine.handler(ClientCommands).register(ctx, **client_fields()).id

    def meanwhile(c: Client) -> None:
        engine.handler(ClientCommands).retag(
            ctx, client, ["retiree"], []
        )  # another command commits first
        c.change_tier(ctx, "gold", "assets", engine.handler(ClientCommands).policy)

    with pytest.raises(ConcurrentWrite) as refused:
        engine.handler(ClientCommands).update(ctx, Client, client, meanwhile, idem=None)
    assert refused.value.message == f"Client {client} was changed by another command"
