"""Compliance: history, time travel, decision replay and the audit chain, declared once."""

from __future__ import annotations

from api.compliance import audit, audit_pages, history, pages
from api.shared.console.menu import MenuItem
from api.shared.context import BoundedContext
from application.compliance.history import History
from application.compliance.replay import DecisionReplay
from domain.staff import Role
from projections.compliance.audit import AuditView

AUDITORS = frozenset({Role.ADMIN, Role.COMPLIANCE})

CONTEXT = BoundedContext(
    name="compliance",
    views=(AuditView,),
    handlers=(
        lambda e: History(e.store),
        lambda e: DecisionReplay(e.store, e.settings.supplier_policy, e.settings.cqp_policy),
    ),
    routers=(history.router, history.history_router, audit.router),
    pages=(pages.router, audit_pages.router),
    menu=(
        MenuItem(
            "Override register",
            "/compliance/overrides",
            AUDITORS,
            order=30,
            home_for=frozenset({Role.COMPLIANCE}),
        ),
        MenuItem("Review flags", "/compliance/reviews", AUDITORS, order=31),
        MenuItem("Audit log", "/compliance/audit", AUDITORS, order=32),
        MenuItem("History", "/compliance/history", AUDITORS, order=33),
    ),
)
