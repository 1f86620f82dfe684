"""Suitability and purchases, projections layer: what other contexts read."""

from projections.suitability.views import PurchasesView, ReviewsView, status_as_of

__all__ = ["PurchasesView", "ReviewsView", "status_as_of"]
