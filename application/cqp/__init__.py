"""Component Quality Planning, application layer: what other contexts use."""

from application.cqp.commands import CqpCommands

__all__ = ["CqpCommands"]
