"""Compliance, projections layer."""
