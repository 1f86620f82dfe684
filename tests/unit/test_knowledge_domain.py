"""Knowledge-base articles: draft → in review → published (by a second person) → archived;
every published version kept; editing a published article starts a draft."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.knowledge import Article, Audience, Content, Macro, MacroText, Stage, render
from domain.knowledge.article import NotReviewable
from domain.knowledge.macros import MacroRetired
from domain.service_desk import TicketType
from domain.shared.base import Context
from domain.shared.errors import InvalidField

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
AUTHOR, EDITOR = "author-1", "editor-1"


def by(actor: str) -> Context:
    return Context(actor=actor, at=T0, correlation_id="c")


def content(title: str = "如何重置交易密码", language: str = "zh-CN") -> Content:
    return Content(
        title=title,
        body="1. 点击 **忘记密码**",
        language=language,
        audience=Audience.PUBLIC,
        ticket_types=(TicketType.SERVICE_REQUEST, TicketType.SERVICE_REQUEST),
        tags=(" Account-Access ",),
    )


def written() -> Article:
    article = Article.write(by(AUTHOR), uuid.uuid4(), content(), None)
    article.collect_events()
    return article


def events(article: Article) -> list[str]:
    return [type(e).__name__ for e in article.collect_events()]


def test_content_is_normalised_and_checked() -> None:
    c = content()
    assert c.ticket_types == ("service_request",)
    assert c.tags == ("account-access",)
    with pytest.raises(ValidationError, match="language"):
        content(language="fr")
    with pytest.raises(ValidationError, match="title"):
        content(title="  ")


def test_a_second_person_publishes_and_the_author_cannot() -> None:
    # Given a draft submitted for review
    article = written()
    article.submit(by(AUTHOR))
    assert article.stage is Stage.IN_REVIEW
    # Then its author may not publish it
    with pytest.raises(NotReviewable, match="author"):
        article.publish(by(AUTHOR))
    # But an editor does: version 1
    article.publish(by(EDITOR))
    assert events(article) == ["Submitted", "Published"]
    assert (article.published_version, article.stage, article.draft) == (1, Stage.NONE, None)


def test_editing_a_published_article_drafts_the_next_version_and_keeps_the_first() -> None:
    article = written()
    article.submit(by(AUTHOR))
    article.publish(by(EDITOR))
    first = article.published
    # When the editor changes it, the readers' version stays; a draft waits
    article.edit(by(EDITOR), content(title="重置交易密码"))
    assert (article.stage, article.published) == (Stage.DRAFT, first)
    assert article.authors == [EDITOR]
    # And now the editor wrote it, so another person publishes it (the first author may)
    article.submit(by(EDITOR))
    with pytest.raises(NotReviewable):
        article.publish(by(EDITOR))
    article.publish(by(AUTHOR))
    assert article.published_version == 2
    assert article.published is not None
    assert article.published.title == "重置交易密码"


def test_the_steps_must_come_in_order() -> None:
    article = written()
    with pytest.raises(NotReviewable):
        article.publish(by(EDITOR))  # not in review
    with pytest.raises(NotReviewable):
        article.request_changes(by(EDITOR), "why")
    article.submit(by(AUTHOR))
    with pytest.raises(NotReviewable):
        article.submit(by(AUTHOR))
    with pytest.raises(InvalidField):
        article.request_changes(by(EDITOR), " ")
    article.request_changes(by(EDITOR), "add the SMS step")
    assert article.stage is Stage.DRAFT
    # Editing in review sends it back to draft; the same text again records nothing
    article.submit(by(AUTHOR))
    article.collect_events()
    article.edit(by(AUTHOR), content())
    assert events(article) == []
    article.edit(by(AUTHOR), content(title="新标题"))
    assert article.stage is Stage.DRAFT


def test_an_archived_article_changes_no_more_until_restored() -> None:
    article = written()
    article.archive(by(EDITOR), "obsolete")
    article.archive(by(EDITOR), "again")
    assert events(article) == ["Archived"]
    with pytest.raises(NotReviewable, match="archived"):
        article.edit(by(AUTHOR), content(title="x"))
    article.restore_archived(by(EDITOR))
    article.submit(by(AUTHOR))
    assert events(article) == ["Restored", "Submitted"]


def test_a_translation_is_in_another_language() -> None:
    original = written()
    with pytest.raises(InvalidField, match="language"):
        Article.write(by(AUTHOR), uuid.uuid4(), content(), original)
    english = Article.write(
        by(AUTHOR),
        uuid.uuid4(),
        content("How to reset your trading password", "en"),
        original,
    )
    assert english.translation_of == original.id


def test_a_macro_names_only_placeholders_the_desk_fills() -> None:
    text = MacroText(name="n", body="{client.name}: {ticket.number} by {agent.name}")
    macro = Macro.save(by(EDITOR), uuid.uuid4(), text)
    assert render(
        text.body, {"client.name": "陈静", "ticket.number": "T-1", "agent.name": "a"}
    ) == ("陈静: T-1 by a")
    with pytest.raises(InvalidField, match=r"\{client\.age\}"):
        macro.change(by(EDITOR), MacroText(name="n", body="{client.age}"))
    with pytest.raises(InvalidField, match=r"\{\}"):
        Macro.save(by(EDITOR), uuid.uuid4(), MacroText(name="n", body="empty {}"))
    macro.retire(by(EDITOR))
    with pytest.raises(MacroRetired):
        macro.usable()
