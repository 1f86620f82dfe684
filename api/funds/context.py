"""The fund supermarket, declared once."""

from __future__ import annotations

from api.funds import routes
from api.shared.context import Aggregated, BoundedContext
from application.funds.commands import FundCommands
from domain.funds.fund import Fund, fund_id
from projections.funds.views import FundsView

CONTEXT = BoundedContext(
    name="funds",
    aggregates=(Aggregated(Fund, history="funds", snapshot_every=10, ref=fund_id),),
    views=(FundsView,),
    handlers=(lambda e: FundCommands(e.store),),
    routers=(routes.router,),
)
