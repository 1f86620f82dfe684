"""Purchases with suitability matching, overrides, and the compliance registers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime

from api.clients import ClientId, check_client
from api.engine import Engine
from api.funds import FundSummary
from api.shared.deps import (
    ContextDep,
    CurrentUser,
    EngineDep,
    IdempotencyDep,
    NowDep,
    branch_scope,
    fresh,
    roles,
)
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from api.staff import People, PeopleDep
from api.suitability.schemas import (
    OverrideEntry,
    PurchaseCancel,
    PurchaseConfirm,
    PurchaseCreate,
    PurchasePublic,
    PurchaseResult,
    ReviewFlag,
    Suitability,
)
from application.suitability.purchases import PurchaseCommands
from domain.shared.errors import NotFound
from domain.shared.vocab import Horizon, RiskLevel, RiskRating, Variety
from domain.staff import Role
from domain.suitability.purchases import Purchase
from domain.suitability.rules import Outcome, match, standing
from projections.clients import ClientsView
from projections.funds import FundsView
from projections.shared.paging import paged
from projections.suitability.views import PurchasesView, ReviewsView, status_as_of

router = APIRouter(prefix="/api/v1", tags=["purchases"])
ADVISORS = Depends(roles(Role.ADMIN, Role.ADVISOR))
SERVICE = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT))
READERS = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE))
COMPLIANCE = Depends(roles(Role.ADMIN, Role.COMPLIANCE))


def _purchase_in_scope(purchase_id: UUID, engine: EngineDep, user: CurrentUser) -> UUID:
    """The purchase id from the path, once its client is in the user's branch scope."""
    if branch_scope(user) is not None:
        purchase = engine.handler(PurchaseCommands).load(Purchase, purchase_id)
        try:
            check_client(engine, user, purchase.client_id)
        except NotFound:
            raise NotFound(f"purchase {purchase_id} not found") from None
    return purchase_id


PurchaseId = Annotated[UUID, Depends(_purchase_in_scope)]


def _suitability(row: dict[str, Any]) -> Suitability:
    return Suitability.model_validate(row)


def _requested_result(result: Any, e: Purchase.Requested) -> PurchaseResult:
    a, d = e.inputs.assessment, e.decision
    return PurchaseResult(
        **asdict(result),
        status=e.status.value,
        suitability=Suitability(
            client_level=a.level if a else None,
            fund_rating=e.inputs.fund.risk_rating,
            outcome=d.outcome.value,
            mismatches=[m.model_dump() for m in d.mismatches],
            warning_text=d.warning_text,
            reason=d.reason,
            rule_version=d.rule_version,
            assessment_id=a.id if a else None,
            assessment_version=a.version if a else None,
            fund_version=e.inputs.fund.version,
        ),
    )


@router.get(
    "/clients/{client_id}/suitable-funds",
    dependencies=[READERS, Depends(fresh(ClientsView, FundsView))],
)
def suitable_funds(
    client_id: ClientId, engine: EngineDep, now: NowDep, limit: Limit = 100, cursor: Cursor = None
) -> Page[FundSummary]:
    """Funds that match the client on risk, horizon and variety, by code; all funds for an
    exempt professional investor; none without a valid assessment."""
    matching = suitable(client_id, engine, now)
    items, next_cursor = paged(matching, lambda f: (f["code"],), limit, cursor)
    return Page(items=[FundSummary.model_validate(f) for f in items], next_cursor=next_cursor)


def suitable(client_id: UUID, engine: Engine, now: datetime) -> list[dict[str, Any]]:
    client = engine.view(ClientsView).get(engine.db, client_id)
    if client is None:
        raise NotFound(f"client {client_id} not found")
    funds = engine.view(FundsView).search(engine.db)
    risk = client["risk"]
    expires_at = datetime.fromisoformat(risk["expires_at"]) if risk else None
    early = standing(
        client["investor_type"], client["suitability_exemption"]["exempt"], expires_at, now
    )
    if early is not None:
        return funds if early.outcome is Outcome.EXEMPT else []
    level, lowest = RiskLevel(risk["level"]), risk["lowest_category"]
    horizon, accepted = Horizon(risk["horizon"]), [Variety(v) for v in risk["varieties"]]
    return [
        f
        for f in funds
        if match(
            level,
            lowest,
            horizon,
            accepted,
            RiskRating(f["risk_rating"]),
            Horizon(f["horizon"]),
            Variety(f["variety"]),
        )
        == (Outcome.MATCH, ())
    ]


