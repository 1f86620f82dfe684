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
    """Lapse the purchases left unconfirmed past their window."""
    ids = engine.view(PurchasesView).unconfirmed(engine.db, ctx.at, BATCH)
    commands = engine.handler(PurchaseCommands)
    return each(ctx, ids, lambda c, i: [commands.lapse(c, i)])


CONTEXT = BoundedContext(
    name="suitability",
    aggregates=(Aggregated(Purchase, history="purchases"),),
    views=(PurchasesView, ReviewsView),
    handlers=(lambda e: PurchaseCommands(e.store, e.settings.suitability_policy),),
    routers=(routes.router,),
    pages=(pages.router,),
    jobs=(Job("purchase_lapses", purchase_lapses),),
)
