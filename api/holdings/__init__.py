"""Holdings, api layer: what other contexts use."""

from api.holdings.deps import AUM_WORDS, ValuationDep, aum_svg, business_day, valuation

__all__ = ["AUM_WORDS", "ValuationDep", "aum_svg", "business_day", "valuation"]
