"""Compliance, api layer: what other contexts use."""

from api.compliance.history import aggregate_as_of, shown
from api.compliance.schemas import AggregateAsOf, AsOf

__all__ = ["AggregateAsOf", "AsOf", "aggregate_as_of", "shown"]
