"""Supplier routes (DOMAIN.md §6): quality engineers and admins change suppliers; material
project leaders and compliance officers read them too."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.compliance import AggregateAsOf, AsOf, aggregate_as_of
from api.engine import Engine
from api.shared.charts import radar_chart
from api.shared.deps import ContextDep, EngineDep, IdempotencyDep, NowDep, fresh, roles
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from api.staff import PeopleDep
from api.suppliers.schemas import (
    CA_ROUTES,
    AssessmentCreate,
    AssessmentResult,
    AvlRequest,
    AvlRow,
    CaStepBody,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    CorrectiveActionCreate,
    CorrectiveActionOpened,
    Labelled,
    ReasonBody,
    ScaleStep,
    Scorecard,
    SqsRequest,
    StageChange,
    SupplierCreate,
    SupplierDetail,
    SupplierSummary,
    VerifyBody,
)
from application.suppliers.commands import SupplierCommands
from domain.shared.errors import InvalidField, NotFound
from domain.staff import Role
from domain.suppliers.audits import SECTION_LABELS, AssessmentKind, Severity
from domain.suppliers.avl import AvlStatus
from domain.suppliers.checklist import CHECKLIST, FINDING_AREA_LABELS, SCALE
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import Stage
from domain.suppliers.sqs import SqsStep
from domain.suppliers.supplier import Supplier
from projections.suppliers.views import SuppliersView

router = APIRouter(prefix="/api/v1", tags=["suppliers"])
WRITE = Depends(roles(Role.ADMIN, Role.QUALITY))
READ = Depends(roles(Role.ADMIN, Role.QUALITY, Role.MPL, Role.COMPLIANCE))
FRESH = Depends(fresh(SuppliersView))


def held(engine: Engine, supplier_id: UUID) -> tuple[Supplier, dict[str, Any]]:
    found = engine.view(SuppliersView).load(engine.db, str(supplier_id))
    if found is None:
        raise NotFound(f"supplier {supplier_id} not found")
    supplier: Supplier = found[0]
    return supplier, found[1]


@router.post("/suppliers", status_code=201, dependencies=[WRITE])
def register(
    body: SupplierCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    response: Response,
) -> WriteResult:
    """Register a supplier with its sites and categories; it starts at stage contact."""
    result = engine.handler(SupplierCommands).register(
        ctx, body.name, [s.domain() for s in body.sites], body.categories, idem
    )
    response.headers["Location"] = f"/api/v1/suppliers/{result.id}"
    return WriteResult.of(result)


@router.get("/suppliers", dependencies=[READ, FRESH])
def search(
    engine: EngineDep,
    now: NowDep,
    stage: Annotated[Stage | None, Query(description="suppliers at this lifecycle stage")] = None,
    category: Annotated[
        str | None, Query(max_length=64, description="suppliers of this category")
    ] = None,
    avl: Annotated[AvlStatus | None, Query(description="AVL status in a category")] = None,
    overdue: Annotated[bool | None, Query(description="re-audit overdue")] = None,
    q: Annotated[str | None, Query(max_length=100, description="a fragment of the name")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SupplierSummary]:
    """Suppliers by name, filtered by stage, category, AVL status (in the category, if one
    is given), whether their re-audit is overdue, or a name fragment."""
    rows, next_cursor = engine.view(SuppliersView).search(
        engine.db,
        stage=stage.value if stage else None,
        category=category,
        avl=avl.value if avl else None,
        overdue=overdue,
        today=now.date(),
        limit=limit,
        cursor=cursor,
        q=q,
    )
    return Page(items=[SupplierSummary.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/suppliers/{supplier_id}", dependencies=[READ, FRESH])
def get_supplier(
    supplier_id: UUID, engine: EngineDep, response: Response, now: NowDep, as_of: AsOf = None
) -> SupplierDetail | AggregateAsOf:
    """Stage history, sites, latest scores, AVL per category, open corrective actions and
    the re-audit due date."""
    if as_of is not None:
        return aggregate_as_of(engine, Supplier, str(supplier_id), as_of)
    supplier, row = held(engine, supplier_id)
    response.headers["ETag"] = f'"{supplier.version}"'
    today = now.date()
    latest = supplier.latest()
    actions = [c.model_dump(mode="json") for c in supplier.corrective_actions.values()]
    return SupplierDetail(
        id=row["id"],
        version=supplier.version,
        name=supplier.name,
        stage=supplier.stage,
        status=supplier.status.value,
        status_reason=supplier.status_reason,
        strategic=supplier.strategic,
        sites=[s.model_dump() for s in supplier.sites],
        categories=supplier.categories,
        stage_history=[c.model_dump(mode="json") for c in supplier.stage_history],
        latest_scores=latest.model_dump(mode="json") if latest else None,
        assessments=[a.model_dump(mode="json") for a in supplier.assessments],
        avl={k: v.model_dump(mode="json") for k, v in supplier.avl.items()},
        sqs={k.value: v.model_dump(mode="json") for k, v in supplier.sqs.items()},
        open_corrective_actions=[a for a in actions if a["step"] != CaStep.CLOSED.value],
        corrective_actions=actions,
        reaudit_due_at=supplier.reaudit_due_at,
        reaudit_overdue=supplier.reaudit_overdue(today),
    )


@router.post("/suppliers/{supplier_id}/stage", dependencies=[WRITE])
def move(
    supplier_id: UUID, body: StageChange, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Move to the next stage; skipping one is a 409 naming the allowed next stages."""
    return WriteResult.of(
        engine.handler(SupplierCommands).move(ctx, supplier_id, body.to, body.note, idem)
    )


