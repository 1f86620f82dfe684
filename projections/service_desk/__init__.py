"""Service desk, projections layer: what other contexts use."""

from projections.service_desk.rows import restored, sla_as_of
from projections.service_desk.tickets import TicketsView

__all__ = ["TicketsView", "restored", "sla_as_of"]
