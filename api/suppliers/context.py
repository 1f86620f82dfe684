"""Supplier quality: lifecycle, audits, the approved vendor list, declared once."""

from __future__ import annotations

from api.engine import Engine
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext, Job
from api.shared.jobs import BATCH, each
from api.suppliers import pages, routes
from application.suppliers.commands import SupplierCommands
from domain.shared.base import Context
from domain.staff import Role
from domain.suppliers.supplier import Supplier
from projections.suppliers.views import SuppliersView


def reaudits(engine: Engine, ctx: Context) -> int:
    """Flag re-audits falling due (with notice) and overdue."""
    ids = engine.view(SuppliersView).reaudits_to_flag(engine.db, ctx.at.date(), BATCH)
    commands = engine.handler(SupplierCommands)
    return each(ctx, ids, lambda c, i: [commands.record_reaudit_due(c, i)])


CONTEXT = BoundedContext(
    name="suppliers",
    aggregates=(Aggregated(Supplier, history="suppliers", snapshot_every=20),),
    views=(SuppliersView,),
    handlers=(lambda e: SupplierCommands(e.store, e.settings.supplier_policy),),
    routers=(routes.router,),
    pages=(pages.router,),
    menu=(
        MenuItem(
            "Suppliers",
            "/suppliers",
            frozenset({Role.ADMIN, Role.QUALITY, Role.MPL, Role.COMPLIANCE}),
            order=40,
            home_for=frozenset({Role.QUALITY}),
        ),
    ),
    jobs=(Job("reaudits", reaudits),),
)
