"""Component Quality Planning on the console: the board an MPL opens first (one row per
plan, one column per milestone A0-E5, overdue marked), a new plan, and the plan's page
(phase 1 step by step, targets and actuals with each dpm kind apart, deliverables, the
milestones planned against passed, and passing the next one: what the policy requires, what
is missing, and the waiver that must cover it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter, ValidationError

from api.cqp.routes import milestone_rows, plan_of, target_rows
from api.cqp.schemas import PlanCreate
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
from application.cqp.commands import CQPCommands
from domain.cqp.measures import Measure
from domain.cqp.milestones import (
    MILESTONES,
    DeliverableKind,
    Milestone,
    OutOfOrder,
    Waiver,
    WaiverNeeded,
)
from domain.cqp.phases import Criterion, Member
from domain.cqp.policy import CQPPolicy
from domain.shared.errors import Conflict, InvalidField
from domain.staff import Role
from projections.cqp.views import CQPPlansView, board_row
from projections.suppliers import SuppliersView

router = APIRouter(include_in_schema=False)
READS = (CQPPlansView, SuppliersView)
Readers = Annotated[
    Desk, Depends(staff(Role.ADMIN, Role.QUALITY, Role.MPL, Role.COMPLIANCE, reads=READS))
]
Planners = Annotated[Desk, Depends(staff(Role.ADMIN, Role.QUALITY, Role.MPL, reads=READS))]
WRITERS = (Role.ADMIN, Role.QUALITY, Role.MPL)
REPLAYERS = (Role.ADMIN, Role.COMPLIANCE)
# The kinds of measure, in the order the page lists them: the two dpm kinds first, apart.
KINDS = ("dpm_application", "dpm_specification", "fit", "cpk", "field_failure_rate")
UNITS = {"dpm_application": "dpm", "dpm_specification": "dpm", "fit": "FIT"}
UNITS |= {"cpk": "index", "field_failure_rate": "ppm/year"}
# Who reviews a plan (DOMAIN.md §7): the roles the review form offers.
REVIEW_ROLES = ("SQM", "SQE", "PM", "Programme", "Component engineering")
MEMBER_ROWS = 5
MEASURES: TypeAdapter[list[Measure]] = TypeAdapter(list[Measure])


@router.get("/cqp")
def board(desk: Readers) -> Response:
    """The CQP board: filtered by programme and supplier."""
    engine = desk.engine
    q = desk.request.query_params
    programme = (q.get("programme") or "").strip()[:100] or None
    supplier = (q.get("supplier_id") or "").strip() or None
    supplier_id = None
    if supplier:
        try:
            supplier_id = UUID(supplier)
        except ValueError:
            raise InvalidField("supplier_id", "not a supplier's id") from None
    rows, _ = engine.view(CQPPlansView).plans(engine.db, programme, supplier_id)
    plans = [plan for plan, _ in rows]
    names = engine.view(SuppliersView).names(engine.db, [str(p.supplier_id) for p in plans])
    today = desk.today()
    return desk.page(
        "cqp/board.html",
        rows=[
            {**board_row(p, today), "supplier_name": names.get(str(p.supplier_id), "")}
            for p in plans
        ],
        milestones=MILESTONES,
        chosen={"programme": programme, "supplier_id": supplier},
        suppliers=_suppliers(desk),
        may_plan=desk.role in WRITERS,
    )


def _suppliers(desk: Desk) -> list[dict[str, Any]]:
    rows, _ = desk.engine.view(SuppliersView).search(
        desk.engine.db,
        stage=None,
        category=None,
        avl=None,
        overdue=None,
        today=desk.today(),
        limit=500,
    )
    return rows


@router.get("/cqp/new")
def new_plan(desk: Planners, supplier_id: str = "") -> Response:
    return _new_page(desk, {"supplier_id": supplier_id[:36]}, {})


def _new_page(
    desk: Desk, values: Mapping[str, Any], errors: Mapping[str, str], status: int = 200
) -> Response:
    return desk.page(
        "cqp/new.html",
        status,
        values=values,
        errors=errors,
        suppliers=_suppliers(desk),
        criteria=list(Criterion),
        milestones=MILESTONES,
    )


@router.post("/cqp/new")
async def create(desk: Planners) -> Response:
    form = await desk.request.form()
    values = fields(form)
    chosen = form.getlist("criteria")
    values["criteria"] = chosen
    data = {
        "programme": values.get("programme"),
        "component": values.get("component"),
        "supplier_id": values.get("supplier_id"),
        "criteria": chosen,
    }
    try:
        body = read(PlanCreate, {**data, "milestone_plan": _dates(values)})
        if not body.criteria:
            raise Refusal({"criteria": "required"})
        done = desk.engine.handler(CQPCommands).create(
            desk.context(),
            programme=body.programme,
            component=body.component,
            supplier_id=body.supplier_id,
            criteria=body.criteria,
            milestone_plan=body.milestone_plan,
            idem=desk.once(form),
        )
    except (Refusal, InvalidField) as e:
        errors = e.errors if isinstance(e, Refusal) else refused(e)
        return _new_page(desk, values, _plan_fields(errors), 422)
    return desk.redirect(f"/cqp/{done.id}", done.position)


def _plan_fields(errors: Mapping[str, str]) -> dict[str, str]:
    """Errors by the form's own field names (``milestone_plan.A2`` is ``plan_A2``)."""
    prefix = "milestone_plan."
    return {
        ("plan_" + k.removeprefix(prefix) if k.startswith(prefix) else k): v
        for k, v in errors.items()
    }


