"""The staff inbox, domain layer: what other contexts use."""

from domain.inbox.inbox import KINDS, Inbox, inbox_id

__all__ = ["KINDS", "Inbox", "inbox_id"]
