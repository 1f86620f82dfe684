"""The scheduler's jobs: each finds what is due in a view, then issues an idempotent command
per aggregate, which decides on the aggregate itself. A repeated run records nothing new.

Each job answers how many commands recorded something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import structlog

from application.common import CommandResult
from domain.base import Context
from domain.errors import DomainError
from domain.tickets import BREACH_KINDS

if TYPE_CHECKING:
    from api.engine import Engine

log = structlog.get_logger(__name__)
BATCH = 500  # aggregates per job run; the next tick takes the rest


def _context(name: str, now: datetime) -> Context:
    return Context(actor="system:scheduler", at=now, correlation_id=f"job:{name}:{now.isoformat()}")


def _each(
    name: str,
    now: datetime,
    ids: Iterable[UUID],
    command: Callable[[Context, UUID], list[CommandResult]],
) -> int:
    """Run the command(s) on each id; count those that recorded something. A rule that
    refuses one aggregate is logged and the job goes on with the others."""
    ctx, changed = _context(name, now), 0
    for aggregate_id in ids:
        try:
            results = command(ctx, aggregate_id)
        except DomainError as e:
            log.warning("scheduler.command_refused", job=name, error=type(e).__name__)
            continue
        changed += sum(result.changed for result in results)
    return changed


def register_jobs(engine: Engine) -> None:
    db, scheduler = engine.db, engine.scheduler

    def assessments(now: datetime) -> int:
        ids = engine.client_view.assessments_to_check(db, now, BATCH)
        return _each("assessments", now, ids, lambda c, i: [engine.risk.record_due(c, i)])

    def ticket_breaches(now: datetime) -> int:
        ids = engine.ticket_view.breaches_to_record(db, now, BATCH)

        def record(ctx: Context, ticket_id: UUID) -> list[CommandResult]:
            return [engine.tickets.record_breach(ctx, ticket_id, kind) for kind in BREACH_KINDS]

        return _each("ticket_breaches", now, ids, record)

    def reaudits(now: datetime) -> int:
        ids = engine.supplier_view.reaudits_to_flag(db, now.date(), BATCH)
        return _each("reaudits", now, ids, lambda c, i: [engine.suppliers.record_reaudit_due(c, i)])

    def cqp_overdue(now: datetime) -> int:
        ids = engine.cqp_view.overdue_to_flag(db, now.date(), BATCH)
        return _each("cqp_overdue", now, ids, lambda c, i: [engine.cqp.record_overdue(c, i)])

    def purchase_lapses(now: datetime) -> int:
        ids = engine.purchase_view.unconfirmed(db, now, BATCH)
        return _each("purchase_lapses", now, ids, lambda c, i: [engine.purchases.lapse(c, i)])

    def erasures(now: datetime) -> int:
        """Destroy any key an erasure left alive (a crash between its event and its key)."""
        destroyed, after = 0, ""
        while ids := engine.client_view.erased_clients(db, after, BATCH):
            for client_id in engine.keyring.live(ids):
                destroyed += engine.keyring.destroy(client_id, now)
            after = str(ids[-1])
        return destroyed

    for name, job in (
        ("assessments", assessments),
        ("ticket_breaches", ticket_breaches),
        ("reaudits", reaudits),
        ("cqp_overdue", cqp_overdue),
        ("purchase_lapses", purchase_lapses),
        ("erasures", erasures),
    ):
        scheduler.add(name, job)
