"""Fund supermarket, application layer: what other contexts use."""

from application.funds.commands import FundCommands

__all__ = ["FundCommands"]
