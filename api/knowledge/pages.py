"""The console's knowledge base: search and read articles (every staff role that serves
clients), write with a live preview (agents, editors, administrators), and the review and
publish flow (editors and administrators, never on their own text)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from markupsafe import Markup

from api.knowledge.macros import applied
from api.knowledge.markdown import html
from api.knowledge.routes import READ_ROLES, WRITE_ROLES, article_shown
from api.knowledge.schemas import ArticleCreate, summary
from api.knowledge.tickets import SUGGESTED, link_or_send, suggestions
from api.service_desk import check_ticket
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import Refusal, fields, read, refused
from api.staff import People
from application.knowledge import KnowledgeCommands
from domain.knowledge import LANGUAGES, Article, Audience, Content
from domain.service_desk import WORKS_TICKETS, TicketType
from domain.shared.errors import InvalidField, NotFound
from domain.staff import Role
from projections.knowledge import Filters, KnowledgeView
from projections.service_desk import TicketsView

router = APIRouter(include_in_schema=False)
Readers = Annotated[Desk, Depends(staff(*READ_ROLES, reads=(KnowledgeView,)))]
Writers = Annotated[Desk, Depends(staff(*WRITE_ROLES, reads=(KnowledgeView,)))]
Reviewers = Annotated[Desk, Depends(staff(Role.ADMIN, Role.EDITOR, reads=(KnowledgeView,)))]
PAGE = 20
STATUSES = ("published", "draft", "in_review", "archived")


def _writer(desk: Desk) -> bool:
    return desk.role in WRITE_ROLES


@router.get("/kb")
def knowledge(
    desk: Readers,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str, Query(max_length=40)] = "",
    lang: Annotated[str, Query(max_length=10)] = "",
    status: Annotated[str, Query(max_length=20)] = "published",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Search the knowledge base; writers also find drafts, articles in review and
    archived ones."""
    chosen = status if status in STATUSES and _writer(desk) else "published"
    rows, next_cursor = desk.engine.view(KnowledgeView).search(
        desk.engine.db,
        q,
        Filters(
            type=type if type in tuple(TicketType) else None,
            language=lang if lang in LANGUAGES else None,
            status=chosen,
        ),
        PAGE,
        cursor,
    )
    return desk.page(
        "knowledge/list.html",
        rows=[summary(r) for r in rows],
        next_cursor=next_cursor,
        q=q,
        type=type,
        shown_lang=lang,
        shown_status=chosen,
        statuses=STATUSES if _writer(desk) else (),
        types=list(TicketType),
        languages=LANGUAGES,
        writer=_writer(desk),
    )


@router.get("/kb/new")
def new_article(desk: Writers) -> Response:
    values = {"language": "zh-CN" if desk.locale == "zh_CN" else "en", "audience": "internal"}
    return _form(desk, None, values, {})


def _form(
    desk: Desk, article: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    return desk.page(
        "knowledge/form.html",
        422 if errors else 200,
        article=article,
        values=values,
        errors=errors,
        preview=Markup(html(values.get("body") or "")),  # noqa: S704 - markdown-it, no raw HTML
        types=list(TicketType),
        languages=LANGUAGES,
        audiences=list(Audience),
    )


async def _posted(desk: Desk) -> dict[str, Any]:
    form = await desk.request.form()
    values = fields(form)
    values["ticket_types"] = [t for t in form.getlist("ticket_types") if isinstance(t, str)]
    values["tags"] = [t.strip() for t in str(values.get("tags", "")).split(",") if t.strip()]
    return values


@router.post("/kb/new")
async def write(desk: Writers) -> Response:
    values = await _posted(desk)
    try:
        body = read(ArticleCreate, values)
        content = Content(**body.model_dump(exclude={"translation_of"}))
        result = desk.engine.handler(KnowledgeCommands).write(
            desk.context(), content, body.translation_of
        )
    except Refusal as e:
        return _form(desk, None, _shown(values), e.errors)
    except InvalidField as e:
        return _form(desk, None, _shown(values), refused(e))
    return desk.redirect(f"/kb/{result.id}", result.position)


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "tags": ", ".join(values.get("tags", []))}


@router.post("/kb/preview")
async def preview(desk: Writers) -> Response:
    """The Markdown as it will read (the form asks as one types)."""
    form = await desk.request.form()
    body = str(form.get("body") or "")[:100_000]
    return desk.page("knowledge/_preview.html", preview=Markup(html(body)))  # noqa: S704


