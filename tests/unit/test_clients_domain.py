"""Given events, when a command, then events (or an error): the client aggregate."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.clients.policies import ClientPolicy
from domain.clients.registry import CONTACT_FIELDS, Channel, Client, ClientErased, InvestorType
from domain.shared.base import ERASED, Context
from domain.shared.errors import InvalidField

POLICY = ClientPolicy()
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CTX = Context(actor="advisor-1", at=NOW, correlation_id="corr-1", causation_id="request:1")


def given_client(**overrides: object) -> Client:
    fields: dict[str, object] = {
        "name": "Chen Jing",
        "id_number": "310101198805061234",
        "phone": "+86 138",
        "email": "c@example.cn",
        "address": "88 Century Avenue",
        "branch": "SH-LUJIAZUI",
        "investor_type": InvestorType.ORDINARY,
        "tier": None,
        "policy": POLICY,
    }
    fields.update(overrides)
    client = Client.register(CTX, uuid.uuid4(), **fields)  # type: ignore[arg-type]
    client.collect_events()
    return client


def test_when_registered_then_one_event_with_actor_time_and_default_tier() -> None:
    client = Client.register(
        CTX,
        uuid.uuid4(),
        name="Chen Jing",
        id_number=" 31010119880506123x ",
        phone="+86 138",
        email="c@example.cn",
        address="a",
        branch="SH",
        investor_type=InvestorType.PROFESSIONAL,
        tier=None,
        policy=POLICY,
    )
    [event] = client.collect_events()
    assert isinstance(event, Client.Registered)
    assert event.tier == "standard"
    assert event.id_number == "31010119880506123X"
    assert event.meta.actor == "advisor-1"
    assert event.meta.correlation_id == "corr-1"
    assert event.timestamp == NOW
    assert client.version == 1


def test_when_registered_with_unknown_tier_then_invalid_tier() -> None:
    with pytest.raises(InvalidField) as err:
        given_client(tier="diamond")
    assert err.value.field == "tier"


def test_given_client_when_tier_changed_then_tier_changed_with_previous() -> None:
    client = given_client()
    client.change_tier(CTX, "gold", "assets above 1M", POLICY)
    [event] = client.collect_events()
    assert isinstance(event, Client.TierChanged)
    assert (event.previous_tier, event.tier, event.reason) == (
        "standard",
        "gold",
        "assets above 1M",
    )
    assert client.tier == "gold"


def test_given_gold_client_when_tier_set_to_gold_then_nothing_recorded() -> None:
    client = given_client(tier="gold")
    client.change_tier(CTX, "gold", "again", POLICY)
    assert client.collect_events() == []


def test_given_client_when_contact_updated_then_only_real_changes_recorded() -> None:
    client = given_client()
    client.update_contact(CTX, phone="+86 139", email="c@example.cn", name=None)
    [event] = client.collect_events()
    assert isinstance(event, Client.ContactDetailsChanged)
    assert event.changes == {"phone": "+86 139"}


def test_given_tagged_client_when_retagged_then_added_and_removed_listed() -> None:
    client = given_client()
    client.retag(CTX, ["VIP", "retiree"], [], POLICY)
    client.retag(CTX, ["dividend"], ["vip", "absent"], POLICY)
    events = client.collect_events()
    assert isinstance(events[1], Client.Retagged)
    assert events[1].added == ["dividend"]
    assert events[1].removed == ["vip"]
    assert client.tags == ["dividend", "retiree"]


def test_when_retagged_with_same_tag_added_and_removed_then_refused() -> None:
    client = given_client()
    with pytest.raises(InvalidField) as err:
        client.retag(CTX, ["vip"], ["VIP"], POLICY)
    assert err.value.field == "remove"


def test_when_interaction_in_the_future_then_refused() -> None:
    client = given_client()
    with pytest.raises(InvalidField) as err:
        client.log_interaction(CTX, Channel.CALL, "call", NOW + timedelta(hours=1), POLICY)
    assert err.value.field == "occurred_at"


def test_when_interaction_without_time_then_it_happened_now() -> None:
    client = given_client()
    client.log_interaction(CTX, Channel.VISIT, "visited branch", None, POLICY)
    [event] = client.collect_events()
    assert isinstance(event, Client.InteractionLogged)
    assert event.occurred_at == NOW


@pytest.mark.parametrize("rating", [0, 6])
def test_when_feedback_out_of_range_then_refused(rating: int) -> None:
    client = given_client()
    with pytest.raises(InvalidField) as err:
        client.record_feedback(CTX, rating, "x")
    assert err.value.field == "rating"


def test_when_erased_then_personal_data_erased_recorded_with_reason_and_fields_erased() -> None:
    client = given_client()
    client.erase_personal_data(CTX, "written request")
    [event] = client.collect_events()
    assert isinstance(event, Client.PersonalDataErased)
    assert event.reason == "written request"
    assert event.meta.actor == "advisor-1"
    assert client.erased
    assert {client.name, client.phone, client.email, client.address} == {ERASED}
    assert (client.branch, client.tier) == ("SH-LUJIAZUI", "standard")


def test_given_erased_client_when_erased_again_then_nothing_recorded() -> None:
    client = given_client()
    client.erase_personal_data(CTX, "request")
    client.collect_events()
    client.erase_personal_data(CTX, "again")
    assert client.collect_events() == []


def test_when_erased_without_reason_then_refused() -> None:
    with pytest.raises(InvalidField) as err:
        given_client().erase_personal_data(CTX, "  ")
    assert err.value.field == "reason"


def test_given_erased_client_when_anything_personal_or_new_then_refused() -> None:
    client = given_client()
    client.erase_personal_data(CTX, "request")
    client.collect_events()
    commands: list[Callable[[], None]] = [
        lambda: client.update_contact(CTX, phone="+86 139"),
        lambda: client.log_interaction(CTX, Channel.CALL, "call", None, POLICY),
        lambda: client.record_feedback(CTX, 4, "good"),
        lambda: client.record_assessment(CTX, uuid.uuid4()),
    ]
    for command in commands:
        with pytest.raises(ClientErased):
            command()
    assert client.collect_events() == []


def test_personal_fields_are_declared_on_every_client_event_that_carries_them() -> None:
    # The mapper seals exactly these: a new personal field must be declared to be sealed.
    assert set(Client.Registered.personal_fields) == {*CONTACT_FIELDS, "id_number"}
    assert Client.ContactDetailsChanged.personal_fields == ("changes",)
    assert Client.InteractionLogged.personal_fields == ("summary",)
    assert Client.FeedbackRecorded.personal_fields == ("comment",)
    assert set(Client.personal_fields) <= set(Client.State.model_fields)
