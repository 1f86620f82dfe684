"""Supplier quality, projections layer."""