@router.post("/suppliers/{supplier_id}/suspend", dependencies=[WRITE])
def suspend(
    supplier_id: UUID, body: ReasonBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    return WriteResult.of(
        engine.handler(SupplierCommands).suspend(ctx, supplier_id, body.reason, idem)
    )


@router.post("/suppliers/{supplier_id}/disqualify", dependencies=[WRITE])
def disqualify(
    supplier_id: UUID, body: ReasonBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    return WriteResult.of(
        engine.handler(SupplierCommands).disqualify(ctx, supplier_id, body.reason, idem)
    )


@router.post("/suppliers/{supplier_id}/reinstate", dependencies=[WRITE])
def reinstate(
    supplier_id: UUID, body: ReasonBody, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Lift a suspension (a disqualification is final)."""
    return WriteResult.of(
        engine.handler(SupplierCommands).reinstate(ctx, supplier_id, body.reason, idem)
    )


@router.get("/supplier-audits/checklist", dependencies=[READ])
def checklist() -> Checklist:
    """The capability assessment's seven sections and their items (English and Chinese),
    what each score 0-4 means, and the areas and severities of findings."""
    return Checklist(
        sections=[
            ChecklistSection(
                key=s.key,
                number=s.number,
                label_en=s.label_en,
                label_zh=s.label_zh,
                items=[ChecklistItem(**asdict(i)) for i in s.items],
            )
            for s in CHECKLIST
        ],
        scale=[ScaleStep(score=k, meaning_en=en, meaning_zh=zh) for k, (en, zh) in SCALE.items()],
        finding_areas=[
            Labelled(key=a.value, label_en=en, label_zh=zh)
            for a, (en, zh) in FINDING_AREA_LABELS.items()
        ],
        severities=[s.value for s in Severity],
    )


@router.post("/suppliers/{supplier_id}/assessments", status_code=201, dependencies=[WRITE])
def assess(
    supplier_id: UUID,
    body: AssessmentCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> AssessmentResult:
    """Record a self-assessment or on-site audit over the 7 sections; answers with the
    section means, the overall mean and whether it passes the AVL policy."""
    done = engine.handler(SupplierCommands).assess(
        ctx,
        supplier_id,
        kind=body.kind,
        site=body.site,
        on=body.date,
        auditors=body.auditors,
        scores=body.section_scores(),
        findings=[f.domain() for f in body.findings],
        idem=idem,
    )
    a = done.assessment
    return AssessmentResult(
        **asdict(done.result),
        assessment_id=str(a.id),
        section_means=a.section_means,
        mean=a.mean,
        passed=a.passed,
        failing_sections=a.failing_sections,
    )


@router.get(
    "/suppliers/{supplier_id}/radar.svg",
    dependencies=[READ, FRESH],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def radar(
    supplier_id: UUID,
    engine: EngineDep,
    assessments: Annotated[
        str | None, Query(description="comma-separated assessment ids; default: latest of each")
    ] = None,
    size: Annotated[int, Query(ge=480, le=1600, description="the picture's side, in pixels")] = 640,
) -> Response:
    """Radar chart over the 7 sections: self-assessment against on-site audit (0-4)."""
    supplier, _ = held(engine, supplier_id)
    if assessments:
        wanted = [a.strip() for a in assessments.split(",") if a.strip()]
        by_id = {str(a.id): a for a in supplier.assessments}
        unknown = [w for w in wanted if w not in by_id]
        if unknown:
            raise InvalidField("assessments", f"not assessments of this supplier: {unknown}")
        chosen = [by_id[w] for w in wanted]
    else:
        latest = (supplier.latest(kind) for kind in AssessmentKind)
        chosen = [a for a in latest if a is not None]
    kinds = {AssessmentKind.SELF: "Self-assessment", AssessmentKind.ONSITE: "On-site audit"}
    series = [
        (f"{kinds[a.kind]}, {a.site}, {a.date.isoformat()}", a.kind.value, a.section_means)
        for a in chosen
    ]
    svg = radar_chart(
        f"{supplier.name}: capability",
        SECTION_LABELS,
        series,
        pass_line=float(engine.settings.supplier_policy.min_section),
        size=size,
    )
    return Response(svg, media_type="image/svg+xml")


@router.post("/suppliers/{supplier_id}/avl", dependencies=[WRITE])
def decide_avl(
    supplier_id: UUID, body: AvlRequest, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Approve (only on a passed, current on-site audit: else 409 with the failing
    sections), approve on conditions, suspend or withdraw a category."""
    return WriteResult.of(
        engine.handler(SupplierCommands).decide_avl(
            ctx, supplier_id, body.category, body.decision, body.reason, idem
        )
    )


@router.post("/suppliers/{supplier_id}/sqs", dependencies=[WRITE])
def rate_sqs(
    supplier_id: UUID, body: SqsRequest, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Rate one of the four 3SQS steps (0-4) with its evidence."""
    return WriteResult.of(
        engine.handler(SupplierCommands).rate_sqs(
            ctx, supplier_id, body.step, body.rating, body.evidence, idem
        )
    )


@router.post("/suppliers/{supplier_id}/corrective-actions", status_code=201, dependencies=[WRITE])
def open_corrective_action(
    supplier_id: UUID,
    body: CorrectiveActionCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> CorrectiveActionOpened:
    result, action_id = engine.handler(SupplierCommands).open_corrective_action(
        ctx, supplier_id, body.problem, body.part, body.severity, idem
    )
    return CorrectiveActionOpened(**asdict(result), corrective_action_id=str(action_id))


def _advance(step: str) -> Any:
    def advance(
        supplier_id: UUID,
        caid: UUID,
        body: CaStepBody,
        engine: EngineDep,
        ctx: ContextDep,
        idem: IdempotencyDep,
    ) -> WriteResult:
        return WriteResult.of(
            engine.handler(SupplierCommands).advance_corrective_action(
                ctx, supplier_id, caid, CA_ROUTES[step], body.text, None, idem
            )
        )

    advance.__name__ = f"corrective_action_{step}"
    advance.__doc__ = f"The {step} step of a corrective action, in order (else 409)."
    return advance


for _step in ("analysis", "action", "close"):
    router.post(
        f"/suppliers/{{supplier_id}}/corrective-actions/{{caid}}/{_step}", dependencies=[WRITE]
    )(_advance(_step))


@router.post("/suppliers/{supplier_id}/corrective-actions/{caid}/verify", dependencies=[WRITE])
def verify(
    supplier_id: UUID,
    caid: UUID,
    body: VerifyBody,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
) -> WriteResult:
    """Verify the action; an ineffective one goes back for a new action."""
    return WriteResult.of(
        engine.handler(SupplierCommands).advance_corrective_action(
            ctx, supplier_id, caid, CaStep.VERIFIED, body.text, body.effective, idem
        )
    )


@router.get("/suppliers/{supplier_id}/scorecard", dependencies=[READ, FRESH])
def scorecard(supplier_id: UUID, engine: EngineDep) -> Scorecard:
    """Audit trend, open and closed corrective actions, the 3SQS profile, AVL standing."""
    supplier, row = held(engine, supplier_id)
    audits = sorted(supplier.assessments, key=lambda a: (a.date, a.kind.value))
    closed = sum(1 for c in supplier.corrective_actions.values() if c.step is CaStep.CLOSED)
    return Scorecard(
        supplier_id=row["id"],
        name=supplier.name,
        audit_trend=[
            {"date": a.date.isoformat(), "kind": a.kind.value, "mean": a.mean, "passed": a.passed}
            for a in audits
        ],
        corrective_actions={
            "open": len(supplier.corrective_actions) - closed,
            "closed": closed,
        },
        sqs={step.value: (r.rating if (r := supplier.sqs.get(step)) else None) for step in SqsStep},
        avl={k: v.status.value for k, v in supplier.avl.items()},
        strategic=supplier.strategic,
    )


@router.get("/avl", dependencies=[READ, FRESH])
def approved_vendor_list(
    engine: EngineDep,
    people: PeopleDep,
    category: Annotated[str | None, Query(max_length=64, description="one category")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[AvlRow]:
    """The approved vendor list: approved and conditionally approved supplier categories,
    by category and supplier name."""
    rows, next_cursor = engine.view(SuppliersView).avl(engine.db, category, limit, cursor)
    return Page(
        items=[AvlRow.model_validate(r) for r in people.named(rows, "decided_by")],
        next_cursor=next_cursor,
    )
