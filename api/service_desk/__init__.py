"""Service desk, api layer: what other contexts use."""

from api.service_desk.routes import TicketId, check_ticket

__all__ = ["TicketId", "check_ticket"]
