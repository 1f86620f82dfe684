"""Suitability and purchases, projections layer."""
