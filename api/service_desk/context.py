"""The service desk, declared once."""

from __future__ import annotations

from uuid import UUID

from api.engine import Engine
from api.service_desk import pages, routes
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext, Job
from api.shared.jobs import BATCH, each
from application.service_desk.tickets import TicketCommands
from application.shared.common import CommandResult
from application.staff import StaffCommands
from domain.service_desk.numbers import TicketNumbers
from domain.service_desk.sla import BREACH_KINDS
from domain.service_desk.tickets import WORKS_TICKETS, Ticket
from domain.shared.base import Context
from domain.staff import Role
from projections.service_desk.tickets import TicketsView


def ticket_breaches(engine: Engine, ctx: Context) -> int:
    """Record each SLA breach once per ticket and kind, and escalate."""
    ids = engine.view(TicketsView).breaches_to_record(engine.db, ctx.at, BATCH)
    commands = engine.handler(TicketCommands)

    def record(run: Context, ticket_id: UUID) -> list[CommandResult]:
        return [commands.record_breach(run, ticket_id, kind) for kind in BREACH_KINDS]

    return each(ctx, ids, record)


CONTEXT = BoundedContext(
    name="service_desk",
    aggregates=(
        Aggregated(Ticket, history="tickets", snapshot_every=50),
        Aggregated(TicketNumbers, history=None, snapshot_every=50),
    ),
    views=(TicketsView,),
    handlers=(
        lambda e: TicketCommands(e.store, e.settings.sla_policy, e.handler(StaffCommands).account),
    ),
    routers=(routes.router,),
    pages=(pages.router,),
    menu=(
        MenuItem("Tickets", "/tickets", WORKS_TICKETS, order=30, home_for=frozenset({Role.AGENT})),
    ),
    jobs=(Job("ticket_breaches", ticket_breaches),),
)
