"""Fund supermarket, projections layer: what other contexts use."""

from projections.funds.views import FundsView

__all__ = ["FundsView"]
