"""Service by tier (客户体系建设方案, 第四步): a client's tier sets the layer where their
tickets open and the budgets of both SLA clocks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.service_desk.sla import Priority, SlaPolicy, TierService
from domain.service_desk.tickets import Ticket
from domain.service_desk.workflow import TicketChannel, TicketType
from domain.shared.base import Context

POLICY = SlaPolicy()
T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)


def opened(
    tier: str | None, priority: Priority = Priority.P2, policy: SlaPolicy = POLICY
) -> Ticket:
    return Ticket.open(
        Context(actor="agent", at=T0, correlation_id="c"),
        uuid.uuid4(),
        "T-2026-000001",
        client_id=uuid.uuid4(),
        branch="SH",
        type=TicketType.INQUIRY,
        priority=priority,
        channel=TicketChannel.PHONE,
        subject="s",
        description="d",
        policy=POLICY,
        tier=tier,
    )


@pytest.mark.parametrize(
    ("tier", "layer", "first", "resolution"),
    [
        ("standard", "client_centre", 4, 24),
        ("gold", "branch", 3, 18),
        ("platinum", "headquarters", 2, 12),
        (None, "client_centre", 4, 24),  # no client: served as standard
        ("diamond", "client_centre", 4, 24),  # a tier the policy does not name
    ],
)
def test_a_ticket_opens_at_its_tiers_layer_with_its_tiers_budgets(
    tier: str | None, layer: str, first: float, resolution: float
) -> None:
    # Given the default policy, when a P2 ticket opens for a client of the tier
    ticket = opened(tier)
    # Then it is with the tier's layer, and both clocks run on the tier's budgets
    assert ticket.group == layer
    assert ticket.tier == tier
    event = ticket.pending_events[0]
    assert isinstance(event, Ticket.Opened)
    assert event.first_response_due_at == T0 + timedelta(hours=first)
    assert event.resolution_due_at == T0 + timedelta(hours=resolution)
    clocks = ticket.clocks(POLICY, T0)
    assert clocks["first_response"].budget_seconds == first * 3600
    assert clocks["resolution"].budget_seconds == resolution * 3600


def test_platinum_tickets_are_faster_at_every_priority() -> None:
    # Given the default matrix, then for every priority and both clocks
    for priority in Priority:
        for kind in ("first_response", "resolution"):
            standard = POLICY.budget(kind, priority, "standard")
            gold = POLICY.budget(kind, priority, "gold")
            platinum = POLICY.budget(kind, priority, "platinum")
            # platinum is faster than gold, which is faster than standard
            assert platinum < gold < standard, (kind, priority)


def test_a_tier_may_keep_some_standard_budgets() -> None:
    # Given a tier that only shortens P1's first response
    policy = SlaPolicy(
        tiers={"gold": TierService(layer="branch", first_response_hours={Priority.P1: 0.25})}
    )
    # Then P1's first response is its own, and everything else is standard
    assert policy.budget("first_response", Priority.P1, "gold") == timedelta(minutes=15)
    assert policy.budget("resolution", Priority.P1, "gold") == timedelta(hours=8)
    assert policy.budget("first_response", Priority.P4, "gold") == timedelta(hours=24)


def test_a_priority_change_keeps_the_tiers_budgets() -> None:
    # Given a platinum P2 ticket
    ticket = opened("platinum")
    ticket.collect_events()
    # When it is raised to P1 an hour later
    ticket.change_priority(
        Context(actor="agent", at=T0 + timedelta(hours=1), correlation_id="c"),
        Priority.P1,
        "urgent",
        POLICY,
    )
    # Then the due times are platinum P1's, counted from creation
    event = ticket.pending_events[0]
    assert isinstance(event, Ticket.PriorityChanged)
    assert event.first_response_due_at == T0 + timedelta(minutes=30)
    assert event.resolution_due_at == T0 + timedelta(hours=4)


def test_a_tiers_layer_must_be_a_service_layer() -> None:
    # When a policy names a layer that does not exist, then it is refused at start-up
    with pytest.raises(ValidationError, match="layer"):
        SlaPolicy.model_validate({"tiers": {"gold": {"layer": "regional_office"}}})


def test_a_ticket_opened_before_tiers_reads_as_standard() -> None:
    # Given an Opened event stored without a tier (written before service by tier)
    ticket = opened("standard")
    event = ticket.pending_events[0]
    stored = event.model_dump()
    del stored["tier"]
    old = Ticket.Opened.model_validate(stored)
    # Then it opens a standard ticket
    assert old.tier is None
    replayed = Ticket.Opened.mutate(old, None)
    assert replayed is not None
    assert replayed.tier is None
    assert replayed.clocks(POLICY, T0)["resolution"].budget_seconds == 24 * 3600
