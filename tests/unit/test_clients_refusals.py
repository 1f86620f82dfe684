"""Clients: every refusal in the words the API and the console show, and the rules at
their exact boundaries."""

from __future__ import annotations

import uuid
from datetime import timedelta

from domain.clients.registry import Channel, Client, ClientErased, InvestorType, NotProfessional
from domain.shared.errors import DomainError, InvalidField
from tests.unit.refusals import Command, Refusal, assert_refused, each_refusal
from tests.unit.test_clients_domain import CTX, NOW, POLICY, given_client

SKEW = timedelta(seconds=POLICY.max_future_skew_seconds)


def erased() -> Client:
    client = given_client()
    client.erase_personal_data(CTX, "written request")
    return client


def log_at(when: object) -> None:
    given_client().log_interaction(CTX, Channel.CALL, "x", when, POLICY)  # type: ignore[arg-type]


REFUSALS: list[Refusal] = [
    ("two unknown contact fields", lambda: given_client().update_contact(CTX, tier="x", age="9"),
     InvalidField, "age", "not a contact field"),
    ("an interaction without a time zone", lambda: log_at(NOW.replace(tzinfo=None)),
     InvalidField, "occurred_at", "must include a time zone"),
    ("an interaction past the allowed skew", lambda: log_at(NOW + SKEW + timedelta(seconds=1)),
     InvalidField, "occurred_at", "is in the future"),
    ("a rating of 0", lambda: given_client().record_feedback(CTX, 0, "x"), InvalidField,
     "rating", "must be between 1 and 5"),
    ("a rating of 6", lambda: given_client().record_feedback(CTX, 6, "x"), InvalidField,
     "rating", "must be between 1 and 5"),
    ("an ordinary investor exempted", lambda: given_client().record_exemption(CTX, "asked"),
     NotProfessional, None, "only professional investors can be exempted"),
    ("an erasure without a reason", lambda: given_client().erase_personal_data(CTX, "  "),
     InvalidField, "reason", "must not be empty"),
    ("contact data for an erased client", lambda: erased().update_contact(CTX, phone="1"),
     ClientErased, None, "the client's personal data was erased: nothing new is recorded"),
    ("an unknown tier", lambda: given_client().change_tier(CTX, "diamond", "x", POLICY),
     InvalidField, "tier", "must be one of standard, gold, platinum"),
    ("an empty tag to add", lambda: given_client().retag(CTX, [" "], [], POLICY), InvalidField,
     "add", "tags are 1 to 64 characters"),
    ("a long tag to remove", lambda: given_client().retag(CTX, [], ["x" * 65], POLICY),
     InvalidField, "remove", "tags are 1 to 64 characters"),
    ("a 51st tag", lambda: tagged(50).retag(CTX, ["one more"], [], POLICY), InvalidField, "add",
     "a client carries at most 50 tags"),
]  # fmt: skip


def tagged(count: int) -> Client:
    client = given_client()
    client.retag(CTX, [f"t{n}" for n in range(count)], [], POLICY)
    return client


@each_refusal(REFUSALS)
def test_each_refusal_names_its_field_and_says_why(
    command: Command, error: type[DomainError], field: str | None, message: str
) -> None:
    assert_refused(command, error, field, message)


def test_the_boundaries_of_ratings_tags_and_interaction_times_are_accepted() -> None:
    client = given_client()
    client.record_feedback(CTX, 1, "poor")
    client.record_feedback(CTX, 5, "great")
    client.retag(CTX, ["x" * 64], [], POLICY)
    client.retag(CTX, [f"t{n}" for n in range(49)], [], POLICY)
    client.log_interaction(CTX, Channel.CALL, "at the edge", NOW + SKEW, POLICY)
    kinds = [type(e).__name__ for e in client.collect_events()]
    assert kinds == [
        "FeedbackRecorded",
        "FeedbackRecorded",
        "Retagged",
        "Retagged",
        "InteractionLogged",
    ]


def test_an_assessment_recorded_on_the_client_names_it() -> None:
    client, assessment = given_client(), uuid.uuid4()
    client.record_assessment(CTX, assessment)
    [event] = client.collect_events()
    assert isinstance(event, Client.AssessmentRecorded)
    assert event.assessment_id == assessment


def test_an_exemption_is_recorded_once_with_its_reason() -> None:
    client = given_client(investor_type=InvestorType.PROFESSIONAL)
    client.record_exemption(CTX, "qualified investor, documents on file")
    client.record_exemption(CTX, "again")
    [event] = client.collect_events()
    assert isinstance(event, Client.SuitabilityExemptionRecorded)
    assert event.reason == "qualified investor, documents on file"
    assert client.exempt
