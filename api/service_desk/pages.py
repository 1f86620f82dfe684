"""The service desk on the console: the queue an agent lives in (its views with their
counts, filters, SLA badges, refreshed in place), a new ticket with its due times shown at
once, the ticket's page (timeline, only the allowed moves as buttons, assignment, priority,
escalation, merge, reopen, satisfaction, the client's panel) and the statistics."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.clients import check_client
from api.service_desk.routes import check_ticket, shown_rows
from api.service_desk.schemas import TicketCreate
from api.shared.charts import bar_chart
from api.shared.console.desk import Desk, staff
from api.shared.console.exports import csv_file
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
from api.shared.deps import branch_scope
from api.staff import People
from application.service_desk.tickets import TicketCommands
from application.shared.common import CommandResult, Idempotency
from domain.service_desk.sla import Priority
from domain.service_desk.tickets import WORKS_TICKETS, opening_dues
from domain.service_desk.workflow import (
    LAYERS,
    IllegalTransition,
    Status,
    TicketChannel,
    TicketType,
)
from domain.shared.base import Context
from domain.shared.errors import Conflict, InvalidField, NotFound
from domain.staff import Role
from projections.clients import ClientsView
from projections.service_desk import TicketsView, restored
from projections.service_desk.stats import ticket_stats
from projections.staff import StaffView

router = APIRouter(include_in_schema=False)
READS = (TicketsView, ClientsView)
Agents = Annotated[Desk, Depends(staff(*WORKS_TICKETS, reads=READS))]

# The service layer each role works in: the queue's "my group".
GROUP_OF = {Role.AGENT: "client_centre", Role.ADVISOR: "branch", Role.ADMIN: "headquarters"}
VIEWS = ("open", "new", "mine", "group", "pending", "due_soon", "breached", "all")
SORTS = ("due", "updated")
PAGE = 25  # a screenful: the views and filters find the rest
REFRESH_SECONDS = 20


def _views(desk: Desk) -> dict[str, dict[str, Any]]:
    """The queue's views as the view's filters, for this person."""
    return {
        "open": {"open": True},
        "new": {"status": Status.NEW.value},
        "mine": {"open": True, "assignee": desk.me.user_id},
        "group": {"open": True, "group": GROUP_OF[desk.role]},
        "pending": {"status": Status.PENDING_CLIENT.value},
        "due_soon": {"due_soon": True},
        "breached": {"breached": True},
        "all": {},
    }


def _chosen(desk: Desk) -> dict[str, str | None]:
    """The queue's view, filters and sort from the address (a value not offered is a 422
    naming its field)."""
    q = desk.request.query_params
    chosen = {
        "view": one_of(q.get("view"), VIEWS, "view") or "open",
        "type": one_of(q.get("type"), TicketType, "type"),
        "priority": one_of(q.get("priority"), Priority, "priority"),
        "status": one_of(q.get("status"), Status, "status"),
        "channel": one_of(q.get("channel"), TicketChannel, "channel"),
        "branch": None,
        "client_id": None,
        "sort": one_of(q.get("sort"), SORTS, "sort") or "due",
    }
    if branch_scope(desk.me) is None and (branch := (q.get("branch") or "").strip()):
        chosen["branch"] = branch[:32]
    if client := (q.get("client_id") or "").strip():
        try:
            chosen["client_id"] = str(UUID(client))
        except ValueError:
            raise InvalidField("client_id", "not a client's id") from None
    return chosen


def _address(chosen: Mapping[str, str | None], **changes: str | None) -> str:
    values = {**chosen, **changes}
    return "/tickets?" + urlencode({k: v for k, v in values.items() if v})


@router.get("/tickets")
def queue(desk: Agents) -> Response:
    """The queue: one view at a time with every view's count, filtered and sorted; htmx
    asks for the list alone (on a filter's change, and every few seconds)."""
    engine, now = desk.engine, desk.engine.clock()
    chosen = _chosen(desk)
    views = _views(desk)
    adhoc = {k: chosen[k] for k in ("type", "priority", "status", "channel", "client_id")}
    branch = branch_scope(desk.me) or chosen["branch"]
    filters = {**views[str(chosen["view"])], **{k: v for k, v in adhoc.items() if v}}
    filters["branch"] = branch
    cursor = desk.request.query_params.get("cursor") or None
    view = engine.view(TicketsView)
    rows, next_cursor = view.queue(engine.db, filters, str(chosen["sort"]), PAGE, cursor, now)
    wanted = {name: {**f, **{k: v for k, v in adhoc.items() if v}} for name, f in views.items()}
    wanted.pop("all")
    counts = view.counts(engine.db, wanted, branch, now)
    client = None
    if chosen["client_id"]:
        client = check_client(engine, desk.me, UUID(chosen["client_id"]))
    values: dict[str, Any] = {
        "tickets": [_badged(desk, t) for t in shown_rows(engine, People.of(engine), rows, now)],
        "words": _words(desk),
        "counts": counts,
        "chosen": chosen,
        "address": lambda **changes: _address(chosen, **changes),
        "polled": _address(chosen, cursor=cursor),  # what the list asks for again
        "more": _address(chosen, cursor=next_cursor) if next_cursor else None,
        "first": _address(chosen) if cursor else None,
        "client": client,
        "refresh": REFRESH_SECONDS,
        "scoped": branch_scope(desk.me) is not None,
        "types": list(TicketType),
        "priorities": list(Priority),
        "statuses": list(Status),
        "channels": list(TicketChannel),
    }
    fragment = bool(desk.request.headers.get("hx-request"))
    return desk.page(
        "service_desk/_queue.html" if fragment else "service_desk/queue.html", **values
    )


def _badged(desk: Desk, ticket: dict[str, Any]) -> dict[str, Any]:
    """A ticket row with each clock's badge: green while most of the budget is left,
    amber once the policy's at-risk share is reached, red when overdue; its words (time
    left or overdue, or the stopped clock's outcome) and its due time, in the reader's
    language (written here once, not by the template per row)."""
    f, gettext = desk.formats, desk.gettext
    for c in ticket["sla"].values():
        c["colour"] = {"ok": "ok", "met": "ok", "at_risk": "at_risk"}.get(c["state"], "breached")
        left = c["remaining_seconds"]
        if c["stopped"]:
            c["text"] = gettext("sla:" + c["state"])
        elif c["due_at"] is None:
            c["text"], c["colour"] = gettext("sla:paused"), ""
        elif left < 0:
            c["text"] = gettext(OVERDUE) % {"span": f.span(-left)}
        else:
            c["text"] = gettext(LEFT) % {"span": f.span(left)}
        c["due"] = f.when(c["due_at"]) if c["due_at"] and not c["stopped"] else ""
    return ticket


def _words(desk: Desk) -> dict[str, str]:
    """The queue's vocabulary in the reader's language, once per page."""
    values = [*TicketType, *Status, *(f"group:{g}" for g in LAYERS)]
    return {str(v): desk.gettext(str(v)) for v in values}


# -- a new ticket -------------------------------------------------------------------------


@router.get("/tickets/new")
def new_ticket(desk: Agents, client_id: UUID | None = None) -> Response:
    client = check_client(desk.engine, desk.me, client_id) if client_id else None
    values = {"priority": Priority.P3.value, "client_id": str(client_id) if client else ""}
    return _new_page(desk, values, {}, client)


def _new_page(
    desk: Desk, values: dict[str, Any], errors: dict[str, str], client: Any, status: int = 200
) -> Response:
    return desk.page(
        "service_desk/new.html",
        status,
        values=values,
        errors=errors,
        client=client,
        dues=_dues(desk, values.get("priority"), client.tier if client else None),
        types=list(TicketType),
        priorities=list(Priority),
        channels=list(TicketChannel),
    )


def _dues(desk: Desk, priority: str | None, tier: str | None) -> dict[str, datetime | None] | None:
    """When the two clocks of a ticket opened now at this priority, for a client of this
    tier, would fall due."""
    if priority not in tuple(Priority):
        return None
    policy, now = desk.engine.settings.sla_policy, desk.engine.clock()
    return opening_dues(policy, Priority(str(priority)), now, tier)


@router.get("/tickets/new/due")
def due_times(desk: Agents, priority: str = "", client_id: str = "") -> Response:
    """The due times of a new ticket at the chosen priority for the chosen client's tier
    (the form asks on a change)."""
    tier = None
    with contextlib.suppress(ValueError, NotFound):
        tier = check_client(desk.engine, desk.me, UUID(client_id)).tier
    return desk.page("service_desk/_dues.html", dues=_dues(desk, priority, tier))


@router.get("/tickets/new/clients")
def client_choices(desk: Agents, q: str = "") -> Response:
    """Clients found by name or phone, to open the ticket for (the form asks as one types)."""
    engine = desk.engine
    found: list[dict[str, Any]] = []
    if len(q.strip()) >= 2:
        found, _ = engine.view(ClientsView).search(
            engine.db, q=q.strip()[:64], branch=branch_scope(desk.me), limit=10
        )
    return desk.page("service_desk/_clients.html", found=found, q=q)


@router.post("/tickets/new")
async def open_ticket(desk: Agents) -> Response:
    form = await desk.request.form()
    values = fields(form)
    values.pop("q", None)  # the client search's own field
    client = None
    try:
        if values.get("client_id"):
            try:
                client = check_client(desk.engine, desk.me, UUID(str(values["client_id"])))
            except (ValueError, NotFound):
                raise Refusal({"client_id": "unknown"}) from None
        elif branch_scope(desk.me) is not None:
            raise Refusal({"client_id": "required"})  # advisors serve their clients
        body = read(TicketCreate, values)
        opened = desk.engine.handler(TicketCommands).open(
            desk.context(),
            client_id=body.client_id,
            type=body.type,
            priority=body.priority,
            channel=body.channel,
            subject=body.subject,
            description=body.description,
            idem=desk.once(form),
        )
    except (Refusal, InvalidField) as e:
        errors = e.errors if isinstance(e, Refusal) else refused(e)
        return _new_page(desk, values, errors, client, 422)
    return desk.redirect(f"/tickets/{opened.result.id}", opened.result.position)


# -- statistics ---------------------------------------------------------------------------

GROUPINGS = ("type", "priority", "branch", "month", "group")
# The words the statistics draw outside templates (the catalog lists them).
NO_TICKETS, BY_GROUP, MEAN_HOURS = (
    "No tickets in this period",
    "Tickets by %(what)s",
    "Mean resolution time (hours)",
)
# A clock's badge, written once per row in Python.
OVERDUE, LEFT = "overdue %(span)s", "%(span)s left"
STATS_WORDS = (NO_TICKETS, BY_GROUP, MEAN_HOURS, "Total", "No branch", OVERDUE, LEFT)
FIGURES = (
    "count",
    "first_response_hours_mean",
    "first_response_hours_p90",
    "resolution_hours_mean",
    "resolution_hours_p90",
    "sla_attainment_pct",
    "satisfaction_mean",
    "complaints",
    "complaints_per_1000_clients",
)


def _period(desk: Desk) -> tuple[date, date, str]:
    """The statistics' period from the address: two dates (the second included), by
    default the last 30 days; a date that does not parse, or an end before the start, is a
    422 naming its field."""
    q = desk.request.query_params
    today = desk.today()
    days = []
    for name, default in (("from", today - timedelta(days=29)), ("to", today)):
        text = (q.get(name) or "").strip()
        try:
            days.append(date.fromisoformat(text) if text else default)
        except ValueError:
            raise InvalidField(name, "a date as YYYY-MM-DD") from None
    if days[1] < days[0]:
        raise InvalidField("to", "the period ends before it starts")
    return days[0], days[1], one_of(q.get("group_by"), GROUPINGS, "group_by") or "type"


def _stats(desk: Desk) -> tuple[dict[str, Any], date, date, str]:
    start, end, group_by = _period(desk)
    engine = desk.engine
    figures = ticket_stats(
        engine.db,
        engine.view(TicketsView),
        group_by,
        desk.formats.midnight(start),
        desk.formats.midnight(end + timedelta(days=1)),
        branch_scope(desk.me),
        engine.view(ClientsView).count_by_branch(engine.db),
    )
    return figures, start, end, group_by


@router.get("/tickets/stats")
def statistics(desk: Agents) -> Response:
    """The statistics of the tickets opened in a period, by one grouping: a table, the
    same figures as charts, and a CSV."""
    figures, start, end, group_by = _stats(desk)
    f, _ = desk.formats, desk.gettext
    today = desk.today()
    key = _key_words(desk, group_by)
    groups = figures["groups"]
    counts = [(key(g["key"]), float(g["count"]), f.number(g["count"], 0)) for g in groups]
    hours = [
        (key(g["key"]), float(mean), f.number(mean, 1))
        for g in groups
        if (mean := g["resolution_hours_mean"]) is not None
    ]
    empty = _(NO_TICKETS)
    by = _(BY_GROUP) % {"what": _("grouping:" + group_by)}
    charts = [bar_chart(by, counts, empty=empty), bar_chart(_(MEAN_HOURS), hours, empty=empty)]
    presets = {
        "30d": (today - timedelta(days=29), today),
        "month": (today.replace(day=1), today),
        "year": (today.replace(month=1, day=1), today),
        "12m": (today.replace(year=today.year - 1) + timedelta(days=1), today),
    }
    return desk.page(
        "service_desk/stats.html",
        figures=figures,
        start=start,
        end=end,
        group_by=group_by,
        groupings=GROUPINGS,
        charts=charts,
        presets=presets,
        key=key,
        query=urlencode({"from": start.isoformat(), "to": end.isoformat(), "group_by": group_by}),
    )


def _key_words(desk: Desk, group_by: str) -> Any:
    """A group's key as the reader reads it (vocabularies translated; months and branches
    as they are)."""
    gettext = desk.gettext

    def word(value: str) -> str:
        if value == "total":
            return gettext("Total")
        if group_by in ("type", "group"):
            return gettext(value)
        if group_by == "branch" and value == "none":
            return gettext("No branch")
        return value

    return word


@router.get("/tickets/stats.csv")
def statistics_csv(desk: Agents) -> Response:
    figures, start, end, group_by = _stats(desk)
    rows = [
        [g["key"], *(g[name] for name in FIGURES)] for g in [*figures["groups"], figures["total"]]
    ]
    return csv_file(f"tickets-{group_by}-{start}-{end}", [group_by, *FIGURES], rows)


# -- the ticket's page --------------------------------------------------------------------


def _ticket(desk: Desk, ticket_id: UUID) -> dict[str, Any]:
    engine = desk.engine
    row = engine.view(TicketsView).get(engine.db, ticket_id)
    if row is None or branch_scope(desk.me) not in (None, row["branch"]):
        raise NotFound(f"ticket {ticket_id} not found")
    return row


def _ticket_page(
    desk: Desk,
    ticket_id: UUID,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    refusal: dict[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    engine, now = desk.engine, desk.engine.clock()
    row = _ticket(desk, ticket_id)
    people = People.of(engine)
    ticket = _badged(desk, shown_rows(engine, people, [row], now)[0])
    comments = people.named(row["comments"], "author")
    history = people.named(row["history"], "actor")
    timeline = sorted(
        [{"kind": "comment", **c} for c in comments]
        + [{"kind": "event", **h} for h in history if h["event"] != "Commented"],
        key=lambda e: e["position"],
        reverse=True,
    )
    client = None
    if row["client_id"]:
        client = _client_panel(desk, UUID(row["client_id"]), ticket_id)
    accounts = [
        u
        for u in engine.view(StaffView).all(engine.db)
        if u["enabled"] and Role(u["role"]) in WORKS_TICKETS
    ]
    return desk.page(
        "service_desk/ticket.html",
        status,
        ticket=ticket,
        timeline=timeline,
        offers=restored(row).offers(engine.settings.sla_policy, now),
        client=client,
        accounts=accounts,
        layers=LAYERS,
        priorities=list(Priority),
        errors=dict(errors or {}),
        refusal=refusal,
        values=dict(values or {}),
    )


def _client_panel(desk: Desk, client_id: UUID, ticket_id: UUID) -> dict[str, Any] | None:
    engine = desk.engine
    row = engine.view(ClientsView).get(engine.db, client_id)
    if row is None:
        return None
    others = [
        t
        for t in engine.view(TicketsView).open_for_client(engine.db, client_id)
        if t["id"] != str(ticket_id)
    ]
    interactions = People.of(engine).named(
        engine.view(ClientsView).latest_interactions(engine.db, client_id, 5), "logged_by"
    )
    return {**row, "open_tickets": others, "interactions": interactions}


@router.get("/tickets/{ticket_id}")
def ticket_page(desk: Agents, ticket_id: UUID) -> Response:
    return _ticket_page(desk, ticket_id)


Action = Callable[[TicketCommands, Context, dict[str, Any], Idempotency | None], CommandResult]


async def _act(desk: Desk, ticket_id: UUID, action: Action) -> Response:
    """Run one of the ticket's commands with the form's fields: done, back to the page;
    refused, the page again with the refusal where it belongs."""
    check_ticket(desk.engine, desk.me, ticket_id)
    commands = desk.engine.handler(TicketCommands)
    return await attempt(
        desk,
        lambda values, idem: action(commands, desk.context(), values, idem),
        partial(_ticket_page, desk, ticket_id),
        f"/tickets/{ticket_id}",
        _refusal,
    )


def _refusal(error: Conflict, values: Mapping[str, Any]) -> dict[str, Any]:
    """A move the ticket does not allow names its status and the move; other rules speak
    for themselves."""
    if isinstance(error, IllegalTransition):
        return {"kind": "move", "status": error.current.value, "to": str(values.get("to", ""))}
    return conflict(error, values)


@router.post("/tickets/{ticket_id}/comment")
async def comment(desk: Agents, ticket_id: UUID) -> Response:
    return await _act(
        desk,
        ticket_id,
        lambda c, ctx, v, idem: c.comment(
            ctx, ticket_id, text(v, "body", 20_000), v.get("public") == "yes", idem
        ),
    )


@router.post("/tickets/{ticket_id}/move")
async def move(desk: Agents, ticket_id: UUID) -> Response:
    def moved(c: TicketCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        to = one_of(v.get("to"), Status, "to")
        if to is None:
            raise Refusal({"to": "required"})
        note = str(v.get("note", "")).strip()[:500] or None
        return c.transition(ctx, ticket_id, Status(to), note, idem)

    return await _act(desk, ticket_id, moved)


@router.post("/tickets/{ticket_id}/assign")
async def assign(desk: Agents, ticket_id: UUID) -> Response:
    def assigned(c: TicketCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        group = one_of(v.get("group"), LAYERS, "group")
        to = None
        if v.get("assignee"):
            to = UUID(People.of(desk.engine).id_of(str(v["assignee"]), "assignee"))
        return c.assign(ctx, ticket_id, to, group, idem)

    return await _act(desk, ticket_id, assigned)


@router.post("/tickets/{ticket_id}/priority")
async def change_priority(desk: Agents, ticket_id: UUID) -> Response:
    def changed(c: TicketCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        priority = one_of(v.get("priority"), Priority, "priority")
        if priority is None:
            raise Refusal({"priority": "required"})
        reason = text(v, "priority_reason", 500)
        return c.change_priority(ctx, ticket_id, Priority(priority), reason, idem)

    return await _act(desk, ticket_id, changed)


@router.post("/tickets/{ticket_id}/escalate")
async def escalate(desk: Agents, ticket_id: UUID) -> Response:
    return await _act(
        desk,
        ticket_id,
        lambda c, ctx, v, idem: c.escalate(ctx, ticket_id, text(v, "escalate_reason", 500), idem),
    )


@router.post("/tickets/{ticket_id}/reopen")
async def reopen(desk: Agents, ticket_id: UUID) -> Response:
    return await _act(
        desk,
        ticket_id,
        lambda c, ctx, v, idem: c.reopen(ctx, ticket_id, text(v, "reopen_reason", 500), idem),
    )


@router.post("/tickets/{ticket_id}/merge")
async def merge(desk: Agents, ticket_id: UUID) -> Response:
    def merged(c: TicketCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        number = text(v, "into_number", 32).upper()
        target = desk.engine.view(TicketsView).by_number(desk.engine.db, number)
        if target is None or branch_scope(desk.me) not in (None, target["branch"]):
            raise Refusal({"into_number": "unknown"})
        return c.merge(ctx, ticket_id, UUID(target["id"]), idem)

    return await _act(desk, ticket_id, merged)


@router.post("/tickets/{ticket_id}/satisfaction")
async def rate(desk: Agents, ticket_id: UUID) -> Response:
    def rated(c: TicketCommands, ctx: Any, v: Mapping[str, Any], idem: Any) -> Any:
        score = one_of(v.get("score"), ("1", "2", "3", "4", "5"), "score")
        if score is None:
            raise Refusal({"score": "required"})
        comment = str(v.get("satisfaction_comment", "")).strip()[:500] or None
        return c.rate(ctx, ticket_id, int(score), comment, idem)

    return await _act(desk, ticket_id, rated)
