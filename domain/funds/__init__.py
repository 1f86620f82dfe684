"""Fund supermarket, domain layer: what other contexts use."""

from domain.funds.fund import Fund, fund_id

__all__ = ["Fund", "fund_id"]
