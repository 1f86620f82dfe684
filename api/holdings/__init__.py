"""Holdings, api layer: what other contexts use."""

from api.holdings.deps import ValuationDep, business_day

__all__ = ["ValuationDep", "business_day"]
