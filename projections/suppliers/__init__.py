"""Supplier quality, projections layer: what other contexts use."""

from projections.suppliers.views import SuppliersView

__all__ = ["SuppliersView"]
