"""Compliance: history, time travel, decision replay and the audit chain, declared once."""

from __future__ import annotations

from api.compliance import audit, history
from api.shared.context import BoundedContext
from application.compliance.history import History
from application.compliance.replay import DecisionReplay
from projections.compliance.audit import AuditView

CONTEXT = BoundedContext(
    name="compliance",
    views=(AuditView,),
    handlers=(
        lambda e: History(e.store),
        lambda e: DecisionReplay(e.store, e.settings.supplier_policy, e.settings.cqp_policy),
    ),
    routers=(history.router, history.history_router, audit.router),
)
