"""The knowledge base's routes: write and edit articles, the review and publish flow,
search (Chinese and English), every published version, and an article's history."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Response

from api.compliance import AggregateHistory, shown
from api.engine import Engine
from api.knowledge.markdown import html
from api.knowledge.schemas import (
    ArchiveRequest,
    ArticleCreate,
    ArticlePatch,
    ArticlePublic,
    ArticleSummary,
    ChangesRequest,
    summary,
)
from api.shared.deps import (
    ContextDep,
    CurrentUser,
    EngineDep,
    IdempotencyDep,
    fresh,
    roles,
    version_matched,
)
from api.shared.schemas import Cursor, Limit, Page, WriteResult
from api.staff import People, PeopleDep
from application.compliance import History
from application.knowledge import KnowledgeCommands
from domain.knowledge import Article, Content
from domain.service_desk import TicketType
from domain.shared.errors import NotFound
from domain.staff import Role
from projections.knowledge import Filters, KnowledgeView

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge"])
READ_ROLES = (Role.ADMIN, Role.EDITOR, Role.AGENT, Role.ADVISOR, Role.COMPLIANCE)
WRITE_ROLES = frozenset({Role.ADMIN, Role.EDITOR, Role.AGENT})
READERS = Depends(roles(*READ_ROLES))
WRITERS = Depends(roles(*WRITE_ROLES))
REVIEWERS = Depends(roles(Role.ADMIN, Role.EDITOR))
FRESH = Depends(fresh(KnowledgeView))
ArticleId = Annotated[UUID, Path(description="an article's id")]
Status = Literal["published", "draft", "in_review", "archived", "any"]


def writes(user: Any) -> bool:
    return Role(user.role) in WRITE_ROLES


@router.post("/articles", status_code=201, dependencies=[WRITERS])
def write_article(
    body: ArticleCreate,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    response: Response,
) -> WriteResult:
    """A new article, a draft whose author is the signed-in person."""
    content = Content(**body.model_dump(exclude={"translation_of"}))
    result = engine.handler(KnowledgeCommands).write(ctx, content, body.translation_of, idem)
    response.headers["Location"] = f"/api/v1/kb/articles/{result.id}"
    return WriteResult.of(result)


@router.patch("/articles/{article_id}", dependencies=[WRITERS])
def edit_article(
    article_id: ArticleId,
    body: ArticlePatch,
    engine: EngineDep,
    ctx: ContextDep,
    idem: IdempotencyDep,
    if_match: Annotated[
        str | None, Header(description="the version read: a change since is a 412")
    ] = None,
) -> WriteResult:
    """Change the working copy; a published article gets a new draft, and readers keep
    the published version until the draft is published."""
    changes = body.model_dump(exclude_none=True)
    result = engine.handler(KnowledgeCommands).edit(
        ctx, article_id, changes, version_matched(if_match), idem
    )
    return WriteResult.of(result)


@router.post("/articles/{article_id}/submit", dependencies=[WRITERS])
def submit(article_id: ArticleId, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    """Send the draft for review."""
    return WriteResult.of(engine.handler(KnowledgeCommands).submit(ctx, article_id))


@router.post("/articles/{article_id}/request-changes", dependencies=[REVIEWERS])
def request_changes(
    article_id: ArticleId, body: ChangesRequest, engine: EngineDep, ctx: ContextDep
) -> WriteResult:
    """Send the draft in review back to its authors, with what to change."""
    commands = engine.handler(KnowledgeCommands)
    return WriteResult.of(commands.request_changes(ctx, article_id, body.reason))


@router.post("/articles/{article_id}/publish", dependencies=[REVIEWERS])
def publish(article_id: ArticleId, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    """Publish the draft in review as the next version: a reviewer (an editor or an
    administrator) who did not write it."""
    return WriteResult.of(engine.handler(KnowledgeCommands).publish(ctx, article_id))


@router.post("/articles/{article_id}/archive", dependencies=[REVIEWERS])
def archive(
    article_id: ArticleId, body: ArchiveRequest, engine: EngineDep, ctx: ContextDep
) -> WriteResult:
    """Take the article out of search and suggestions (its versions stay readable)."""
    return WriteResult.of(engine.handler(KnowledgeCommands).archive(ctx, article_id, body.reason))


@router.post("/articles/{article_id}/restore", dependencies=[REVIEWERS])
def restore(article_id: ArticleId, engine: EngineDep, ctx: ContextDep) -> WriteResult:
    return WriteResult.of(engine.handler(KnowledgeCommands).restore(ctx, article_id))


@router.get("/articles", dependencies=[READERS, FRESH])
def search(
    engine: EngineDep,
    user: CurrentUser,
    q: Annotated[
        str | None,
        Query(max_length=200, description="words to find in titles and text (中文 or English)"),
    ] = None,
    type: Annotated[TicketType | None, Query(description="answers this ticket type")] = None,
    tag: Annotated[str | None, Query(max_length=40, description="carries this tag")] = None,
    lang: Annotated[
        str | None, Query(pattern="^(zh-CN|en)$", description="in this language")
    ] = None,
    audience: Annotated[
        Literal["internal", "public"] | None, Query(description="for staff, or for clients")
    ] = None,
    status: Annotated[
        Status,
        Query(description="published (readers'), draft, in_review, archived or any (writers)"),
    ] = "published",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ArticleSummary]:
    """Articles by relevance to ``q`` (without it, the latest changed first)."""
    if status != "published" and not writes(user):
        raise HTTPException(403, "only writers see articles that are not published")
    rows, next_cursor = engine.view(KnowledgeView).search(
        engine.db,
        q,
        Filters(type=type, tag=tag, language=lang, audience=audience, status=status),
        limit,
        cursor,
    )
    return Page(
        items=[ArticleSummary.model_validate(summary(r)) for r in rows], next_cursor=next_cursor
    )


@router.get("/articles/{article_id}", dependencies=[READERS, FRESH])
def read_article(
    article_id: ArticleId,
    engine: EngineDep,
    user: CurrentUser,
    people: PeopleDep,
    response: Response,
    version: Annotated[
        int | None, Query(ge=1, description="an earlier published version (default: latest)")
    ] = None,
) -> ArticlePublic:
    """The latest published version (or ``version``), with the working copy for writers;
    an article never published is found by its writers only."""
    return ArticlePublic.model_validate(
        article_shown(engine, people, article_id, version, writes(user), response)
    )


def article_shown(
    engine: Engine,
    people: People,
    article_id: UUID,
    number: int | None,
    writer: bool,
    response: Response | None = None,
) -> dict[str, Any]:
    """An article as a reader (or a writer) sees it: a published version's text, rendered."""
    view = engine.view(KnowledgeView)
    row = view.get(engine.db, str(article_id))
    if row is None or (not writer and row["published_version"] == 0):
        raise NotFound(f"article {article_id} not found")
    wanted = number or row["published_version"]
    if wanted:
        found = view.version(engine.db, str(article_id), wanted)
        if found is None:
            raise NotFound(f"article {article_id} has no version {wanted}")
        content, published_at = found["content"], found["published_at"]
    else:  # a writer reading a draft never published
        content, published_at = row["draft"], None
    if response is not None:
        response.headers["ETag"] = f'"{row["version"]}"'
    return {
        **summary({**row, **content}),
        **content,
        "body_html": html(content["body"]),
        "number": wanted,
        "published_at": published_at,
        "translations": view.translations(engine.db, str(article_id), row["translation_of"]),
        "draft": row["draft"] if writer else None,
        "authors": list(people.usernames(row["authors"]).values()) if writer else [],
        **view.usage(engine.db, str(article_id)),
    }


@router.get("/articles/{article_id}/history", dependencies=[WRITERS])
def article_history(
    article_id: ArticleId, engine: EngineDep, people: PeopleDep
) -> AggregateHistory:
    """Every event of the article, oldest first: who wrote, reviewed and published what."""
    events = engine.handler(History).events(Article, article_id)
    return AggregateHistory(kind="kb-articles", id=article_id, events=shown(people, events))
