"""Demo service desk: a year of tickets with realistic handling, saved in bulk."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from application.shared.store import Store
from domain.service_desk import (
    Priority,
    SlaPolicy,
    Status,
    Ticket,
    TicketChannel,
    TicketNumbers,
    TicketType,
    numbers_id,
)
from domain.shared.base import Aggregate, Context

SUBJECTS = {
    TicketType.INQUIRY: [
        "Question about fund fees",
        "How to change my bank card",
        "When is the dividend paid",
    ],
    TicketType.COMPLAINT: [
        "Advisor did not call back",
        "Statement arrived late",
        "Unexpected fee charged",
    ],
    TicketType.SERVICE_REQUEST: [
        "Update my address",
        "Send last year's statements",
        "Open an online account",
    ],
    TicketType.FAULT: ["App login fails", "Online redemption error", "Password reset broken"],
    TicketType.FEEDBACK: ["Praise for the branch staff", "Suggestion for the app"],
}
TYPES = (
    [TicketType.INQUIRY] * 5
    + [TicketType.SERVICE_REQUEST] * 3
    + [TicketType.COMPLAINT] * 2
    + [TicketType.FAULT] * 2
    + [TicketType.FEEDBACK]
)
PRIORITIES = [Priority.P1] + [Priority.P2] * 3 + [Priority.P3] * 5 + [Priority.P4] * 3


def load_tickets(
    store: Store,
    policy: SlaPolicy,
    rng: random.Random,
    actor: str,
    now: datetime,
    clients: list[tuple[UUID, str]],
    count: int,
    batch: int = 200,
    tiers: Mapping[UUID, str] | None = None,
    people: Mapping[UUID, tuple[str, str]] | None = None,
) -> int:
    """Open ``count`` tickets over the past year and play each one's life in memory (at
    the layer and with the budgets of the client's tier, when ``tiers`` tells it; the
    resolving reply addressing the client by name and phone, when ``people`` tells them);
    save them a batch at a time (each ticket's events in order, numbers included)."""
    numbers: dict[int, TicketNumbers] = {}
    pending: list[Aggregate] = []
    made = 0
    for _ in range(count):
        opened_at = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
        ctx = Context(actor=actor, at=opened_at, correlation_id="demo:tickets")
        counter = _counter(store, numbers, ctx)
        client_id, branch = rng.choice(clients) if clients and rng.random() < 0.85 else (None, None)
        kind = rng.choice(TYPES)
        ticket = Ticket.open(
            ctx,
            uuid4(),
            counter.issue(ctx),
            client_id=client_id,
            branch=branch,
            type=kind,
            priority=rng.choice(PRIORITIES),
            channel=rng.choice(list(TicketChannel)),
            subject=rng.choice(SUBJECTS[kind]),
            description="Recorded by the service desk.",
            policy=policy,
            tier=(tiers or {}).get(client_id) if client_id else None,
        )
        person = (people or {}).get(client_id) if client_id else None
        _live(ticket, rng, policy, opened_at, now, actor, person)
        pending.append(ticket)
        made += 1
        if len(pending) >= batch:
            store.save(*pending, *numbers.values())
            pending = []
    if pending or numbers:
        store.save(*pending, *numbers.values())
    return made


def _counter(store: Store, numbers: dict[int, TicketNumbers], ctx: Context) -> TicketNumbers:
    year = ctx.at.year
    if year not in numbers:
        try:
            found: Any = store.repository.get(numbers_id(year))
            numbers[year] = found
        except AggregateNotFoundError:
            numbers[year] = TicketNumbers.start(ctx, year)
    return numbers[year]


def _live(
    ticket: Ticket,
    rng: random.Random,
    policy: SlaPolicy,
    opened_at: datetime,
    now: datetime,
    actor: str,
    person: tuple[str, str] | None = None,
) -> None:
    """Respond, work, maybe wait for the client, resolve (replying as an agent would, by
    name), close and rate, as time allows."""
    clock = opened_at

    def step(hours: float) -> Context | None:
        nonlocal clock
        clock += timedelta(hours=hours)
        return (
            Context(actor=actor, at=clock, correlation_id="demo:tickets") if clock < now else None
        )

    budget = policy.first_response_hours[ticket.priority]
    if (ctx := step(rng.uniform(0.05, budget * (1.6 if rng.random() < 0.1 else 0.9)))) is None:
        return
    ticket.transition(ctx, Status.IN_PROGRESS, None)
    ticket.comment(ctx, uuid4(), "Thank you, we are looking into it.", public=True)
    if rng.random() < 0.25 and (ctx := step(rng.uniform(0.5, 6))) is not None:
        ticket.transition(ctx, Status.PENDING_CLIENT, "waiting for documents")
        if (ctx := step(rng.uniform(2, 72))) is None:
            return
        ticket.transition(ctx, Status.IN_PROGRESS, "documents received")
    escalating = rng.random() < 0.08  # drawn for every ticket: the demo stays the same
    offered = ticket.offers(policy, clock)  # not at headquarters, the top layer
    if escalating and "escalate" in offered and (ctx := step(1)) is not None:
        ticket.escalate(ctx, "needs the branch manager")
    resolution = policy.resolution_hours[ticket.priority]
    late = rng.random() < 0.12
    if (ctx := step(rng.uniform(0.2, resolution * (1.5 if late else 0.8)))) is None:
        return
    for kind in ("first_response", "resolution"):
        ticket.record_breach(ctx, kind, policy)
    if person is not None:
        name, phone = person
        ticket.comment(
            ctx,
            uuid4(),
            f"Dear {name}, we called you back on {phone} and have settled this. "
            "Reply here if anything is still unclear.",
            public=True,
        )
    ticket.transition(ctx, Status.RESOLVED, "resolved")
    if (ctx := step(rng.uniform(1, 72))) is None:
        return
    if rng.random() < 0.7:
        ticket.rate(ctx, rng.choices([1, 2, 3, 4, 5], [3, 5, 12, 40, 40])[0], None)
    if rng.random() < 0.05:
        ticket.reopen(ctx, "the problem came back", policy)
        return
    ticket.transition(ctx, Status.CLOSED, None)
