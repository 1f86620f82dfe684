"""Holdings: each client's fund positions as the back office reports them, day by day."""

from domain.holdings.portfolio import Portfolio, check_units, portfolio_id

__all__ = ["Portfolio", "check_units", "portfolio_id"]
