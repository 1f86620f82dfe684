"""Fund supermarket, domain layer: what other contexts use."""

from domain.funds.fund import Fund, check_code, fund_id

__all__ = ["Fund", "check_code", "fund_id"]
