"""Component Quality Planning, declared once."""

from __future__ import annotations

from api.cqp import pages, routes
from api.engine import Engine
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext, Job
from api.shared.jobs import BATCH, each
from application.cqp.commands import CQPCommands
from domain.cqp.plan import CQPPlan
from domain.shared.base import Context
from domain.staff import Role
from projections.cqp.views import CQPPlansView


def cqp_overdue(engine: Engine, ctx: Context) -> int:
    """Record milestones past their planned date."""
    ids = engine.view(CQPPlansView).overdue_to_flag(engine.db, ctx.at.date(), BATCH)
    commands = engine.handler(CQPCommands)
    return each(ctx, ids, lambda c, i: [commands.record_overdue(c, i)])


CONTEXT = BoundedContext(
    name="cqp",
    aggregates=(Aggregated(CQPPlan, history="cqp-plans", snapshot_every=20),),
    views=(CQPPlansView,),
    handlers=(lambda e: CQPCommands(e.store, e.settings.cqp_policy),),
    routers=(routes.router,),
    pages=(pages.router,),
    menu=(
        MenuItem(
            "CQP",
            "/cqp",
            frozenset({Role.ADMIN, Role.QUALITY, Role.MPL, Role.COMPLIANCE}),
            order=45,
            home_for=frozenset({Role.MPL}),
        ),
    ),
    jobs=(Job("cqp_overdue", cqp_overdue),),
)
