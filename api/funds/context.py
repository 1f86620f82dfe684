"""The fund supermarket, declared once."""

from __future__ import annotations

from api.funds import pages, routes
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext
from application.funds.commands import FundCommands
from domain.funds.fund import Fund, fund_id
from domain.shared.imports import FileImport
from domain.staff import Role
from projections.funds.views import FundsView
from projections.shared.imports import ImportsView

CONTEXT = BoundedContext(
    name="funds",
    aggregates=(
        Aggregated(Fund, history="funds", snapshot_every=10, ref=fund_id),
        Aggregated(FileImport, history="imports", snapshot_every=50),
    ),
    views=(FundsView, ImportsView),
    handlers=(lambda e: FundCommands(e.store),),
    routers=(routes.router,),
    uploads=("/api/v1/funds/nav/import",),
    pages=(pages.router,),
    menu=(
        MenuItem(
            "Funds",
            "/funds",
            frozenset({Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE}),
            order=20,
        ),
    ),
)
