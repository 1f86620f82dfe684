"""Service desk, domain layer: what other contexts use."""

from domain.service_desk.numbers import TicketNumbers, numbers_id
from domain.service_desk.sla import Priority, SlaPolicy
from domain.service_desk.tickets import WORKS_TICKETS, Ticket
from domain.service_desk.workflow import Status, TicketChannel, TicketType

__all__ = [
    "WORKS_TICKETS",
    "Priority",
    "SlaPolicy",
    "Status",
    "Ticket",
    "TicketChannel",
    "TicketNumbers",
    "TicketType",
    "numbers_id",
]
