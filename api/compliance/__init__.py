"""Compliance, api layer: what other contexts use."""

from api.compliance.history import aggregate_as_of, shown
from api.compliance.schemas import AggregateAsOf, AggregateHistory, AsOf

__all__ = ["AggregateAsOf", "AggregateHistory", "AsOf", "aggregate_as_of", "shown"]
