"""Risk-tolerance assessment routes (DOMAIN.md §2)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Response

from api.clients.schemas import (
    AssessmentCreate,
    AssessmentResult,
    ExemptionCreate,
    QuestionnairePublic,
)
from api.clients.scope import ClientId
from api.shared.deps import ContextDep, EngineDep, IdempotencyDep, roles
from api.shared.schemas import WriteResult
from application.clients.risk import RiskCommands
from domain.staff import Role

router = APIRouter(prefix="/api/v1", tags=["risk assessment"])
ADVISORS = Depends(roles(Role.ADMIN, Role.ADVISOR))
SERVICE = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT))
READERS = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE))


@router.get("/questionnaires/current", dependencies=[READERS])
def current_questionnaire(engine: EngineDep) -> QuestionnairePublic:
    """The questionnaire to answer now, without its scores."""
    return QuestionnairePublic.model_validate(engine.handler(RiskCommands).current.model_dump())


@router.post("/clients/{client_id}/risk-assessments", status_code=201, dependencies=[ADVISORS])
def take_assessment(
    client_id: ClientId,
    body: AssessmentCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    response: Response,
) -> AssessmentResult:
    """Score the client's answers; the result becomes the client's current assessment."""
    taken = engine.handler(RiskCommands).assess(
        ctx, client_id, body.questionnaire_version, body.answers, idem
    )
    e = taken.assessed
    response.headers["Location"] = f"/api/v1/clients/{client_id}"
    return AssessmentResult(
        **asdict(taken.result),
        score=e.score,
        risk_level=e.level,
        horizon=e.horizon,
        varieties=list(e.varieties),
        lowest_category=e.lowest_category,
        review_due_at=e.review_due_at,
        expires_at=e.expires_at,
    )


@router.post("/clients/{client_id}/risk-assessments/confirm", dependencies=[SERVICE])
def confirm_profile(
    client_id: ClientId, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Record that the client confirmed an unchanged profile (the review moves)."""
    return WriteResult.of(engine.handler(RiskCommands).confirm(ctx, client_id, idem))


@router.post("/clients/{client_id}/suitability-exemption", dependencies=[ADVISORS])
def record_exemption(
    client_id: ClientId,
    body: ExemptionCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Exempt a professional investor from the questionnaire (409 for others)."""
    return WriteResult.of(engine.handler(RiskCommands).exempt(ctx, client_id, body.reason, idem))
