"""What every scheduler job shares: each finds what is due in a view, then issues an
idempotent command per aggregate, which decides on the aggregate itself. A repeated run
records nothing new. A job is given its run's context (``ctx.at`` is its "now") and answers
how many commands recorded something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

import structlog

from application.shared.common import CommandResult
from domain.shared.base import Context
from domain.shared.errors import DomainError

log = structlog.get_logger(__name__)
BATCH = 500  # aggregates per job run; the next tick takes the rest


def job_context(name: str, now: datetime) -> Context:
    """What a job's commands record: the scheduler as actor, the job's run as correlation."""
    return Context(actor="system:scheduler", at=now, correlation_id=f"job:{name}:{now.isoformat()}")


def each(
    ctx: Context,
    ids: Iterable[UUID],
    command: Callable[[Context, UUID], list[CommandResult]],
) -> int:
    """Run the command(s) on each id; count those that recorded something. A rule that
    refuses one aggregate is logged and the job goes on with the others."""
    changed = 0
    for aggregate_id in ids:
        try:
            results = command(ctx, aggregate_id)
        except DomainError as e:
            log.warning("scheduler.command_refused", job=ctx.correlation_id, error=type(e).__name__)
            continue
        changed += sum(result.changed for result in results)
    return changed
