"""Supplier quality on the console: the supplier list and register, the supplier's page
(its lifecycle as a stage line with only the allowed moves, sites, the approved vendor list
per category with the audit an approval would rest on, the 3SQS profile, the scorecard,
re-audit dates, corrective actions step by step, the history), the assessment form over the
checklist with its result and radar, and the open corrective actions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.compliance import shown
from api.shared.charts import RADAR_WORDS, radar_chart
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import (
    Refusal,
    attempt,
    conflict,
    fields,
    one_of,
    read,
    refused,
    text,
)
from api.staff import People
from api.suppliers.routes import held
from api.suppliers.schemas import AssessmentCreate, SupplierCreate
from application.compliance import History
from application.suppliers.commands import SupplierCommands
from domain.shared.errors import Conflict, InvalidField, NotFound
from domain.staff import Role
from domain.suppliers.audits import AssessmentKind, AuditNotPassed, Severity
from domain.suppliers.avl import AvlDecision, AvlStatus
from domain.suppliers.checklist import CHECKLIST, FINDING_AREA_LABELS, SCALE
from domain.suppliers.corrective import CA_NEXT, CaStep
from domain.suppliers.lifecycle import NEXT, Stage, StageSkipped
from domain.suppliers.sqs import SqsStep
from domain.suppliers.supplier import Supplier
from projections.suppliers.views import SuppliersView

router = APIRouter(include_in_schema=False)
READS = (SuppliersView,)
Readers = Annotated[
    Desk, Depends(staff(Role.ADMIN, Role.QUALITY, Role.MPL, Role.COMPLIANCE, reads=READS))
]
Quality = Annotated[Desk, Depends(staff(Role.ADMIN, Role.QUALITY, reads=READS))]
WRITERS = (Role.ADMIN, Role.QUALITY)
REPLAYERS = (Role.ADMIN, Role.COMPLIANCE)
LINE = list(Stage)[:8]  # contact ... delivery; then the repeating part
REPEATING = list(Stage)[8:]
FINDING_ROWS = 5
SITE_ROWS = 3
# The step a corrective action takes next, by the form that sends it.
STEP_FORMS = {CaStep.ANALYSED: "analysis", CaStep.ACTION_TAKEN: "action"}
STEP_FORMS |= {CaStep.VERIFIED: "verify", CaStep.CLOSED: "close"}
FORM_STEPS = {form: step for step, form in STEP_FORMS.items()}


def _filters(desk: Desk) -> dict[str, str | None]:
    q = desk.request.query_params
    return {
        "q": (q.get("q") or "").strip()[:100] or None,
        "stage": one_of(q.get("stage"), Stage, "stage"),
        "category": (q.get("category") or "").strip()[:64] or None,
        "avl": one_of(q.get("avl"), (*AvlStatus, "none"), "avl"),
        "overdue": one_of(q.get("overdue"), ("yes", "no"), "overdue"),
    }


@router.get("/suppliers")
def suppliers(desk: Readers) -> Response:
    """Suppliers by name with stage, categories and AVL standing, strategic status,
    re-audit due or overdue, open corrective actions; filtered; htmx asks for the rows."""
    engine = desk.engine
    chosen = _filters(desk)
    overdue = {"yes": True, "no": False}.get(chosen["overdue"] or "")
    rows, next_cursor = engine.view(SuppliersView).search(
        engine.db,
        stage=chosen["stage"],
        category=chosen["category"],
        avl=chosen["avl"],
        overdue=overdue,
        today=desk.today(),
        limit=50,
        cursor=desk.request.query_params.get("cursor") or None,
        q=chosen["q"],
    )
    values = {
        "rows": rows,
        "chosen": chosen,
        "next_cursor": next_cursor,
        "stages": list(Stage),
        "avl_statuses": list(AvlStatus),
        "may_change": desk.role in WRITERS,
    }
    fragment = bool(desk.request.headers.get("hx-request"))
    name = "suppliers/_rows.html" if fragment else "suppliers/list.html"
    return desk.page(name, 200, **values)


@router.get("/suppliers/new")
def new_supplier(desk: Quality) -> Response:
    return desk.page("suppliers/new.html", values={}, errors={}, rows=SITE_ROWS)


@router.post("/suppliers/new")
async def register(desk: Quality) -> Response:
    form = await desk.request.form()
    values = fields(form)
    sites = []
    for n in range(1, SITE_ROWS + 1):
        site = {
            k: str(values.get(f"site_{k}_{n}", "")).strip() for k in ("name", "country", "city")
        }
        if any(site.values()):
            sites.append(site)
    categories = [c.strip() for c in str(values.get("categories", "")).split(",") if c.strip()]
    try:
        body = read(
            SupplierCreate, {"name": values.get("name"), "sites": sites, "categories": categories}
        )
        done = desk.engine.handler(SupplierCommands).register(
            desk.context(),
            body.name,
            [s.domain() for s in body.sites],
            body.categories,
            desk.once(form),
        )
    except (Refusal, InvalidField) as e:
        errors = e.errors if isinstance(e, Refusal) else refused(e)
        errors = {k.split(".")[0]: v for k, v in errors.items()}
        return desk.page("suppliers/new.html", 422, values=values, errors=errors, rows=SITE_ROWS)
    return desk.redirect(f"/suppliers/{done.id}", done.position)


# -- the supplier's page ------------------------------------------------------------------


def _next_form(step: CaStep) -> str | None:
    """The form that records a corrective action's next step (none once closed)."""
    following = CA_NEXT[step]
    return STEP_FORMS[following] if following else None


