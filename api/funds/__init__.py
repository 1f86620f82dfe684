"""Fund supermarket, api layer: what other contexts use."""

from api.funds.schemas import FundCode, FundSummary

__all__ = ["FundCode", "FundSummary"]
