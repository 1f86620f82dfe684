"""Holdings, declared once."""

from __future__ import annotations

from api.holdings import routes
from api.shared.context import Aggregated, BoundedContext
from application.holdings import HoldingsCommands
from domain.holdings import Portfolio
from projections.holdings import HoldingsView

CONTEXT = BoundedContext(
    name="holdings",
    aggregates=(Aggregated(Portfolio, history="portfolios", snapshot_every=100),),
    views=(HoldingsView,),
    handlers=(lambda e: HoldingsCommands(e.store),),
    routers=(routes.router,),
    uploads=("/api/v1/holdings/import",),
)
