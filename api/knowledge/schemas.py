"""Request and response schemas of the knowledge base."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from api.shared.schemas import Lines, MultiLine, OneLine, Reason, Strict, example
from domain.knowledge import Audience
from domain.knowledge.article import MAX_BODY
from domain.service_desk import TicketType

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Body = Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY), Lines, MultiLine()]
Language = Annotated[str, Field(pattern="^(zh-CN|en)$", description="zh-CN or en")]
TagText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), OneLine
]

EXAMPLE = {
    "title": "如何重置交易密码",
    "body": "1. 在登录页点击 **忘记密码**。\n2. 验证身份证号与手机号。\n3. 设置新密码。",
    "language": "zh-CN",
    "audience": "public",
    "ticket_types": ["service_request"],
    "tags": ["account-access"],
}


class ArticleCreate(Strict):
    model_config = example({**EXAMPLE, "translation_of": None})

    title: Title
    body: Body
    language: Language
    audience: Audience
    ticket_types: list[TicketType] = Field(default=[], max_length=10)
    tags: list[TagText] = Field(default=[], max_length=20)
    translation_of: UUID | None = Field(
        default=None, description="the article this one translates (another language)"
    )


class ArticlePatch(Strict):
    """The fields to change in the working copy (the published text when there is none)."""

    model_config = example({"body": "1. 在登录页点击 **忘记密码**。\n2. 按短信提示操作。"})

    title: Title | None = None
    body: Body | None = None
    language: Language | None = None
    audience: Audience | None = None
    ticket_types: list[TicketType] | None = Field(default=None, max_length=10)
    tags: list[TagText] | None = Field(default=None, max_length=20)


class ChangesRequest(Strict):
    model_config = example({"reason": "Step 2 needs the SMS code's validity"})

    reason: Reason


class ArchiveRequest(Strict):
    model_config = example({"reason": "The app no longer has this screen"})

    reason: Reason


class ContentPublic(BaseModel):
    title: str
    body: str
    language: str
    audience: Audience
    ticket_types: list[TicketType]
    tags: list[str]


class Translation(BaseModel):
    id: UUID
    language: str
    title: str
    published_version: int


class ArticleSummary(BaseModel):
    id: UUID
    title: str
    language: str
    audience: Audience
    ticket_types: list[TicketType]
    tags: list[str]
    stage: str = Field(description="the working copy: none, draft or in_review")
    published_version: int = Field(description="the latest published version (0: none yet)")
    archived: bool
    updated_at: datetime
    excerpt: str = Field(description="the text's first characters")
    score: float | None = Field(default=None, description="relevance to the query")


class ArticlePublic(ArticleSummary):
    """An article as readers see it (the latest published version, or the one asked for),
    and, for its writers and editors, the working copy."""

    body: str
    body_html: str = Field(description="the Markdown rendered safely (no raw HTML)")
    number: int = Field(description="the version shown")
    published_at: datetime | None
    translation_of: UUID | None
    translations: list[Translation]
    draft: ContentPublic | None = Field(description="the working copy (writers only)")
    authors: list[str] = Field(description="who wrote the working copy (usernames)")
    version: int = Field(description="the article's version, for If-Match")
    linked: int = Field(description="tickets the article was linked to")
    settled: int = Field(description="of those, the tickets resolved since and never reopened")


def excerpt(body: str, size: int = 160) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


def summary(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "excerpt": excerpt(row["body"])}
