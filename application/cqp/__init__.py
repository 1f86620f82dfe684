"""Component Quality Planning, application layer: what other contexts use."""

from application.cqp.commands import CQPCommands

__all__ = ["CQPCommands"]
