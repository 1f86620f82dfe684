"""Service desk, domain layer: what other contexts use."""

from domain.service_desk.sla import Priority, SlaPolicy
from domain.service_desk.tickets import (
    Status,
    Ticket,
    TicketChannel,
    TicketNumbers,
    TicketType,
    numbers_id,
)

__all__ = [
    "Priority",
    "SlaPolicy",
    "Status",
    "Ticket",
    "TicketChannel",
    "TicketNumbers",
    "TicketType",
    "numbers_id",
]
