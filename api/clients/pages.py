"""The console's client pages: search, the client page (360°), register, edit contact data,
tier and tags, interactions and feedback. They read the views and write through the same
commands as the API, with its roles and branch scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from markupsafe import Markup

from api.clients.coverage_pages import client_coverage
from api.clients.coverage_schemas import Decline
from api.clients.schemas import (
    ClientCreate,
    ClientPatch,
    Erasure,
    FeedbackCreate,
    InteractionCreate,
    TierChange,
)
from api.clients.scope import check_client
from api.compliance import shown
from api.holdings import AUM_WORDS, aum_svg, business_day, valuation
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import Refusal, fields, one_of, read, refused
from api.shared.console.i18n import translations
from api.shared.deps import branch_scope
from api.shared.schemas import Strict
from api.staff import People
from application.clients.commands import ClientCommands
from application.clients.coverage import CoverageCommands
from application.compliance import History
from application.shared.common import CommandResult
from domain.clients.registry import CONTACT_FIELDS, Channel, Client, InvestorType
from domain.clients.risk import RiskAssessment
from domain.shared.errors import Conflict, InvalidField, NotFound, StaleVersion
from domain.staff import Role
from projections.clients.coverage import CoverageView
from projections.clients.views import RISK_STATUS, ClientsView, risk_status
from projections.holdings import VALUED_FROM, total_of
from projections.service_desk import TicketsView
from projections.suitability import PurchasesView, status_as_of

router = APIRouter(include_in_schema=False)

READ = (ClientsView, CoverageView, TicketsView, PurchasesView, *VALUED_FROM)
Readers = Annotated[
    Desk, Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE, reads=READ))
]
Registrars = Annotated[Desk, Depends(staff(Role.ADMIN, Role.ADVISOR))]
Service = Annotated[Desk, Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT))]
Admins = Annotated[Desk, Depends(staff(Role.ADMIN))]
Fragment = Annotated[str | None, Query(max_length=100)]
Choice = Annotated[str | None, Query(max_length=32)]
# Who sees a client's assets (as the holdings API allows), and the AUM chart's ranges.
ASSET_READERS = (Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE)
AUM_RANGES = {"3m": 92, "1y": 366, "2y": 731}
PAGE = 25


def _commands(desk: Desk) -> ClientCommands:
    return desk.engine.handler(ClientCommands)


def _shown(desk: Desk, row: dict[str, Any]) -> dict[str, Any]:
    """A client row with its assessment's status as of now."""
    return {**row, "risk_status": risk_status(row["risk"], desk.engine.clock())}


