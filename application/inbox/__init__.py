"""The staff inbox, application layer: what other contexts use."""

from application.inbox.commands import InboxCommands

__all__ = ["InboxCommands"]
