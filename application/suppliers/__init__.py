"""Supplier quality, application layer: what other contexts use."""

from application.suppliers.commands import SupplierCommands

__all__ = ["SupplierCommands"]
