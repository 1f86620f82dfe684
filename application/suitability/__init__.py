"""Suitability and purchases, application layer: what other contexts use."""

from application.suitability.purchases import PurchaseCommands

__all__ = ["PurchaseCommands"]