@router.post("/clients/{client_id}/purchases", status_code=201, dependencies=[ADVISORS])
def request_purchase(
    client_id: ClientId,
    body: PurchaseCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    response: Response,
) -> PurchaseResult:
    """Request a purchase: accepted on a match, confirmation required on a warning,
    rejected on a block or without a valid assessment; the decision is recorded."""
    taken = engine.handler(PurchaseCommands).request(
        ctx, client_id, body.fund_code, body.amount, idem
    )
    response.headers["Location"] = f"/api/v1/purchases/{taken.result.id}"
    return _requested_result(taken.result, taken.requested)


@router.post("/purchases/{purchase_id}/confirm", dependencies=[SERVICE])
def confirm_purchase(
    purchase_id: PurchaseId,
    body: PurchaseConfirm,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Record the override: the acknowledgement repeats the exact warning shown."""
    return WriteResult(
        **asdict(
            engine.handler(PurchaseCommands).confirm(
                ctx, purchase_id, body.acknowledgement, body.channel, idem
            )
        )
    )


@router.post("/purchases/{purchase_id}/cancel", dependencies=[SERVICE])
def cancel_purchase(
    purchase_id: PurchaseId,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    body: PurchaseCancel | None = None,
) -> WriteResult:
    """Cancel a purchase that waits for confirmation or was accepted."""
    reason = (body or PurchaseCancel()).reason
    return WriteResult.of(engine.handler(PurchaseCommands).cancel(ctx, purchase_id, reason, idem))


def _public(people: People, row: dict[str, Any], now: datetime) -> PurchasePublic:
    """A purchase as of now: one still waiting past its confirmation deadline has lapsed
    (the scheduler records the lapse; the read does not wait for it)."""
    row = people.one(row, "requested_by", "confirmed_by")
    return PurchasePublic.model_validate(
        {**row, "status": status_as_of(row, now), "suitability": _suitability(row)}
    )


@router.get("/purchases/{purchase_id}", dependencies=[READERS, Depends(fresh(PurchasesView))])
def get_purchase(
    purchase_id: PurchaseId, engine: EngineDep, people: PeopleDep, now: NowDep
) -> PurchasePublic:
    """One purchase with its suitability decision."""
    row = engine.view(PurchasesView).get(engine.db, purchase_id)
    if row is None:
        raise NotFound(f"purchase {purchase_id} not found")
    return _public(people, row, now)


@router.get(
    "/clients/{client_id}/purchases",
    dependencies=[READERS, Depends(fresh(PurchasesView, ClientsView))],
)
def client_purchases(
    client_id: ClientId,
    engine: EngineDep,
    people: PeopleDep,
    now: NowDep,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[PurchasePublic]:
    """The client's purchases, oldest first."""
    if engine.view(ClientsView).get(engine.db, client_id) is None:
        raise NotFound(f"client {client_id} not found")
    rows = engine.view(PurchasesView).of_client(engine.db, client_id)
    items, next_cursor = paged(rows, lambda r: (r["position"],), limit, cursor)
    return Page(items=[_public(people, r, now) for r in items], next_cursor=next_cursor)


@router.get(
    "/compliance/overrides", dependencies=[COMPLIANCE, Depends(fresh(PurchasesView, ClientsView))]
)
def overrides(
    engine: EngineDep,
    people: PeopleDep,
    start: Annotated[
        AwareDatetime | None, Query(alias="from", description="confirmed at or after")
    ] = None,
    end: Annotated[
        AwareDatetime | None, Query(alias="to", description="confirmed at or before")
    ] = None,
    branch: Annotated[str | None, Query(max_length=32, description="a branch code")] = None,
    fund: Annotated[str | None, Query(max_length=32, description="a fund code")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[OverrideEntry]:
    """The override register, oldest first: every confirmed warning, who confirmed it, how
    and when."""
    rows, next_cursor = engine.view(PurchasesView).overrides(
        engine.db, start=start, end=end, branch=branch, fund=fund, limit=limit, cursor=cursor
    )
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    return Page(
        items=[
            OverrideEntry.model_validate(
                {**r, "purchase_id": r["id"], "client_name": names.get(r["client_id"])}
            )
            for r in people.named(rows, "confirmed_by")
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/compliance/reviews", dependencies=[COMPLIANCE, Depends(fresh(ReviewsView, ClientsView))]
)
def reviews(engine: EngineDep, limit: Limit = 100, cursor: Cursor = None) -> Page[ReviewFlag]:
    """Clients holding a fund (bought, or in the positions last reported) rated above their
    level, because its rating rose or a new assessment lowered their level; oldest first."""
    rows = engine.view(ReviewsView).all(engine.db)
    items, next_cursor = paged(
        rows, lambda r: (r["position"], r["client_id"], r["fund_code"]), limit, cursor
    )
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in items])
    return Page(
        items=[
            ReviewFlag.model_validate({**r, "client_name": names.get(r["client_id"])})
            for r in items
        ],
        next_cursor=next_cursor,
    )
