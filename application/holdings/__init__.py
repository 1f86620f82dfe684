"""Holdings, application layer: what other contexts use."""

from application.holdings.commands import HoldingsCommands

__all__ = ["HoldingsCommands"]