def _supplier(desk: Desk, supplier_id: UUID) -> Supplier:
    supplier, _ = held(desk.engine, supplier_id)
    return supplier


def _approval(supplier: Supplier, desk: Desk) -> dict[str, Any]:
    """What an approval would rest on, before it is asked for: the last on-site audit,
    whether it passes the policy, which sections fail, whether it is out of date."""
    policy = desk.engine.settings.supplier_policy
    audit = supplier.last_onsite()
    overdue = supplier.reaudit_overdue(desk.today())
    return {
        "audit": audit,
        "passes": bool(audit and audit.passed and not overdue),
        "overdue": overdue,
        "min_section": policy.min_section,
        "min_mean": policy.min_mean,
    }


def _supplier_page(
    desk: Desk,
    supplier_id: UUID,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    refusal: dict[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    engine = desk.engine
    supplier = _supplier(desk, supplier_id)
    people = People.of(engine)
    events = engine.handler(History).events(Supplier, supplier_id)
    actions = sorted(supplier.corrective_actions.values(), key=lambda a: a.opened_at, reverse=True)
    decided_by = people.usernames(e.decided_by for e in supplier.avl.values())
    return desk.page(
        "suppliers/page.html",
        status,
        supplier=supplier,
        offers=supplier.offers() if desk.role in WRITERS else frozenset(),
        line=LINE,
        reached=LINE.index(supplier.stage) if supplier.stage in LINE else len(LINE),
        repeating=REPEATING,
        next_stages=NEXT[supplier.stage],
        approval=_approval(supplier, desk),
        decided_by=decided_by,
        decisions=list(AvlDecision),
        sqs_steps=list(SqsStep),
        actions=actions,
        next_step={str(a.id): _next_form(a.step) for a in actions},
        severities=list(Severity),
        assessments=sorted(
            supplier.assessments, key=lambda a: (a.date, a.kind.value), reverse=True
        ),
        radar=_radar(desk, supplier, None),
        sections=CHECKLIST,
        history=list(reversed(shown(people, events))),
        may_replay=desk.role in REPLAYERS,
        errors=dict(errors or {}),
        refusal=refusal,
        values=dict(values or {}),
    )


def _radar(desk: Desk, supplier: Supplier, chosen: Any) -> str:
    """The radar of self-assessment against on-site audit (the latest of each, or the
    chosen assessment beside the latest of the other kind), in the reader's language."""
    zh = desk.locale.startswith("zh")
    axes = {s.key: s.label_zh if zh else s.label_en for s in CHECKLIST}
    shown_ = []
    for kind in AssessmentKind:
        a = chosen if chosen is not None and chosen.kind is kind else supplier.latest(kind)
        if a is not None:
            label = desk.gettext("assessment:" + kind.value)
            shown_.append(
                (f"{label}, {a.site}, {desk.formats.day(a.date)}", kind.value, a.section_means)
            )
    words = {english: desk.gettext(english) for english in RADAR_WORDS}
    return radar_chart(
        desk.gettext("Capability") + f": {supplier.name}",
        axes,
        shown_,
        pass_line=float(desk.engine.settings.supplier_policy.min_section),
        size=560,
        words=words,
    )


@router.get("/suppliers/{supplier_id}")
def supplier_page(desk: Readers, supplier_id: UUID) -> Response:
    return _supplier_page(desk, supplier_id)


Command = Callable[[SupplierCommands, Any, Mapping[str, Any], Any], Any]


async def _act(desk: Desk, supplier_id: UUID, command: Command, anchor: str) -> Response:
    """Run one of the supplier's commands with the form's fields: done, back to the page
    at ``anchor``; refused, the page again with the refusal where it belongs."""
    _supplier(desk, supplier_id)
    commands = desk.engine.handler(SupplierCommands)
    return await attempt(
        desk,
        lambda values, idem: command(commands, desk.context(), values, idem),
        partial(_supplier_page, desk, supplier_id),
        f"/suppliers/{supplier_id}#{anchor}",
        _refusal,
    )


def _refusal(error: Conflict, values: Mapping[str, Any]) -> dict[str, Any]:
    """An approval on a failing audit names the failing sections; a skipped stage, the
    stage asked for; other rules speak for themselves."""
    if isinstance(error, AuditNotPassed):
        return {"kind": "audit", "failing": error.failing, "detail": str(error)}
    if isinstance(error, StageSkipped):
        return {"kind": "stage", "to": str(values.get("to", "")), "detail": str(error)}
    return conflict(error, values)


@router.post("/suppliers/{supplier_id}/stage")
async def move(desk: Quality, supplier_id: UUID) -> Response:
    def moved(c: SupplierCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        to = one_of(v.get("to"), Stage, "to")
        if to is None:
            raise Refusal({"to": "required"})
        note = str(v.get("note", "")).strip()[:500] or None
        return c.move(ctx, supplier_id, Stage(to), note, idem)

    return await _act(desk, supplier_id, moved, "lifecycle")


@router.post("/suppliers/{supplier_id}/status")
async def change_status(desk: Quality, supplier_id: UUID) -> Response:
    """Suspend, disqualify or reinstate, with a reason."""

    def changed(c: SupplierCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        what = one_of(v.get("what"), ("suspend", "disqualify", "reinstate"), "what")
        if what is None:
            raise Refusal({"what": "required"})
        reason = text(v, "status_reason", 500)
        return getattr(c, what)(ctx, supplier_id, reason, idem)

    return await _act(desk, supplier_id, changed, "lifecycle")


@router.post("/suppliers/{supplier_id}/avl")
async def decide_avl(desk: Quality, supplier_id: UUID) -> Response:
    def decided(c: SupplierCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        decision = one_of(v.get("decision"), AvlDecision, "decision")
        category = str(v.get("category", "")).strip()
        if decision is None or not category:
            raise Refusal({"decision" if decision is None else "category": "required"})
        reason = text(v, "avl_reason", 500)
        return c.decide_avl(ctx, supplier_id, category, AvlDecision(decision), reason, idem)

    return await _act(desk, supplier_id, decided, "avl")


@router.post("/suppliers/{supplier_id}/sqs")
async def rate_sqs(desk: Quality, supplier_id: UUID) -> Response:
    def rated(c: SupplierCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        step = one_of(v.get("step"), SqsStep, "step")
        rating = one_of(v.get("rating"), ("0", "1", "2", "3", "4"), "rating")
        if step is None or rating is None:
            raise Refusal({"step" if step is None else "rating": "required"})
        evidence = text(v, "evidence")
        return c.rate_sqs(ctx, supplier_id, SqsStep(step), int(rating), evidence, idem)

    return await _act(desk, supplier_id, rated, "sqs")


@router.post("/suppliers/{supplier_id}/actions")
async def open_action(desk: Quality, supplier_id: UUID) -> Response:
    def opened(c: SupplierCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        severity = one_of(v.get("severity"), Severity, "severity")
        if severity is None:
            raise Refusal({"severity": "required"})
        problem = text(v, "problem")
        part = str(v.get("part", "")).strip()[:64] or None
        result, _ = c.open_corrective_action(
            ctx, supplier_id, problem, part, Severity(severity), idem
        )
        return result

    return await _act(desk, supplier_id, opened, "actions")


@router.post("/suppliers/{supplier_id}/actions/{action_id}/{step}")
async def advance_action(desk: Quality, supplier_id: UUID, action_id: UUID, step: str) -> Response:
    """One step of a corrective action; a verification says whether the action worked
    (an ineffective one goes back to a new analysis and action)."""
    if step not in FORM_STEPS:
        raise NotFound(f"no step {step}")

    def advanced(c: SupplierCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        effective = None
        if step == "verify":
            answer = one_of(v.get("effective"), ("yes", "no"), "effective")
            if answer is None:
                raise Refusal({"effective": "required"})
            effective = answer == "yes"
        said = text(v, f"text_{action_id}")
        return c.advance_corrective_action(
            ctx, supplier_id, action_id, FORM_STEPS[step], said, effective, idem
        )

    return await _act(desk, supplier_id, advanced, "actions")


# -- assessments --------------------------------------------------------------------------


def _checklist(desk: Desk) -> dict[str, Any]:
    zh = desk.locale.startswith("zh")
    return {
        "sections": CHECKLIST,
        "zh": zh,
        "scale": {k: zh_ if zh else en for k, (en, zh_) in SCALE.items()},
        "areas": {a.value: (zh_ if zh else en) for a, (en, zh_) in FINDING_AREA_LABELS.items()},
        "severities": list(Severity),
        "kinds": list(AssessmentKind),
        "finding_rows": FINDING_ROWS,
    }


@router.get("/suppliers/{supplier_id}/assessments/new")
def assessment_form(desk: Quality, supplier_id: UUID, kind: str = "onsite") -> Response:
    supplier = _supplier(desk, supplier_id)
    chosen = one_of(kind, AssessmentKind, "kind") or "onsite"
    values = {"kind": chosen, "date": desk.today().isoformat()}
    return desk.page(
        "suppliers/assess.html", supplier=supplier, values=values, errors={}, **_checklist(desk)
    )


@router.post("/suppliers/{supplier_id}/assessments/new")
async def assess(desk: Quality, supplier_id: UUID) -> Response:
    """Record the assessment from the form: every item's score, the findings written."""
    supplier = _supplier(desk, supplier_id)
    form = await desk.request.form()
    values = fields(form)
    by_item = {k.removeprefix("item:"): v for k, v in values.items() if k.startswith("item:")}
    findings = []
    for n in range(1, FINDING_ROWS + 1):
        finding = str(values.get(f"finding_text_{n}", "")).strip()
        if finding:
            findings.append(
                {
                    "area": values.get(f"finding_area_{n}"),
                    "severity": values.get(f"finding_severity_{n}"),
                    "text": finding,
                }
            )
    auditors = [a.strip() for a in str(values.get("auditors", "")).split(",") if a.strip()]
    data = {
        "kind": values.get("kind"),
        "site": values.get("site"),
        "date": values.get("date"),
        "auditors": auditors,
        "scores_by_item": by_item,
        "findings": findings,
    }
    try:
        body = read(AssessmentCreate, data)
        done = desk.engine.handler(SupplierCommands).assess(
            desk.context(),
            supplier_id,
            kind=body.kind,
            site=body.site,
            on=body.date,
            auditors=body.auditors,
            scores=body.section_scores(),
            findings=[f.domain() for f in body.findings],
            idem=desk.once(form),
        )
    except (Refusal, InvalidField) as e:
        errors = e.errors if isinstance(e, Refusal) else refused(e)
        errors = {k.removeprefix("scores_by_item."): v for k, v in errors.items()}
        return desk.page(
            "suppliers/assess.html",
            422,
            supplier=supplier,
            values=values,
            errors=errors,
            **_checklist(desk),
        )
    return desk.redirect(
        f"/suppliers/{supplier_id}/assessments/{done.assessment.id}", done.result.position
    )


@router.get("/suppliers/{supplier_id}/assessments/{assessment_id}")
def assessment_page(desk: Readers, supplier_id: UUID, assessment_id: UUID) -> Response:
    """An assessment's result: section means, the mean, the verdict under the policy, the
    failing sections, the findings, and the radar against the other kind."""
    supplier = _supplier(desk, supplier_id)
    found = [a for a in supplier.assessments if a.id == assessment_id]
    if not found:
        raise NotFound(f"assessment {assessment_id} not found")
    policy = desk.engine.settings.supplier_policy
    return desk.page(
        "suppliers/assessment.html",
        supplier=supplier,
        assessment=found[0],
        radar=_radar(desk, supplier, found[0]),
        policy=policy,
        **_checklist(desk),
    )


# -- corrective actions across suppliers ------------------------------------------------


@router.get("/corrective-actions")
def open_actions(desk: Readers, who: str = "mine") -> Response:
    """The open corrective actions: one's own (those one opened), or everyone's."""
    chosen = one_of(who, ("mine", "all"), "who") or "mine"
    engine = desk.engine
    rows, next_cursor = engine.view(SuppliersView).open_actions(
        engine.db,
        desk.me.user_id if chosen == "mine" else None,
        100,
        desk.request.query_params.get("cursor") or None,
    )
    rows = People.of(engine).named(rows, "opened_by")
    return desk.page("suppliers/actions.html", rows=rows, who=chosen, next_cursor=next_cursor)
