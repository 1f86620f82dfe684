"""The staff inbox, api layer: what other contexts use."""

from api.inbox.routes import reader_of, shown

__all__ = ["reader_of", "shown"]
