"""Client registry and risk assessment, projections layer: what other contexts use."""

from projections.clients.views import ClientsView, mask

__all__ = ["ClientsView", "mask"]
