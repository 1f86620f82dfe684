"""Knowledge-base articles (知识库管理): written in Markdown, reviewed by a second person,
published in numbered versions that are all kept, archived when they no longer hold.

An article has at most one working copy (draft, or in review) beside the version readers
see: editing a published article starts a new draft and leaves the published one as it
is, until the draft is published as the next version."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.service_desk import TicketType
from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import Conflict, InvalidField

LANGUAGES = ("zh-CN", "en")
MAX_BODY = 100_000  # characters of Markdown
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)
]


class Audience(StrEnum):
    INTERNAL = "internal"  # staff only
    PUBLIC = "public"  # may be sent to clients


class Stage(StrEnum):
    """Where the working copy is (``none``: readers' version only)."""

    NONE = "none"
    DRAFT = "draft"
    IN_REVIEW = "in_review"


class Content(BaseModel):
    """What one version of an article says, and whom and what it is for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY)]
    language: str
    audience: Audience
    ticket_types: tuple[TicketType, ...] = ()
    tags: tuple[Tag, ...] = Field(default=(), max_length=20)

    @field_validator("language")
    @classmethod
    def _language(cls, language: str) -> str:
        if language not in LANGUAGES:
            msg = f"must be one of {', '.join(LANGUAGES)}"
            raise ValueError(msg)
        return language

    @field_validator("ticket_types", "tags")
    @classmethod
    def _once_each(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(values))


class NotReviewable(Conflict):
    """The article is not where the step asks it to be (e.g. publishing a draft not in
    review), or the reviewer wrote it."""


class Article(Aggregate):
    stage: Stage
    draft: Content | None  # the working copy
    published: Content | None  # what readers see
    published_version: int  # 0: never published
    authors: list[str]  # who wrote the working copy: none of them may publish it
    translation_of: UUID | None
    archived: bool

    class Drafted(Created):
        content: Content
        translation_of: UUID | None

        def apply(self, a: Article) -> None:
            a.stage, a.draft, a.published, a.published_version = Stage.DRAFT, self.content, None, 0
            a.authors, a.translation_of, a.archived = [self.meta.actor], self.translation_of, False

    class Edited(Event):
        """The working copy now says this (a new draft, if the article had none)."""

        content: Content

        def apply(self, a: Article) -> None:
            a.draft, a.stage = self.content, Stage.DRAFT
            if self.meta.actor not in a.authors:
                a.authors = [*a.authors, self.meta.actor]

    class Submitted(Event):
        def apply(self, a: Article) -> None:
            a.stage = Stage.IN_REVIEW

    class ChangesRequested(Event):
        reason: str

        def apply(self, a: Article) -> None:
            a.stage = Stage.DRAFT

    class Published(Event):
        """The working copy became version ``number``, as it says here."""

        number: int
        content: Content

        def apply(self, a: Article) -> None:
            a.published, a.published_version = self.content, self.number
            a.draft, a.stage, a.authors = None, Stage.NONE, []

    class Archived(Event):
        reason: str

        def apply(self, a: Article) -> None:
            a.archived = True

    class Restored(Event):
        def apply(self, a: Article) -> None:
            a.archived = False

    # -- commands ---------------------------------------------------------------------

    @classmethod
    def write(
        cls, ctx: Context, article_id: UUID, content: Content, translation_of: Article | None
    ) -> Article:
        """A new article, a draft by the signed-in person (a translation of another
        article when given: in another language)."""
        if translation_of is not None:
            languages = {c.language for c in (translation_of.draft, translation_of.published) if c}
            if content.language in languages:
                raise InvalidField("language", "a translation is in another language")
        return cls._start(
            cls.Drafted,
            ctx,
            article_id,
            content=content,
            translation_of=translation_of.id if translation_of else None,
        )

    def edit(self, ctx: Context, content: Content) -> None:
        """Change the working copy (a published article gets a new draft; an article in
        review goes back to draft, to be submitted again)."""
        self._not_archived()
        if content != (self.draft or self.published):
            self._record(self.Edited, ctx, content=content)

    def submit(self, ctx: Context) -> None:
        self._not_archived()
        if self.stage is not Stage.DRAFT:
            raise NotReviewable("only a draft is submitted for review")
        self._record(self.Submitted, ctx)

    def request_changes(self, ctx: Context, reason: str) -> None:
        self._in_review()
        if not reason.strip():
            raise InvalidField("reason", "must not be empty")
        self._record(self.ChangesRequested, ctx, reason=reason)

    def publish(self, ctx: Context) -> None:
        """Publish the working copy in review as the next version: a second person does,
        never one who wrote it."""
        self._in_review()
        if ctx.actor in self.authors:
            raise NotReviewable("an author cannot publish their own article: a reviewer does")
        assert self.draft is not None
        self._record(self.Published, ctx, number=self.published_version + 1, content=self.draft)

    def archive(self, ctx: Context, reason: str) -> None:
        if not reason.strip():
            raise InvalidField("reason", "must not be empty")
        if not self.archived:
            self._record(self.Archived, ctx, reason=reason)

    def restore_archived(self, ctx: Context) -> None:
        if self.archived:
            self._record(self.Restored, ctx)

    def _in_review(self) -> None:
        self._not_archived()
        if self.stage is not Stage.IN_REVIEW:
            raise NotReviewable("the article is not in review")

    def _not_archived(self) -> None:
        if self.archived:
            raise NotReviewable("the article is archived: restore it first")
