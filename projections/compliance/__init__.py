"""Compliance, projections layer."""

from projections.compliance.audit import chain_heads

__all__ = ["chain_heads"]