def _dates(values: Mapping[str, Any]) -> dict[str, str]:
    """The milestone dates typed, each checked on its own (a bad one names its field)."""
    dates, errors = {}, {}
    for m in MILESTONES:
        text = str(values.get(f"plan_{m.value}", "")).strip()
        if not text:
            continue
        try:
            dates[m.value] = date.fromisoformat(text).isoformat()
        except ValueError:
            errors[f"plan_{m.value}"] = "invalid"
    if errors:
        raise Refusal(errors)
    return dates


# -- the plan's page ----------------------------------------------------------------------


def _plan_page(
    desk: Desk,
    plan_id: UUID,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    refusal: dict[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    engine = desk.engine
    plan = plan_of(engine, plan_id)
    policy = engine.settings.cqp_policy
    people = People.of(engine)
    nxt = plan.next_milestone()
    supplier = engine.view(SuppliersView).names(engine.db, [str(plan.supplier_id)])
    return desk.page(
        "cqp/plan.html",
        status,
        plan=plan,
        phase=plan.phase().value,
        supplier_name=supplier.get(str(plan.supplier_id), ""),
        offers=plan.offers() if desk.role in WRITERS else frozenset(),
        targets={t["kind"]: t for t in target_rows(plan, policy)},
        kinds=KINDS,
        units=UNITS,
        milestones=people.named(milestone_rows(plan, policy, desk.today()), "passed_by"),
        waivers={p.milestone.value: p.waiver for p in plan.passed if p.waiver},
        next=nxt,
        required=_required(policy, nxt),
        missing=[k.value for k in plan.missing_for(nxt, policy)] if nxt else [],
        deliverable_kinds=list(DeliverableKind),
        review_roles=REVIEW_ROLES,
        member_rows=MEMBER_ROWS,
        may_replay=desk.role in REPLAYERS,
        errors=dict(errors or {}),
        refusal=refusal,
        values=dict(values or {}),
    )


def _required(policy: CQPPolicy, milestone: Milestone | None) -> list[str]:
    """What the policy requires accepted by ``milestone`` (its own and every earlier
    one's deliverables)."""
    if milestone is None:
        return []
    upto = MILESTONES[: MILESTONES.index(milestone) + 1]
    return list(dict.fromkeys(k.value for m in upto for k in policy.required.get(m, ())))


@router.get("/cqp/{plan_id}")
def plan_page(desk: Readers, plan_id: UUID) -> Response:
    return _plan_page(desk, plan_id)


Command = Callable[[CQPCommands, Any, Mapping[str, Any], Any], Any]


async def _act(desk: Desk, plan_id: UUID, command: Command, anchor: str) -> Response:
    """Run one of the plan's commands with the form's fields: done, back to the page at
    ``anchor``; refused, the page again with the refusal where it belongs."""
    plan_of(desk.engine, plan_id)
    commands = desk.engine.handler(CQPCommands)
    return await attempt(
        desk,
        lambda values, idem: command(commands, desk.context(), values, idem),
        partial(_plan_page, desk, plan_id),
        f"/cqp/{plan_id}#{anchor}",
        _refusal,
        lists=("waive",),
    )


def _refusal(error: Conflict, values: Mapping[str, Any]) -> dict[str, Any]:
    """A milestone out of order names the next one; a waiver short of what is missing,
    what it leaves uncovered; other rules speak for themselves."""
    if isinstance(error, OutOfOrder):
        expected = error.expected.value if error.expected else None
        return {"kind": "order", "wanted": values.get("milestone"), "expected": expected}
    if isinstance(error, WaiverNeeded):
        return {"kind": "waiver", "missing": [m.value for m in error.missing]}
    return conflict(error, values)


def _members(values: Mapping[str, Any], prefix: str) -> list[Member]:
    """The filled rows of a members form (name and role)."""
    members = []
    for n in range(1, MEMBER_ROWS + 1):
        name = str(values.get(f"{prefix}_name_{n}", "")).strip()[:100]
        role = str(values.get(f"{prefix}_role_{n}", "")).strip()[:64]
        if name and role:
            members.append(Member(name=name, role=role))
        elif name or role:
            raise Refusal({f"{prefix}_{'role' if name else 'name'}_{n}": "required"})
    if not members:
        raise Refusal({f"{prefix}_name_1": "required"})
    return members


@router.post("/cqp/{plan_id}/evaluate")
async def evaluate(desk: Planners, plan_id: UUID) -> Response:
    def evaluated(c: CQPCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        verdict = one_of(v.get("accepted"), ("yes", "no"), "accepted")
        if verdict is None:
            raise Refusal({"accepted": "required"})
        return c.evaluate(ctx, plan_id, verdict == "yes", text(v, "evaluation_reason", 500), idem)

    return await _act(desk, plan_id, evaluated, "preparation")


@router.post("/cqp/{plan_id}/review")
async def review(desk: Planners, plan_id: UUID) -> Response:
    return await _act(
        desk,
        plan_id,
        lambda c, ctx, v, idem: c.review(ctx, plan_id, _members(v, "reviewer"), idem),
        "preparation",
    )


@router.post("/cqp/{plan_id}/agree")
async def agree(desk: Planners, plan_id: UUID) -> Response:
    return await _act(
        desk, plan_id, lambda c, ctx, _, idem: c.agree(ctx, plan_id, idem), "preparation"
    )


@router.post("/cqp/{plan_id}/team")
async def team(desk: Planners, plan_id: UUID) -> Response:
    return await _act(
        desk,
        plan_id,
        lambda c, ctx, v, idem: c.set_team(ctx, plan_id, _members(v, "member"), idem),
        "preparation",
    )


def _measures(values: Mapping[str, Any], prefix: str) -> list[Measure]:
    """The kinds given a value on a targets or actuals form, each as its own measure."""
    given, errors = [], {}
    for kind in KINDS:
        text = str(values.get(f"{prefix}_{kind}", "")).strip()
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            errors[f"{prefix}_{kind}"] = "invalid"
            continue
        given.append({"kind": kind, "value": value})
    if errors:
        raise Refusal(errors)
    if not given:
        raise Refusal({f"{prefix}_{KINDS[0]}": "required"})
    try:
        return MEASURES.validate_python(given)
    except ValidationError as e:
        raise Refusal(
            {f"{prefix}_{given[int(err['loc'][0])]['kind']}": "invalid" for err in e.errors()}
        ) from None


@router.post("/cqp/{plan_id}/targets")
async def targets(desk: Planners, plan_id: UUID) -> Response:
    return await _act(
        desk,
        plan_id,
        lambda c, ctx, v, idem: c.set_targets(ctx, plan_id, _measures(v, "target"), idem),
        "targets",
    )


@router.post("/cqp/{plan_id}/actuals")
async def actuals(desk: Planners, plan_id: UUID) -> Response:
    def recorded(c: CQPCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        result, _ = c.record_actuals(ctx, plan_id, _measures(v, "actual"), idem)
        return result

    return await _act(desk, plan_id, recorded, "targets")


@router.post("/cqp/{plan_id}/deliverables")
async def deliverable(desk: Planners, plan_id: UUID) -> Response:
    def recorded(c: CQPCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        kind = one_of(v.get("kind"), DeliverableKind, "kind")
        if kind is None:
            raise Refusal({"kind": "required"})
        reference = text(v, "reference", 64)
        accepted_by = str(v.get("accepted_by", "")).strip()[:100] or None
        return c.record_deliverable(
            ctx, plan_id, DeliverableKind(kind), reference, accepted_by, idem
        )

    return await _act(desk, plan_id, recorded, "deliverables")


@router.post("/cqp/{plan_id}/pass")
async def pass_milestone(desk: Planners, plan_id: UUID) -> Response:
    """Pass the next milestone; what it lacks goes in the waiver, with why and who
    approved."""

    def passed(c: CQPCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        milestone = one_of(v.get("milestone"), Milestone, "milestone")
        if milestone is None:
            raise Refusal({"milestone": "required"})
        day = read(_Day, {"date": v.get("date")}).date
        note = str(v.get("note", "")).strip()[:500] or None
        waiver = None
        if v.get("waive") or v.get("waiver_reason") or v.get("waiver_approved_by"):
            waived = [one_of(w, DeliverableKind, "waive") for w in v.get("waive", [])]
            waiver = Waiver(
                missing=[DeliverableKind(w) for w in waived if w],
                reason=text(v, "waiver_reason", 500),
                approved_by=text(v, "waiver_approved_by", 100),
            )
        return c.pass_milestone(ctx, plan_id, Milestone(milestone), day, note, waiver, idem)

    return await _act(desk, plan_id, passed, "milestones")


class _Day(BaseModel):
    """A date typed on a form."""

    date: date
