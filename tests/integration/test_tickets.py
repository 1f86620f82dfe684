"""Tickets on each store: numbers stay unique and gapless when opened at once."""

from __future__ import annotations

import threading

from api.engine import Engine
from domain.base import Context
from domain.sla import Priority
from domain.tickets import TicketChannel, TicketType


def test_tickets_opened_at_once_get_distinct_numbers_in_sequence(
    engine: Engine, ctx: Context
) -> None:
    numbers: list[str] = []
    lock = threading.Lock()

    def open_some() -> None:
        for _ in range(8):
            opened = engine.tickets.open(
                ctx,
                client_id=None,
                type=TicketType.INQUIRY,
                priority=Priority.P3,
                channel=TicketChannel.PHONE,
                subject="s",
                description="d",
            )
            with lock:
                numbers.append(opened.opened.number)

    threads = [threading.Thread(target=open_some) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    year = ctx.at.year
    assert sorted(numbers) == [f"T-{year}-{n:06d}" for n in range(1, 33)]
