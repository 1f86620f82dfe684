"""The staff inbox, projections layer: what other contexts use."""

from projections.inbox.views import InboxView, Reader

__all__ = ["InboxView", "Reader"]
