"""The client registry and risk assessment, declared once."""

from __future__ import annotations

from adapters.clients.questionnaires import load_questionnaires
from adapters.shared.secrets import claim_ids
from api.clients import (
    assessing,
    contact_pages,
    contacts,
    coverage,
    coverage_pages,
    pages,
    risk,
    routes,
    today,
)
from api.engine import Engine
from api.shared.console.menu import MenuItem
from api.shared.context import Aggregated, BoundedContext, Job
from api.shared.jobs import BATCH, each
from application.clients.commands import ClientCommands
from application.clients.coverage import CoverageCommands
from application.clients.risk import RiskCommands
from application.staff import BranchCommands
from domain.clients.registry import Client
from domain.clients.risk import RiskAssessment
from domain.shared.base import Context
from domain.staff import Role
from projections.clients.contacts import ContactsView
from projections.clients.coverage import CoverageView
from projections.clients.views import ClientsView
from projections.staff import StaffView


def assessments(engine: Engine, ctx: Context) -> int:
    """Record assessments falling due for review, and expiring."""
    ids = engine.view(ClientsView).assessments_to_check(engine.db, ctx.at, BATCH)
    commands = engine.handler(RiskCommands)
    return each(ctx, ids, lambda c, i: [commands.record_due(c, i)])


def erasures(engine: Engine, ctx: Context) -> int:
    """Destroy any key an erasure left alive (a crash between its event and its key)."""
    destroyed, after = 0, ""
    view = engine.view(ClientsView)
    while ids := view.erased_clients(engine.db, after, BATCH):
        for client_id in engine.keyring.live(ids):
            destroyed += engine.keyring.destroy(client_id, ctx.at)
        after = str(ids[-1])
    return destroyed


def claims(engine: Engine, ctx: Context) -> int:
    """Move the identity-number claims of a store written before keyed claims, once."""
    commands = engine.handler(ClientCommands)
    if commands.claims_migrated():
        return 0
    moved, after = 0, ""
    view = engine.view(ClientsView)
    while ids := view.client_ids(engine.db, after, BATCH):
        moved += sum(commands.migrate_claim(ctx, client_id) for client_id in ids)
        after = str(ids[-1])
    commands.finish_claims_migration(ctx)
    return moved


def branches(engine: Engine, ctx: Context) -> int:
    """Register the branches a store written before branches were reference data names in
    its clients and accounts (each named by its code until an administrator renames it)."""
    codes = {*engine.view(ClientsView).branches(engine.db)}
    codes.update(engine.view(StaffView).branches(engine.db))
    return engine.handler(BranchCommands).register_missing(ctx, sorted(codes))


ADVISOR = frozenset({Role.ADVISOR})

CONTEXT = BoundedContext(
    name="clients",
    aggregates=(
        Aggregated(Client, history="clients", snapshot_every=50),
        Aggregated(RiskAssessment, history="risk-assessments"),
    ),
    views=(ClientsView, CoverageView, ContactsView),
    handlers=(
        lambda e: ClientCommands(
            e.store, e.settings.client_policy, e.keyring, claim_ids(e.settings)
        ),
        lambda e: CoverageCommands(
            e.store, e.settings.client_policy, e.settings.coverage_policy.contacts
        ),
        lambda e: RiskCommands(
            e.store,
            load_questionnaires(e.settings.questionnaire_dir),
            e.settings.assessment_policy,
        ),
    ),
    # coverage first: its /clients/at-risk before /clients/{client_id}
    routers=(coverage.router, contacts.router, routes.router, risk.router),
    pages=(
        today.router,
        pages.router,
        assessing.router,
        coverage_pages.router,
        contact_pages.router,
    ),
    menu=(
        MenuItem("Today", "/today", ADVISOR, order=0, home_for=ADVISOR),
        MenuItem(
            "Contacts due",
            "/contacts",
            frozenset({Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE}),
            order=4,
        ),
        MenuItem(
            "Branch dashboard",
            "/dashboard",
            frozenset({Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE}),
            order=5,
        ),
        MenuItem(
            "Feedback",
            "/feedback",
            frozenset({Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE}),
            order=6,
        ),
        MenuItem(
            "Clients",
            "/clients",
            frozenset({Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE}),
            order=10,
        ),
    ),
    jobs=(
        Job("assessments", assessments),
        Job("erasures", erasures),
        Job("branches", branches),
        Job("claims", claims),
        coverage.SEGMENTS_JOB,
        coverage.FOLLOW_UPS_JOB,
        contacts.CONTACTS_JOB,
    ),
)
