"""Histories of aggregates and their state as of an instant, read from the event store."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends

from api.deps import EngineDep, roles
from api.engine import Engine
from api.schemas_history import AggregateAsOf, AggregateHistory, HistoryEvent
from application.history import state_of
from application.replay import CommandReplay, PurchaseReplay
from domain.base import Aggregate
from domain.clients import Client
from domain.cqp import CQPPlan, Milestone
from domain.errors import InvalidField
from domain.funds import Fund, fund_id
from domain.purchases import Purchase
from domain.risk import RiskAssessment
from domain.staff import Role
from domain.suppliers import Supplier
from domain.tickets import Ticket
from projections.clients import mask

router = APIRouter(prefix="/api/v1", tags=["compliance"])

AUDITORS = Depends(roles(Role.ADMIN, Role.COMPLIANCE))


class Kind(StrEnum):
    CLIENTS = "clients"
    FUNDS = "funds"
    PURCHASES = "purchases"
    RISK_ASSESSMENTS = "risk-assessments"
    TICKETS = "tickets"
    SUPPLIERS = "suppliers"
    CQP_PLANS = "cqp-plans"


AGGREGATES: dict[Kind, type[Aggregate]] = {
    Kind.CLIENTS: Client,
    Kind.FUNDS: Fund,
    Kind.PURCHASES: Purchase,
    Kind.RISK_ASSESSMENTS: RiskAssessment,
    Kind.TICKETS: Ticket,
    Kind.SUPPLIERS: Supplier,
    Kind.CQP_PLANS: CQPPlan,
}


def aggregate_id(kind: Kind, ref: str) -> UUID:
    """The aggregate id a path names: a fund by its code, the others by their id."""
    if kind is Kind.FUNDS:
        return fund_id(ref)
    try:
        return UUID(ref)
    except ValueError:
        raise InvalidField("id", "must be a UUID") from None


def masked(data: dict[str, Any]) -> dict[str, Any]:
    """Event data as the API shows it: identity numbers masked as in the client view."""
    if isinstance(data.get("id_number"), str):
        return {**data, "id_number": mask(data["id_number"])}
    return data


def as_of(engine: Engine, kind: Kind, ref: str, at: datetime) -> AggregateAsOf:
    """The state of the aggregate a path names as it was at ``at`` (404 before it existed)."""
    aggregate = engine.history.as_of(AGGREGATES[kind], aggregate_id(kind, ref), at)
    return AggregateAsOf(
        kind=kind.value,
        id=aggregate.id,
        as_of=at,
        version=aggregate.version,
        recorded_at=aggregate.modified_on,
        state=state_of(aggregate),
    )


@router.get("/{kind}/{ref}/history", dependencies=[AUDITORS])
def history(kind: Kind, ref: str, engine: EngineDep) -> AggregateHistory:
    """Every event of one aggregate, oldest first, with its position, actor, time,
    correlation id and version (identity numbers masked)."""
    ident = aggregate_id(kind, ref)
    events = engine.history.events(AGGREGATES[kind], ident)
    return AggregateHistory(
        kind=kind.value,
        id=ident,
        events=[HistoryEvent(**{**asdict(e), "data": masked(e.data)}) for e in events],
    )


@router.get("/purchases/{purchase_id}/replay", dependencies=[AUDITORS])
def replay_purchase(purchase_id: UUID, engine: EngineDep) -> PurchaseReplay:
    """The suitability decision replayed: its timeline, the inputs rebuilt from the
    assessment, fund and client as they stood, the recorded and the recomputed verdicts,
    whether they agree, and what today's rule would decide."""
    return engine.replay.purchase(purchase_id)


@router.get("/suppliers/{supplier_id}/avl/{category}/replay", dependencies=[AUDITORS])
def replay_avl(supplier_id: UUID, category: str, engine: EngineDep) -> CommandReplay:
    """The latest AVL decision on a category, re-executed on the supplier as it stood, under
    the policy it was taken with and under today's."""
    return engine.replay.avl(supplier_id, category)


@router.get("/cqp-plans/{plan_id}/milestones/{code}/replay", dependencies=[AUDITORS])
def replay_milestone(plan_id: UUID, code: Milestone, engine: EngineDep) -> CommandReplay:
    """A milestone's pass (and waiver), re-executed on the plan as it stood, under the
    policy it passed with and under today's."""
    return engine.replay.milestone(plan_id, code)
