"""Holdings, projections layer: what other contexts use."""

from projections.funds import FundsView
from projections.holdings.valuation import Book, Valuation, total_of
from projections.holdings.views import HoldingsView

# The views a valuation of positions reads: a page showing one waits for both.
VALUED_FROM = (HoldingsView, FundsView)

__all__ = ["VALUED_FROM", "Book", "HoldingsView", "Valuation", "total_of"]
