"""Service desk, application layer: what other contexts use."""

from application.service_desk.tickets import TicketCommands

__all__ = ["TicketCommands"]
