"""Tickets: every transition, the pause rule, reopen window, breaches, merge, rating."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from domain.service_desk.numbers import TicketNumbers
from domain.service_desk.sla import Priority, SlaPolicy
from domain.service_desk.tickets import WORKS_TICKETS, Assignee, Ticket
from domain.service_desk.workflow import (
    ALLOWED,
    IllegalTransition,
    Status,
    TicketChannel,
    TicketRuleBroken,
    TicketType,
)
from domain.shared.base import Context
from domain.shared.errors import InvalidField
from domain.staff import Role

POLICY = SlaPolicy()
T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)


def at(hours: float) -> Context:
    return Context(actor="agent", at=T0 + timedelta(hours=hours), correlation_id="c")


def given_ticket(priority: Priority = Priority.P3) -> Ticket:
    ticket = Ticket.open(
        at(0),
        uuid.uuid4(),
        "T-2026-000001",
        client_id=None,
        branch="SH",
        type=TicketType.INQUIRY,
        priority=priority,
        channel=TicketChannel.PHONE,
        subject="s",
        description="d",
        policy=POLICY,
    )
    ticket.collect_events()
    return ticket


def moved(*path: Status) -> Ticket:
    ticket = given_ticket()
    for n, status in enumerate(path, start=1):
        ticket.transition(at(n), status, None)
    return ticket


PATHS = {
    Status.NEW: (),
    Status.IN_PROGRESS: (Status.IN_PROGRESS,),
    Status.PENDING_CLIENT: (Status.IN_PROGRESS, Status.PENDING_CLIENT),
    Status.RESOLVED: (Status.IN_PROGRESS, Status.RESOLVED),
    Status.CLOSED: (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED),
}


@pytest.mark.parametrize(("start", "to"), [(a, b) for a in Status for b in Status])
def test_every_transition(start: Status, to: Status) -> None:
    ticket = moved(*PATHS[start])
    assert ticket.status is start
    if to in ALLOWED[start]:
        ticket.transition(at(9), to, "ok")
        assert ticket.status is to
    else:
        with pytest.raises(IllegalTransition) as err:
            ticket.transition(at(9), to, None)
        assert f"a {start.value} ticket cannot move to {to.value}" in err.value.message


def test_when_opened_then_due_times_follow_the_priority() -> None:
    ticket = Ticket.open(
        at(0),
        uuid.uuid4(),
        "T-2026-000009",
        client_id=None,
        branch=None,
        type=TicketType.FAULT,
        priority=Priority.P1,
        channel=TicketChannel.ONLINE,
        subject="s",
        description="d",
        policy=POLICY,
    )
    [opened] = ticket.collect_events()
    assert isinstance(opened, Ticket.Opened)
    assert opened.first_response_due_at == T0 + timedelta(hours=1)
    assert opened.resolution_due_at == T0 + timedelta(hours=8)
    assert opened.group == "client_centre"


def test_time_waiting_for_the_client_does_not_count() -> None:
    ticket = moved(Status.IN_PROGRESS, Status.PENDING_CLIENT)  # pending from hour 2
    ticket.transition(at(12), Status.IN_PROGRESS, "client answered")
    clock = ticket.clock("resolution", POLICY, T0 + timedelta(hours=20))
    assert clock.consumed_seconds == (20 - 10) * 3600
    assert clock.due_at == T0 + timedelta(hours=72 + 10)
    paused = moved(Status.IN_PROGRESS, Status.PENDING_CLIENT).clock(
        "resolution", POLICY, T0 + timedelta(hours=30)
    )
    assert paused.due_at is None
    assert paused.consumed_seconds == 2 * 3600


def test_only_a_public_comment_is_the_first_response() -> None:
    ticket = given_ticket()
    ticket.comment(at(1), uuid.uuid4(), "internal note", public=False)
    assert ticket.first_responded_at is None
    ticket.comment(at(2), uuid.uuid4(), "Dear client", public=True)
    ticket.comment(at(3), uuid.uuid4(), "again", public=True)
    assert ticket.first_responded_at == T0 + timedelta(hours=2)
    assert ticket.clock("first_response", POLICY, T0 + timedelta(hours=50)).state == "met"


def test_reopen_works_for_resolved_and_within_the_window_for_closed() -> None:
    resolved = moved(Status.IN_PROGRESS, Status.RESOLVED)  # resolved at hour 2
    resolved.reopen(at(30), "not fixed", POLICY)
    assert resolved.status is Status.IN_PROGRESS
    assert (
        resolved.clock("resolution", POLICY, T0 + timedelta(hours=31)).consumed_seconds
        == (31 - 28) * 3600
    )  # the 28 hours it sat resolved do not count
    closed = moved(Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)  # closed at hour 3
    closed.reopen(at(3 + 24 * 14), "again", POLICY)
    too_late = moved(Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)
    with pytest.raises(TicketRuleBroken, match="14 days"):
        too_late.reopen(at(3 + 24 * 14 + 1), "late", POLICY)
    with pytest.raises(TicketRuleBroken):
        given_ticket().reopen(at(1), "open already", POLICY)


def test_a_priority_change_recomputes_the_due_times_from_creation() -> None:
    ticket = given_ticket(Priority.P4)
    ticket.change_priority(at(2), Priority.P2, "VIP client", POLICY)
    [event] = ticket.collect_events()
    assert isinstance(event, Ticket.PriorityChanged)
    assert event.resolution_due_at == T0 + timedelta(hours=24)
    assert event.first_response_due_at == T0 + timedelta(hours=4)


def test_escalation_climbs_the_layers_and_stops_at_headquarters() -> None:
    ticket = given_ticket()
    ticket.escalate(at(1), "complex")
    ticket.escalate(at(2), "still complex")
    assert ticket.group == "headquarters"
    with pytest.raises(TicketRuleBroken):
        ticket.escalate(at(3), "again")


def test_a_breach_is_recorded_once_per_kind_and_escalates() -> None:
    ticket = given_ticket(Priority.P1)
    assert not ticket.record_breach(at(0.5), "first_response", POLICY)
    assert ticket.record_breach(at(2), "first_response", POLICY)
    assert not ticket.record_breach(at(3), "first_response", POLICY)
    events = ticket.collect_events()
    assert [type(e).__name__ for e in events] == ["BreachRecorded", "Escalated"]
    assert isinstance(events[0], Ticket.BreachRecorded)
    assert events[0].due_at == T0 + timedelta(hours=1)
    assert ticket.group == "branch"
    with pytest.raises(InvalidField):
        ticket.record_breach(at(3), "lunch", POLICY)


def test_merge_closes_the_source_and_marks_the_target() -> None:
    source, target = given_ticket(), given_ticket()
    source.merge_into(at(1), target)
    assert (source.status, source.merged_into) == (Status.CLOSED, target.id)
    assert isinstance(target.collect_events()[0], Ticket.MergeReceived)
    with pytest.raises(InvalidField):
        target.merge_into(at(2), target)
    with pytest.raises(TicketRuleBroken):
        given_ticket().merge_into(at(2), source)
    with pytest.raises(TicketRuleBroken):
        source.reopen(at(2), "merged", POLICY)


def test_satisfaction_is_rated_once_after_resolution() -> None:
    with pytest.raises(TicketRuleBroken):
        given_ticket().rate(at(1), 5, None)
    ticket = moved(Status.IN_PROGRESS, Status.RESOLVED)
    ticket.rate(at(3), 4, "quick")
    with pytest.raises(TicketRuleBroken):
        ticket.rate(at(4), 5, None)


def test_numbers_run_in_sequence_per_year() -> None:
    numbers = TicketNumbers.start(at(0), 2026)
    assert [numbers.issue(at(0)) for _ in range(3)] == [
        "T-2026-000001",
        "T-2026-000002",
        "T-2026-000003",
    ]


@pytest.mark.parametrize("role", sorted(WORKS_TICKETS))
def test_a_ticket_goes_to_an_enabled_account_of_a_role_that_works_tickets(role: Role) -> None:
    # Given an open ticket and an enabled account of a desk role
    ticket = given_ticket()
    someone = Assignee(id=uuid.uuid4(), role=role, enabled=True)
    # When it is assigned, then it records the account's id, once
    ticket.assign(at(1), someone, None)
    ticket.assign(at(2), someone, None)
    assigned = [e for e in ticket.collect_events() if isinstance(e, Ticket.Assigned)]
    assert [e.assignee for e in assigned] == [str(someone.id)]
    assert ticket.assignee == str(someone.id)
    # And no assignee gives it back to its group
    ticket.assign(at(3), None, None)
    assert ticket.assignee is None


@pytest.mark.parametrize("role", sorted(set(Role) - WORKS_TICKETS))
def test_an_account_that_does_not_work_tickets_is_refused(role: Role) -> None:
    ticket = given_ticket()
    with pytest.raises(InvalidField) as refused:
        ticket.assign(at(1), Assignee(id=uuid.uuid4(), role=role, enabled=True), None)
    assert refused.value.field == "assignee"
    assert ticket.assignee is None


def test_a_disabled_account_is_refused() -> None:
    ticket = given_ticket()
    with pytest.raises(InvalidField) as refused:
        ticket.assign(at(1), Assignee(id=uuid.uuid4(), role=Role.AGENT, enabled=False), None)
    assert (refused.value.field, refused.value.reason) == ("assignee", "this account is disabled")


def _attempt(name: str, action: str) -> bool:
    """Whether ``action`` succeeds on a fresh ticket in the named state (a refusal is
    False)."""
    copy, when = _states()[name]
    other = given_ticket()
    agent = Assignee(id=uuid.uuid4(), role=Role.AGENT, enabled=True)
    run: dict[str, Callable[[], object]] = {
        "comment": lambda: copy.comment(when, uuid.uuid4(), "b", True),
        "assign": lambda: copy.assign(when, agent, None),
        "priority": lambda: copy.change_priority(when, Priority.P1, "r", POLICY),
        "escalate": lambda: copy.escalate(when, "r"),
        "merge": lambda: copy.merge_into(when, other),
        "reopen": lambda: copy.reopen(when, "r", POLICY),
        "rate": lambda: copy.rate(when, 4, None),
        **{s.value: partial(copy.transition, when, s, None) for s in Status},
    }
    try:
        run[action]()
    except (IllegalTransition, TicketRuleBroken, InvalidField):
        return False
    return True


def _states() -> dict[str, tuple[Ticket, Context]]:
    """Tickets in every state a page meets, each with the moment it is looked at."""
    states = {name.value: (moved(*path), at(10)) for name, path in PATHS.items()}
    old, _ = states[Status.CLOSED.value]
    states["closed long ago"] = (old, at(24 * (POLICY.reopen_days + 2)))
    rated = moved(Status.IN_PROGRESS, Status.RESOLVED)
    rated.rate(at(5), 5, None)
    states["rated"] = (rated, at(10))
    merged = given_ticket()
    merged.merge_into(at(1), given_ticket())
    states["merged"] = (merged, at(10))
    top = given_ticket()
    top.escalate(at(1), "r")
    top.escalate(at(2), "r")
    states["at headquarters"] = (top, at(10))
    return states


@pytest.mark.parametrize("name", list(_states()))
def test_given_a_ticket_then_it_offers_exactly_what_its_commands_accept(name: str) -> None:
    ticket, when = _states()[name]
    offered = ticket.offers(POLICY, when.at)
    actions = ["comment", "assign", "priority", "escalate", "merge", "reopen", "rate"]
    actions += [s.value for s in Status if s is not Status.NEW]
    accepted = {a for a in actions if _attempt(name, a)}
    assert offered == accepted
