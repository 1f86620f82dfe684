"""Commands of the knowledge base: write, edit (against the version read), submit for
review, request changes, publish (a second person), archive and restore."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from domain.knowledge import Article, Content
from domain.shared.base import Context
from domain.shared.errors import InvalidField, NotFound


class KnowledgeCommands(Commands):
    def write(
        self,
        ctx: Context,
        content: Content,
        translation_of: UUID | None = None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """A new article, a draft by the signed-in person."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        original = None
        if translation_of is not None:
            try:
                original = self.load(Article, translation_of)
            except NotFound:
                raise InvalidField("translation_of", f"no article {translation_of}") from None
        article = Article.write(ctx, uuid4(), content, original)
        return self.commit(ctx, article, idem=idem)

    def edit(
        self,
        ctx: Context,
        article_id: UUID,
        content: Content | Mapping[str, Any],
        expected_version: int | None = None,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Change the working copy, whole or only the fields given (the others as the
        article holds them when it is changed); with the version read, a change since is
        a 412."""
        return self.update(
            ctx,
            Article,
            article_id,
            lambda a: a.edit(ctx, _amended(a, content)),
            idem=idem,
            expected_version=expected_version,
        )

    def submit(self, ctx: Context, article_id: UUID) -> CommandResult:
        return self.update(ctx, Article, article_id, lambda a: a.submit(ctx), idem=None)

    def request_changes(self, ctx: Context, article_id: UUID, reason: str) -> CommandResult:
        return self.update(
            ctx, Article, article_id, lambda a: a.request_changes(ctx, reason), idem=None
        )

    def publish(self, ctx: Context, article_id: UUID) -> CommandResult:
        return self.update(ctx, Article, article_id, lambda a: a.publish(ctx), idem=None)

    def archive(self, ctx: Context, article_id: UUID, reason: str) -> CommandResult:
        return self.update(ctx, Article, article_id, lambda a: a.archive(ctx, reason), idem=None)

    def restore(self, ctx: Context, article_id: UUID) -> CommandResult:
        return self.update(ctx, Article, article_id, lambda a: a.restore_archived(ctx), idem=None)


def _amended(article: Article, content: Content | Mapping[str, Any]) -> Content:
    if isinstance(content, Content):
        return content
    current = article.draft or article.published
    assert current is not None  # an article always has one or the other
    return Content(**{**current.model_dump(), **content})
