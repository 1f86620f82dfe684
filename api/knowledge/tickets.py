"""The knowledge base at a ticket: the articles suggested for it, the ones linked to it,
and a draft written from a solved ticket with its client's personal data left out."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from api.engine import Engine
from api.knowledge.routes import READERS, WRITERS
from api.knowledge.schemas import ArticleSummary, summary
from api.service_desk import TicketId
from api.shared.deps import ContextDep, CurrentUser, EngineDep, fresh
from api.shared.schemas import Strict, WriteResult, example
from application.knowledge import KnowledgeCommands
from application.service_desk import TicketCommands
from application.shared.common import CommandResult
from application.staff import StaffCommands
from domain.knowledge import Audience, Content
from domain.knowledge.redaction import language_of, redact
from domain.service_desk import Status, TicketType
from domain.shared.base import Context
from domain.shared.errors import InvalidField, NotFound
from projections.clients import ClientsView
from projections.knowledge import Filters, KnowledgeView
from projections.service_desk import TicketsView

router = APIRouter(prefix="/api/v1", tags=["knowledge"])
FRESH = Depends(fresh(KnowledgeView, TicketsView))
SUGGESTED = 10
TYPE_BOOST = 1.5  # an article for the ticket's type ranks above an equal one that is not
LANGUAGES = {"zh_CN": "zh-CN", "en": "en"}  # the console's locale → an article's language


class LinkRequest(Strict):
    model_config = example({"article_id": "0b6d3c1e-4d55-4a43-9e1e-2f0a8c7d9b10", "send": False})

    article_id: UUID
    send: bool = Field(
        default=False,
        description="also reply to the client with the article's title and text (a public "
        "article only)",
    )


class LinkedArticle(BaseModel):
    id: UUID
    title: str
    language: str
    linked_at: str


class DraftFromTicket(BaseModel):
    id: UUID
    title: str
    body: str = Field(description="the subject and public replies, personal data replaced")
    language: str
    position: int
    version: int


def suggestions(
    engine: Engine, ticket: dict[str, Any], language: str | None
) -> list[dict[str, Any]]:
    """Published articles ranked for the ticket's subject and description, those for its
    type boosted, in ``language`` first."""
    rows, _ = engine.view(KnowledgeView).search(
        engine.db,
        f"{ticket['subject']} {ticket['description']}",
        Filters(),
        SUGGESTED * 3,
        None,
        prefer_language=language,
    )
    for row in rows:
        if ticket["type"] in row["ticket_types"]:
            row["score"] *= TYPE_BOOST
    first = (lambda r: r["language"] != language) if language else (lambda _: False)
    rows.sort(key=lambda r: (first(r), -r["score"], r["id"]))
    return rows[:SUGGESTED]


def language_of_reader(engine: Engine, user: Any) -> str | None:
    """The article language of the reader's console language (None: not chosen)."""
    account = engine.handler(StaffCommands).account(UUID(user.user_id))
    return LANGUAGES.get(account.language or "") if account else None


def _ticket(engine: Engine, ticket_id: UUID) -> dict[str, Any]:
    ticket = engine.view(TicketsView).get(engine.db, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


@router.get("/tickets/{ticket_id}/suggestions", dependencies=[READERS, FRESH])
def suggested(ticket_id: TicketId, engine: EngineDep, user: CurrentUser) -> list[ArticleSummary]:
    """Published articles that may answer the ticket, the agent's language first."""
    found = suggestions(engine, _ticket(engine, ticket_id), language_of_reader(engine, user))
    return [ArticleSummary.model_validate(summary(r)) for r in found]


@router.get("/tickets/{ticket_id}/articles", dependencies=[READERS, FRESH])
def linked(ticket_id: TicketId, engine: EngineDep) -> list[LinkedArticle]:
    """The articles linked to the ticket."""
    rows = engine.view(KnowledgeView).linked_to(engine.db, str(ticket_id))
    return [LinkedArticle.model_validate(r) for r in rows]


@router.post("/tickets/{ticket_id}/articles", dependencies=[WRITERS])
def link(ticket_id: TicketId, body: LinkRequest, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    """Link a published article that answers the ticket (again: nothing new); with
    ``send``, also reply to the client with it, in one change."""
    return WriteResult.of(link_or_send(engine, ctx, ticket_id, body.article_id, body.send))


def link_or_send(
    engine: Engine, ctx: Context, ticket_id: UUID, article_id: UUID, send: bool
) -> CommandResult:
    """Link a published article to the ticket, or send it to the client and link it."""
    article = engine.view(KnowledgeView).get(engine.db, str(article_id))
    if article is None or article["published_version"] == 0 or article["archived"]:
        raise InvalidField("article_id", "not a published article")
    shown = (article_id, article["published_version"], article["title"])
    tickets = engine.handler(TicketCommands)
    if not send:
        return tickets.link_article(ctx, ticket_id, *shown)
    if article["audience"] != Audience.PUBLIC.value:
        raise InvalidField("send", "an internal article is for staff: link it, do not send it")
    return tickets.send_article(ctx, ticket_id, shown, f"{article['title']}\n\n{article['body']}")


@router.post("/kb/articles/from-ticket/{ticket_id}", status_code=201, dependencies=[WRITERS, FRESH])
def draft_from_ticket(
    ticket_id: TicketId,
    engine: EngineDep,
    ctx: ContextDep,
    response: Response,
) -> DraftFromTicket:
    """A draft from a solved ticket: its subject as the title, its public replies as the
    body, with the client's name, e-mails, phone, identity and account numbers replaced."""
    ticket = _ticket(engine, ticket_id)
    if ticket["status"] not in (Status.RESOLVED.value, Status.CLOSED.value):
        raise InvalidField("ticket_id", "only a resolved or closed ticket becomes an article")
    replies = [
        c["body"] for c in ticket["comments"] if c["public"] and c["ticket_id"] == str(ticket_id)
    ]
    if not replies:
        raise InvalidField("ticket_id", "the ticket has no public reply to draw from")
    client = ticket.get("client_id")
    names = list(engine.view(ClientsView).names(engine.db, [client]).values()) if client else []
    language = language_of(" ".join([ticket["subject"], *replies]))
    title = redact(ticket["subject"], names, language)[:200]
    body = "\n\n".join(redact(r, names, language) for r in replies)
    content = Content(
        title=title,
        body=body,
        language=language,
        audience=Audience.INTERNAL,  # staff only until an editor decides otherwise
        ticket_types=(TicketType(ticket["type"]),),
    )
    result = engine.handler(KnowledgeCommands).write(ctx, content)
    response.headers["Location"] = f"/api/v1/kb/articles/{result.id}"
    return DraftFromTicket(
        id=result.id,
        title=title,
        body=body,
        language=language,
        position=result.position,
        version=result.version,
    )
