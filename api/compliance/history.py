"""Histories of aggregates and their state as of an instant, read from the event store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends

from api.compliance.schemas import (
    AggregateAsOf,
    AggregateHistory,
    CommandReplayReport,
    HistoryEvent,
    PurchaseReplayReport,
)
from api.engine import Engine
from api.shared.context import Registry
from api.shared.deps import EngineDep, roles
from api.staff import People, PeopleDep
from application.compliance.history import History, Recorded, state_of
from application.compliance.replay import CommandReplay, DecisionReplay
from domain.cqp import Milestone
from domain.shared.base import Aggregate
from domain.staff import Role
from projections.clients import mask

router = APIRouter(prefix="/api/v1", tags=["compliance"])

AUDITORS = Depends(roles(Role.ADMIN, Role.COMPLIANCE))


def masked(data: dict[str, Any]) -> dict[str, Any]:
    """Event data as the API shows it: identity numbers masked as in the client view."""
    if isinstance(data.get("id_number"), str):
        return {**data, "id_number": mask(data["id_number"])}
    return data


def shown(people: People, events: Iterable[Recorded]) -> list[HistoryEvent]:
    """Recorded events as people read them: actors by username, identity numbers masked."""
    return [
        HistoryEvent(**{**e, "data": masked(e["data"])})
        for e in people.named(map(asdict, events), "actor")
    ]


def aggregate_as_of(engine: Engine, cls: type[Aggregate], ref: str, at: datetime) -> AggregateAsOf:
    """The state of the aggregate a path names as it was at ``at`` (404 before it existed)."""
    declared = engine.registry.of(cls)
    aggregate = engine.handler(History).as_of(cls, declared.ref(ref), at)
    return AggregateAsOf(
        kind=declared.history or cls.__name__,
        id=aggregate.id,
        as_of=at,
        version=aggregate.version,
        recorded_at=aggregate.modified_on,
        state=state_of(aggregate),
    )


def history_router(registry: Registry) -> APIRouter:
    """``/{kind}/{ref}/history`` for every aggregate a context declares with a history kind."""
    history_router = APIRouter(prefix="/api/v1", tags=["compliance"])
    kinds = {kind.upper().replace("-", "_"): kind for kind in registry.by_kind}
    Kind = StrEnum("Kind", kinds)  # type: ignore[misc]  # noqa: N806 - the path's enum

    def history(kind: StrEnum, ref: str, engine: EngineDep, people: PeopleDep) -> AggregateHistory:
        """Every event of one aggregate, oldest first, with its position, actor, time,
        correlation id and version (identity numbers masked)."""
        declared = registry.by_kind[str(kind)]
        ident = declared.ref(ref)
        events = engine.handler(History).events(declared.cls, ident)
        return AggregateHistory(
            kind=str(kind),
            id=ident,
            events=shown(people, events),
        )

    history.__annotations__["kind"] = Kind  # the enum of this registry's kinds
    history_router.get("/{kind}/{ref}/history", dependencies=[AUDITORS])(history)
    return history_router


@router.get("/purchases/{purchase_id}/replay", dependencies=[AUDITORS])
def replay_purchase(
    purchase_id: UUID, engine: EngineDep, people: PeopleDep
) -> PurchaseReplayReport:
    """The suitability decision replayed: its timeline, the inputs rebuilt from the
    assessment, fund and client as they stood, the recorded and the recomputed verdicts,
    whether they agree, and what today's rule would decide."""
    report = engine.handler(DecisionReplay).purchase(purchase_id)
    return PurchaseReplayReport(**{**dict(report), "timeline": shown(people, report.timeline)})


@router.get("/suppliers/{supplier_id}/avl/{category}/replay", dependencies=[AUDITORS])
def replay_avl(
    supplier_id: UUID, category: str, engine: EngineDep, people: PeopleDep
) -> CommandReplayReport:
    """The latest AVL decision on a category, re-executed on the supplier as it stood, under
    the policy it was taken with and under today's."""
    return _report(people, engine.handler(DecisionReplay).avl(supplier_id, category))


@router.get("/cqp-plans/{plan_id}/milestones/{code}/replay", dependencies=[AUDITORS])
def replay_milestone(
    plan_id: UUID, code: Milestone, engine: EngineDep, people: PeopleDep
) -> CommandReplayReport:
    """A milestone's pass (and waiver), re-executed on the plan as it stood, under the
    policy it passed with and under today's."""
    return _report(people, engine.handler(DecisionReplay).milestone(plan_id, code))


def _report(people: People, report: CommandReplay) -> CommandReplayReport:
    return CommandReplayReport(**{**dict(report), "timeline": shown(people, report.timeline)})
