"""CQP plan routes (DOMAIN.md §7): the material project leader prepares the plan (phase 1);
quality engineers and MPLs record targets, deliverables, actuals and milestones."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.compliance import AggregateAsOf, AsOf, aggregate_as_of
from api.cqp.schemas import (
    ActualsResult,
    Board,
    BoardRow,
    DeliverableBody,
    EvaluateBody,
    MeasuresBody,
    MilestonePass,
    PlanCreate,
    PlanDetail,
    PlanSummary,
    ReviewBody,
    TeamBody,
)
from api.engine import Engine
from api.shared.deps import ContextDep, EngineDep, IdempotencyDep, NowDep, fresh, roles
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from api.staff import PeopleDep
from application.cqp.commands import CQPCommands
from domain.cqp.milestones import MILESTONES, Milestone
from domain.cqp.phases import Phase
from domain.cqp.plan import CQPPlan
from domain.cqp.policy import CQPPolicy
from domain.shared.errors import NotFound
from domain.staff import Role
from projections.cqp.views import CQPPlansView, board_row
from projections.suppliers import SuppliersView

router = APIRouter(prefix="/api/v1", tags=["cqp"])
WRITE = Depends(roles(Role.ADMIN, Role.QUALITY, Role.MPL))
READ = Depends(roles(Role.ADMIN, Role.QUALITY, Role.MPL, Role.COMPLIANCE))
FRESH = Depends(fresh(CQPPlansView))
WITH_SUPPLIERS = Depends(fresh(CQPPlansView, SuppliersView))


@router.post("/cqp-plans", status_code=201, dependencies=[WRITE])
def create(
    body: PlanCreate, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep, response: Response
) -> WriteResult:
    """Open a plan for one component of one programme with one supplier; it needs at least
    one of the 7 criteria and a planned date for every milestone A0-E5, in order."""
    result = engine.handler(CQPCommands).create(
        ctx,
        programme=body.programme,
        component=body.component,
        supplier_id=body.supplier_id,
        criteria=body.criteria,
        milestone_plan=body.milestone_plan,
        idem=idem,
    )
    response.headers["Location"] = f"/api/v1/cqp-plans/{result.id}"
    return WriteResult.of(result)


@router.post("/cqp-plans/{plan_id}/evaluate", dependencies=[WRITE])
def evaluate(
    plan_id: UUID, body: EvaluateBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Accept or reject the request for a plan, with the reason."""
    return WriteResult.of(
        engine.handler(CQPCommands).evaluate(ctx, plan_id, body.accepted, body.reason, idem)
    )


