"""Service desk, projections layer: what other contexts use."""

from projections.service_desk.rows import sla_as_of
from projections.service_desk.tickets import TicketsView

__all__ = ["TicketsView", "sla_as_of"]
