"""Suitability matching and purchases, declared once."""

from __future__ import annotations

from api.engine import Engine
from api.shared.context import Aggregated, BoundedContext, Job
from api.shared.jobs import BATCH, each
from api.suitability import pages, routes
from application.suitability.purchases import PurchaseCommands
from domain.shared.base import Context
from domain.suitability.purchases import Purchase
from projections.suitability.views import PurchasesView, ReviewsView


def purchase_lapses(engine: Engine, ctx: Context) -> int:
    """Warn of the purchases about to lapse unconfirmed, and lapse those left unconfirmed
    past their window."""
    view, commands = engine.view(PurchasesView), engine.handler(PurchaseCommands)
    hours = engine.settings.suitability_policy.lapse_warning_hours
    near = view.lapsing(engine.db, ctx.at, hours, BATCH)
    warned = each(ctx, near, lambda c, i: [commands.warn_lapse(c, i)])
    ids = view.unconfirmed(engine.db, ctx.at, BATCH)
    return warned + each(ctx, ids, lambda c, i: [commands.lapse(c, i)])


CONTEXT = BoundedContext(
    name="suitability",
    aggregates=(Aggregated(Purchase, history="purchases"),),
    views=(PurchasesView, ReviewsView),
    handlers=(lambda e: PurchaseCommands(e.store, e.settings.suitability_policy),),
    routers=(routes.router,),
    pages=(pages.router,),
    jobs=(Job("purchase_lapses", purchase_lapses),),
)