@router.get("/kb/{article_id}")
def article(
    desk: Readers,
    article_id: UUID,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    engine = desk.engine
    shown = article_shown(engine, People.of(engine), article_id, version, _writer(desk))
    return desk.page(
        "knowledge/article.html",
        article=shown,
        body=Markup(shown["body_html"]),  # noqa: S704 - rendered without raw HTML
        draft_html=Markup(html(shown["draft"]["body"])) if shown.get("draft") else None,  # noqa: S704
        writer=_writer(desk),
        reviewer=desk.role in (Role.ADMIN, Role.EDITOR),
        versions=range(shown["published_version"], 0, -1),
    )


@router.get("/kb/{article_id}/edit")
def edit_form(desk: Writers, article_id: UUID) -> Response:
    found = desk.engine.handler(KnowledgeCommands).load(Article, article_id)
    current = found.draft or found.published
    assert current is not None
    values = {**current.model_dump(mode="json"), "version": found.version}
    return _form(desk, {"id": article_id}, _shown(values), {})


@router.post("/kb/{article_id}/edit")
async def edit(desk: Writers, article_id: UUID) -> Response:
    values = await _posted(desk)
    try:
        body = read(ArticleCreate, {k: v for k, v in values.items() if k != "version"})
        content = Content(**body.model_dump(exclude={"translation_of"}))
        expected = int(values["version"]) if str(values.get("version", "")).isdigit() else None
        result = desk.engine.handler(KnowledgeCommands).edit(
            desk.context(), article_id, content, expected
        )
    except Refusal as e:
        return _form(desk, {"id": article_id}, _shown(values), e.errors)
    except InvalidField as e:
        return _form(desk, {"id": article_id}, _shown(values), refused(e))
    return desk.redirect(f"/kb/{article_id}", result.position)


@router.post("/kb/{article_id}/submit")
def submit(desk: Writers, article_id: UUID) -> Response:
    done = desk.engine.handler(KnowledgeCommands).submit(desk.context(), article_id)
    return desk.redirect(f"/kb/{article_id}", done.position)


@router.post("/kb/{article_id}/publish")
def publish(desk: Reviewers, article_id: UUID) -> Response:
    done = desk.engine.handler(KnowledgeCommands).publish(desk.context(), article_id)
    return desk.redirect(f"/kb/{article_id}", done.position)


@router.post("/kb/{article_id}/request-changes")
async def request_changes(desk: Reviewers, article_id: UUID) -> Response:
    form = await desk.request.form()
    reason = str(form.get("reason") or "")
    done = desk.engine.handler(KnowledgeCommands).request_changes(
        desk.context(), article_id, reason
    )
    return desk.redirect(f"/kb/{article_id}", done.position)


@router.post("/kb/{article_id}/archive")
async def archive(desk: Reviewers, article_id: UUID) -> Response:
    form = await desk.request.form()
    done = desk.engine.handler(KnowledgeCommands).archive(
        desk.context(), article_id, str(form.get("reason") or "")
    )
    return desk.redirect(f"/kb/{article_id}", done.position)


# -- at the ticket --------------------------------------------------------------------

Ticketers = Annotated[Desk, Depends(staff(*WORKS_TICKETS, reads=(KnowledgeView, TicketsView)))]


@router.get("/tickets/{ticket_id}/kb")
def ticket_knowledge(desk: Ticketers, ticket_id: UUID) -> Response:
    """The ticket page's knowledge card (htmx asks on load): the articles linked, and
    those suggested (the agent's language first) to link or send to the client."""
    engine = desk.engine
    check_ticket(engine, desk.me, ticket_id)
    ticket = engine.view(TicketsView).get(engine.db, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    view = engine.view(KnowledgeView)
    linked = view.linked_to(engine.db, str(ticket_id))
    language = "zh-CN" if desk.locale == "zh_CN" else "en"
    return desk.page(
        "knowledge/_ticket.html",
        ticket_id=ticket_id,
        linked=linked,
        linked_ids={str(a["id"]) for a in linked},
        suggestions=[summary(r) for r in suggestions(engine, ticket, language)[:SUGGESTED]],
    )


@router.post("/tickets/{ticket_id}/kb/link")
async def link_article(desk: Ticketers, ticket_id: UUID) -> Response:
    """Link a suggested article to the ticket, or (``send=yes``) reply to the client with
    it as well."""
    engine = desk.engine
    check_ticket(engine, desk.me, ticket_id)
    form = await desk.request.form()
    try:
        article_id = UUID(str(form.get("article_id") or ""))
    except ValueError:
        raise NotFound("no such published article") from None
    send = form.get("send") == "yes"
    done = link_or_send(engine, desk.context(), ticket_id, article_id, send)
    return desk.redirect(f"/tickets/{ticket_id}{'' if send else '#knowledge'}", done.position)


@router.get("/tickets/{ticket_id}/kb/macros")
def ticket_macros(desk: Ticketers, ticket_id: UUID) -> Response:
    """The macros offered in the ticket's comment box (htmx asks on load)."""
    check_ticket(desk.engine, desk.me, ticket_id)
    macros = desk.engine.view(KnowledgeView).macros(desk.engine.db)
    return desk.page("knowledge/_macros.html", ticket_id=ticket_id, macros=macros)


@router.post("/tickets/{ticket_id}/kb/macro")
async def apply_macro(desk: Ticketers, ticket_id: UUID) -> Response:
    engine = desk.engine
    check_ticket(engine, desk.me, ticket_id)
    form = await desk.request.form()
    try:
        macro_id = UUID(str(form.get("macro_id") or ""))
    except ValueError:
        raise NotFound("no such macro") from None
    done = applied(engine, desk.context(), ticket_id, macro_id, desk.me.username)
    return desk.redirect(f"/tickets/{ticket_id}", done.position)
