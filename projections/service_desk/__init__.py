"""Service desk, projections layer: what other contexts use."""

from projections.service_desk.tickets import TicketsView

__all__ = ["TicketsView"]