@router.post("/cqp-plans/{plan_id}/review", dependencies=[WRITE])
def review(
    plan_id: UUID, body: ReviewBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """The review with SQM/SQE, PM, programme and component engineering (by role)."""
    participants = [m.domain() for m in body.participants]
    return WriteResult.of(engine.handler(CQPCommands).review(ctx, plan_id, participants, idem))


@router.post("/cqp-plans/{plan_id}/agree", dependencies=[WRITE])
def agree(plan_id: UUID, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep) -> WriteResult:
    """Record the agreement that closes the review."""
    return WriteResult.of(engine.handler(CQPCommands).agree(ctx, plan_id, idem))


@router.post("/cqp-plans/{plan_id}/team", dependencies=[WRITE])
def team(
    plan_id: UUID, body: TeamBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Set the team; it needs a material project leader (role MPL)."""
    members = [m.domain() for m in body.members]
    return WriteResult.of(engine.handler(CQPCommands).set_team(ctx, plan_id, members, idem))


@router.post("/cqp-plans/{plan_id}/targets", dependencies=[WRITE])
def targets(
    plan_id: UUID, body: MeasuresBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Targets: dpm in application, dpm against specification, FIT, Cpk, field-failure
    rate, each with its unit."""
    return WriteResult.of(
        engine.handler(CQPCommands).set_targets(ctx, plan_id, body.measures, idem)
    )


@router.post("/cqp-plans/{plan_id}/actuals", dependencies=[WRITE])
def actuals(
    plan_id: UUID, body: MeasuresBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> ActualsResult:
    """Measured values; answers each one's status against its target (green, amber, red
    by the policy's tolerance)."""
    result, status = engine.handler(CQPCommands).record_actuals(ctx, plan_id, body.measures, idem)
    return ActualsResult(
        **WriteResult.of(result).model_dump(), status={k: v.value for k, v in status.items()}
    )


@router.post("/cqp-plans/{plan_id}/deliverables", status_code=201, dependencies=[WRITE])
def deliverable(
    plan_id: UUID, body: DeliverableBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Record a deliverable; it counts for milestones once accepted."""
    return WriteResult.of(
        engine.handler(CQPCommands).record_deliverable(
            ctx, plan_id, body.kind, body.reference, body.accepted_by, idem
        )
    )


@router.post("/cqp-plans/{plan_id}/milestones/{code}/pass", dependencies=[WRITE])
def pass_milestone(
    plan_id: UUID,
    code: Milestone,
    body: MilestonePass,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Pass the next milestone (out of order: 409); missing required deliverables need a
    waiver naming them, with a reason and an approver (else 409 listing them)."""
    return WriteResult.of(
        engine.handler(CQPCommands).pass_milestone(
            ctx,
            plan_id,
            code,
            body.date,
            body.note,
            body.waiver.domain() if body.waiver else None,
            idem,
        )
    )


def plan_of(engine: Engine, plan_id: UUID) -> CQPPlan:
    found = engine.view(CQPPlansView).load(engine.db, str(plan_id))
    if found is None:
        raise NotFound(f"CQP plan {plan_id} not found")
    plan: CQPPlan = found[0]
    return plan


@router.get("/cqp-plans/{plan_id}", dependencies=[READ, WITH_SUPPLIERS])
def get_plan(
    plan_id: UUID,
    engine: EngineDep,
    people: PeopleDep,
    response: Response,
    now: NowDep,
    as_of: AsOf = None,
) -> PlanDetail | AggregateAsOf:
    """Phase, team, targets against actuals, deliverables, milestones planned against
    passed, and the waivers."""
    if as_of is not None:
        return aggregate_as_of(engine, CQPPlan, str(plan_id), as_of)
    plan = plan_of(engine, plan_id)
    response.headers["ETag"] = f'"{plan.version}"'
    policy = engine.settings.cqp_policy
    return PlanDetail(
        id=str(plan.id),
        version=plan.version,
        programme=plan.programme,
        component=plan.component,
        supplier_id=str(plan.supplier_id),
        supplier_name=_supplier_names(engine, [plan]).get(str(plan.supplier_id)),
        criteria=plan.criteria,
        phase=plan.phase().value,
        evaluation=plan.evaluation.model_dump() if plan.evaluation else None,
        reviewers=plan.reviewers,
        agreed_at=plan.agreed_at,
        team=plan.team,
        targets=target_rows(plan, policy),
        deliverables=[d.model_dump(mode="json") for d in plan.deliverables],
        milestones=people.named(milestone_rows(plan, policy, now.date()), "passed_by"),
        next_milestone=plan.next_milestone(),
        waivers=[
            {"milestone": p.milestone.value, "date": p.date.isoformat(), **p.waiver.model_dump()}
            for p in plan.passed
            if p.waiver is not None
        ],
    )


def target_rows(plan: CQPPlan, policy: CQPPolicy) -> list[dict[str, Any]]:
    """Each measured kind: its target, its actual and their status (green, amber, red)."""
    status = plan.status(policy.amber_tolerance)
    return [
        {
            "kind": kind,
            "unit": (plan.targets.get(kind) or plan.actuals[kind]).unit,
            "target": str(t.value) if (t := plan.targets.get(kind)) else None,
            "actual": str(a.value) if (a := plan.actuals.get(kind)) else None,
            "status": status[kind].value if kind in status else None,
        }
        for kind in dict.fromkeys([*plan.targets, *plan.actuals])
    ]


def milestone_rows(plan: CQPPlan, policy: CQPPolicy, today: date) -> list[dict[str, Any]]:
    """Each milestone planned against passed, overdue as of ``today``, and what it needs."""
    passed = {p.milestone: p for p in plan.passed}
    late = set(plan.overdue(today))
    return [
        {
            "code": m.value,
            "planned": plan.milestone_plan[m].isoformat(),
            "passed": passed[m].date.isoformat() if m in passed else None,
            "passed_by": passed[m].passed_by if m in passed else None,
            "note": passed[m].note if m in passed else None,
            "overdue": m in late,
            "required": [k.value for k in policy.required.get(m, ())],
        }
        for m in MILESTONES
    ]


def _supplier_names(engine: Engine, plans: list[CQPPlan]) -> dict[str, str]:
    return engine.view(SuppliersView).names(engine.db, [str(p.supplier_id) for p in plans])


Programme = Annotated[str | None, Query(max_length=100, description="one programme")]
SupplierFilter = Annotated[UUID | None, Query(description="one supplier's plans")]


@router.get("/cqp-plans", dependencies=[READ, WITH_SUPPLIERS])
def list_plans(
    engine: EngineDep,
    now: NowDep,
    programme: Programme = None,
    supplier_id: SupplierFilter = None,
    phase: Annotated[Phase | None, Query(description="plans in this phase")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PlanSummary]:
    """CQP plans by programme and component: each one's supplier, phase, next milestone
    and whether a milestone is overdue."""
    rows, next_cursor = engine.view(CQPPlansView).plans(
        engine.db, programme, supplier_id, phase.value if phase else None, limit, cursor
    )
    plans = [plan for plan, _ in rows]
    names = _supplier_names(engine, plans)
    return Page(
        items=[
            PlanSummary(
                id=str(p.id),
                version=p.version,
                programme=p.programme,
                component=p.component,
                supplier_id=str(p.supplier_id),
                supplier_name=names.get(str(p.supplier_id)),
                phase=p.phase().value,
                next_milestone=nxt,
                next_due=p.milestone_plan[nxt] if nxt else None,
                overdue=[m.value for m in p.overdue(now.date())],
                updated_at=p.modified_on,
            )
            for p in plans
            for nxt in [p.next_milestone()]
        ],
        next_cursor=next_cursor,
    )


@router.get("/cqp-board", dependencies=[READ, WITH_SUPPLIERS])
def board(
    engine: EngineDep, now: NowDep, programme: Programme = None, supplier_id: SupplierFilter = None
) -> Board:
    """One row per plan (the first 1,000 by programme and component), one column per
    milestone A0-E5: planned against passed, overdue marked."""
    today = now.date()
    rows, _ = engine.view(CQPPlansView).plans(engine.db, programme, supplier_id)
    plans = [plan for plan, _ in rows]
    names = _supplier_names(engine, plans)
    return Board(
        milestones=[m.value for m in MILESTONES],
        rows=[
            BoardRow.model_validate(
                {**board_row(plan, today), "supplier_name": names.get(str(plan.supplier_id))}
            )
            for plan in plans
        ],
    )