@router.get("/clients")
def clients(
    desk: Readers,
    q: Fragment = None,
    tier: Fragment = None,
    investor_type: Fragment = None,
    tag: Fragment = None,
    risk: Fragment = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Search by name or phone, filter, page; a filter change answers the rows alone."""
    chosen = {
        "q": q,
        "tier": tier,
        "investor_type": one_of(investor_type, InvestorType, "investor_type"),
        "tag": tag,
        "risk": one_of(risk, RISK_STATUS, "risk"),
    }
    chosen = {k: v.strip() for k, v in chosen.items() if v and v.strip()}
    rows, next_cursor = desk.engine.view(ClientsView).search(
        desk.engine.db,
        branch=branch_scope(desk.me),
        now=desk.engine.clock(),
        limit=PAGE,
        cursor=cursor or None,
        **chosen,
    )
    name = "clients/_rows.html" if desk.request.headers.get("hx-request") else "clients/list.html"
    return desk.page(
        name,
        rows=[_shown(desk, r) for r in rows],
        next_cursor=next_cursor,
        chosen=chosen,
        tiers=desk.engine.settings.client_policy.tiers,
        statuses=RISK_STATUS,
        investor_types=list(InvestorType),
        may_register=desk.role in (Role.ADMIN, Role.ADVISOR),
    )


@router.get("/clients/new")
def register_form(desk: Registrars) -> Response:
    return _register_page(desk, {"branch": desk.me.branch or ""}, {})


def _register_page(desk: Desk, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return desk.page(
        "clients/new.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        tiers=desk.engine.settings.client_policy.tiers,
        investor_types=list(InvestorType),
        branch_fixed=branch_scope(desk.me),
    )


@router.post("/clients/new")
async def register(desk: Registrars) -> Response:
    """Register a client (an advisor: in their own branch)."""
    form = await desk.request.form()
    values = fields(form)
    scope = branch_scope(desk.me)
    if scope is not None:
        values["branch"] = scope
    try:
        body = read(ClientCreate, values)
        result = _commands(desk).register(desk.context(), **body.model_dump(), idem=desk.once(form))
    except Refusal as e:
        return _register_page(desk, values, e.errors)
    except InvalidField as e:
        return _register_page(desk, values, refused(e))
    except Conflict:  # the identity number belongs to a client already registered
        return _register_page(desk, values, {"id_number": "duplicate"})
    return desk.redirect(f"/clients/{result.id}", result.position)


@router.get("/clients/{client_id}")
def client_page(desk: Readers, client_id: UUID, aum: Choice = None) -> Response:
    """The client's page: profile, risk profile, holdings and the AUM chart over the chosen
    range, interactions, feedback, purchases, open tickets and the history."""
    chosen = one_of(aum, tuple(AUM_RANGES), "aum") or "1y"
    return desk.page("clients/page.html", **_client(desk, client_id, chosen), errors={})


def _assets(desk: Desk, client_id: UUID, chosen: str) -> dict[str, Any]:
    """The client's holdings today and their AUM chart over the chosen range."""
    today = business_day(desk.engine)
    values = valuation(desk.engine)
    reported, items = values.holdings_on(client_id, today)
    series = values.series(client_id, today - timedelta(days=AUM_RANGES[chosen]), today)
    messages = translations(desk.locale)
    words = {english: messages.gettext(english) for english in AUM_WORDS}
    return {
        "reported_on": reported,
        "holdings": items,
        "total": total_of(items),
        # Our own SVG (every text in it escaped by the chart): safe to embed as it is.
        "chart": Markup(aum_svg(series, (900, 300), words)),  # noqa: S704
        "points": len(series),
        "range": chosen,
        "ranges": list(AUM_RANGES),
    }


def _client(desk: Desk, client_id: UUID, aum: str = "1y") -> dict[str, Any]:
    check_client(desk.engine, desk.me, client_id)
    engine, now = desk.engine, desk.engine.clock()
    row = engine.view(ClientsView).get(engine.db, client_id)
    if row is None:  # registered a moment ago, its view not there yet
        raise NotFound(f"client {client_id} is not in the list yet: reload in a moment")
    people = People.of(engine)
    purchases = engine.view(PurchasesView).of_client(engine.db, client_id)
    events = engine.handler(History).events(Client, client_id)
    if row["risk"] is not None:  # the current assessment's own events belong here too
        assessment = UUID(row["risk"]["assessment_id"])
        events += engine.handler(History).events(RiskAssessment, assessment)
    events.sort(key=lambda e: e.position)
    return {
        "client": _shown(desk, row),
        "tickets": engine.view(TicketsView).open_for_client(engine.db, client_id),
        "interactions": people.named(
            engine.view(ClientsView).latest_interactions(engine.db, client_id, 20), "logged_by"
        ),
        "purchases": [{**p, "status": status_as_of(p, now)} for p in reversed(purchases)],
        "history": list(reversed(shown(people, events))),
        "tiers": engine.settings.client_policy.tiers,
        "channels": list(Channel),
        "topics": engine.settings.client_policy.feedback_topics,
        "may_change": desk.role in (Role.ADMIN, Role.ADVISOR),
        "may_serve": desk.role in (Role.ADMIN, Role.ADVISOR, Role.AGENT),
        "may_erase": desk.role is Role.ADMIN,
        "assets": _assets(desk, client_id, aum) if desk.role in ASSET_READERS else None,
        "coverage": client_coverage(desk, client_id) if desk.role in ASSET_READERS else None,
    }


@router.get("/clients/{client_id}/edit")
def edit_form(desk: Service, client_id: UUID) -> Response:
    client = check_client(desk.engine, desk.me, client_id)
    values = {f: getattr(client, f) for f in CONTACT_FIELDS}
    return desk.page(
        "clients/edit.html", client_id=client_id, version=client.version, values=values, errors={}
    )


@router.post("/clients/{client_id}/edit")
async def edit(desk: Service, client_id: UUID) -> Response:
    """Change contact data from the version the form showed; if someone changed the client
    since, the form comes back with their changes listed and nothing written."""
    client = check_client(desk.engine, desk.me, client_id)
    form = await desk.request.form()
    values = fields(form)
    version = str(form.get("version", ""))
    if not version.isdigit():
        raise InvalidField("version", "the form lost the version it showed: open it again")
    changed = {k: v for k, v in values.items() if v != getattr(client, k, None)}
    try:
        body = read(ClientPatch, changed or values)
        result = _commands(desk).update_contact(
            desk.context(),
            client_id,
            expected_version=int(version),
            idem=desk.once(form),
            **body.model_dump(exclude_unset=True),
        )
    except Refusal as e:
        return _edit_again(desk, client_id, int(version), values, e.errors)
    except InvalidField as e:
        return _edit_again(desk, client_id, int(version), values, refused(e))
    except StaleVersion as e:
        # Keep what this person changed; show the rest as it is now, with who changed it.
        history = desk.engine.handler(History)
        before = history.at_version(Client, client_id, e.expected)
        mine = {k: v for k, v in values.items() if v != getattr(before, k, None)}
        now = {k: getattr(client, k) for k in CONTACT_FIELDS}
        changes = shown(People.of(desk.engine), history.events(Client, client_id)[e.expected :])
        return _edit_again(desk, client_id, e.actual, {**now, **mine}, {}, changes)
    return desk.redirect(f"/clients/{client_id}", result.position)


def _edit_again(
    desk: Desk,
    client_id: UUID,
    version: int,
    values: dict[str, Any],
    errors: dict[str, str],
    changes: list[Any] | None = None,
) -> Response:
    return desk.page(
        "clients/edit.html",
        409 if changes else 422,
        client_id=client_id,
        version=version,
        values=values,
        errors=errors,
        changes=changes or [],
    )


@router.post("/clients/{client_id}/tier")
async def change_tier(desk: Registrars, client_id: UUID) -> Response:
    return await _write(
        desk,
        client_id,
        TierChange,
        lambda c, ctx, b, idem: c.change_tier(ctx, client_id, b.tier, b.reason, idem),
    )


@router.post("/clients/{client_id}/tags")
async def change_tags(desk: Registrars, client_id: UUID) -> Response:
    """Add the tags typed (comma-separated), remove the ones ticked."""
    form = await desk.request.form()
    typed = str(form.get("add", ""))
    add = [t.strip() for t in typed.replace("，", ",").split(",") if t.strip()]
    remove = [str(t) for t in form.getlist("remove")]
    check_client(desk.engine, desk.me, client_id)
    try:
        result = _commands(desk).retag(desk.context(), client_id, add, remove, desk.once(form))
    except InvalidField as e:
        return _client_again(desk, client_id, refused(e))
    return desk.redirect(f"/clients/{client_id}#tags", result.position)


@router.post("/clients/{client_id}/interactions")
async def log_interaction(desk: Service, client_id: UUID) -> Response:
    return await _write(
        desk,
        client_id,
        InteractionCreate,
        lambda c, ctx, b, idem: c.log_interaction(
            ctx, client_id, b.channel, b.summary, b.occurred_at, idem
        ),
        anchor="interactions",
    )


@router.post("/clients/{client_id}/feedback")
async def record_feedback(desk: Service, client_id: UUID) -> Response:
    return await _write(
        desk,
        client_id,
        FeedbackCreate,
        lambda c, ctx, b, idem: c.record_feedback(
            ctx, client_id, b.rating, b.comment, idem, b.topic
        ),
        anchor="feedback",
    )


class Nothing(Strict):
    """A form that sends nothing but its tokens (a button)."""


@router.post("/clients/{client_id}/tier-suggestion/accept")
async def accept_suggestion(desk: Registrars, client_id: UUID) -> Response:
    """Move the client to the suggested tier."""
    return await _write(
        desk,
        client_id,
        Nothing,
        lambda c, ctx, _, idem: c.accept_tier_suggestion(ctx, client_id, idem),
        anchor="coverage",
        handler=CoverageCommands,
    )


@router.post("/clients/{client_id}/tier-suggestion/decline")
async def decline_suggestion(desk: Registrars, client_id: UUID) -> Response:
    """Decline the suggestion, with why."""
    return await _write(
        desk,
        client_id,
        Decline,
        lambda c, ctx, b, idem: c.decline_tier_suggestion(ctx, client_id, b.reason, idem),
        anchor="coverage",
        handler=CoverageCommands,
    )


async def _write(
    desk: Desk,
    client_id: UUID,
    model: type[Any],
    command: Any,
    anchor: str = "",
    handler: type[Any] = ClientCommands,
) -> Response:
    """A small form of the client page: read, write once, back to the page (or the page
    again with the form's errors)."""
    check_client(desk.engine, desk.me, client_id)
    form = await desk.request.form()
    try:
        body = read(model, fields(form))
        commands = desk.engine.handler(handler)
        result: CommandResult = command(commands, desk.context(), body, desk.once(form))
    except Refusal as e:
        return _client_again(desk, client_id, e.errors)
    except InvalidField as e:
        return _client_again(desk, client_id, refused(e))
    return desk.redirect(
        f"/clients/{client_id}" + (f"#{anchor}" if anchor else ""), result.position
    )


def _client_again(desk: Desk, client_id: UUID, errors: dict[str, str]) -> Response:
    return desk.page("clients/page.html", 422, **_client(desk, client_id), errors=errors)


@router.get("/clients/{client_id}/erase")
def erase_form(desk: Admins, client_id: UUID) -> Response:
    """The erasure's confirmation step: what becomes unreadable, what stays."""
    client = check_client(desk.engine, desk.me, client_id)
    return desk.page("clients/erase.html", client=client, errors={})


@router.post("/clients/{client_id}/erase")
async def erase(desk: Admins, client_id: UUID) -> Response:
    """Erase the client's personal data (crypto-shredding), with the reason."""
    client = check_client(desk.engine, desk.me, client_id)
    form = await desk.request.form()
    errors: dict[str, str] = {}
    if form.get("understood") != "yes":
        errors["understood"] = "required"
    try:
        body = read(Erasure, {k: v for k, v in fields(form).items() if k != "understood"})
    except Refusal as e:
        errors.update(e.errors)
    if errors:
        return desk.page("clients/erase.html", 422, client=client, errors=errors)
    done = _commands(desk).erase_personal_data(
        desk.context(), client_id, body.reason, desk.once(form)
    )
    return desk.redirect(f"/clients/{client_id}", done.position)
