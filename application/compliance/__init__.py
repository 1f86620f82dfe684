"""Compliance, application layer: what other contexts use."""

from application.compliance.history import History

__all__ = ["History"]
