"""Holdings, projections layer: what other contexts use."""

from projections.holdings.views import HoldingsView

__all__ = ["HoldingsView"]
