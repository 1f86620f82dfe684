"""Knowledge-base search on each store, with real queries: Chinese without spaces, English,
a typo, filters; the same articles in the same order on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from api.engine import Engine
from api.knowledge.tickets import suggestions
from application.demo.load import load_demo
from application.knowledge import KnowledgeCommands
from application.service_desk.tickets import TicketCommands
from domain.knowledge import Audience, Content
from domain.service_desk import TicketType
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import Status, TicketChannel
from domain.shared.base import Context
from projections.knowledge import Filters, KnowledgeView
from projections.service_desk import TicketsView
from tests.conftest import built_by_batches

ARTICLES = [
    (
        "如何重置交易密码",
        "在登录页点击忘记密码，验证身份后设置新的交易密码。",
        "zh-CN",
        "service_request",
        "account-access",
    ),
    (
        "How to reset your trading password",
        "On the sign-in page choose Forgot password, prove who you are, then set a new one.",
        "en",
        "service_request",
        "account-access",
    ),
    (
        "基金赎回多久到账",
        "货币基金赎回一般当日到账，其他基金 T+1 至 T+4 个交易日到账。",
        "zh-CN",
        "inquiry",
        "redemption",
    ),
    (
        "When redemption money arrives",
        "Money market funds pay the same day; other funds in one to four trading days.",
        "en",
        "inquiry",
        "redemption",
    ),
    (
        "风险测评过期怎么办",
        "测评有效期十二个月，过期后请重新完成风险承受能力测评方可申购。",
        "zh-CN",
        "service_request",
        "risk-assessment",
    ),
    (
        "对账单在哪里查看",
        "月度对账单可在 App 的“我的-对账单”中查看和下载。",
        "zh-CN",
        "inquiry",
        "statements",
    ),
    (
        "Fees for fund switching",
        "A switch between funds of one manager costs the difference in purchase fees.",
        "en",
        "inquiry",
        "fees",
    ),
    (
        "投诉处理流程",
        "收到投诉后一个工作日内联系客户，五个工作日内给出处理结果。",
        "zh-CN",
        "complaint",
        "complaints",
    ),
]


def given_published(engine: Engine, ctx: Context) -> dict[str, UUID]:
    commands, editor = engine.handler(KnowledgeCommands), ctx.model_copy(update={"actor": "ed"})
    ids = {}
    for title, body, language, kind, tag in ARTICLES:
        content = Content(
            title=title,
            body=body,
            language=language,
            audience=Audience.PUBLIC,
            ticket_types=(TicketType(kind),),
            tags=(tag,),
        )
        article = commands.write(ctx, content).id
        commands.submit(ctx, article)
        commands.publish(editor, article)
        ids[title] = article
    engine.projector.catch_up()
    return ids


def found(engine: Engine, q: str, **filters: str) -> list[str]:
    rows, _ = engine.view(KnowledgeView).search(engine.db, q, Filters(**filters), 10, None)
    return [r["title"] for r in rows]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("密码重置", "如何重置交易密码"),  # reordered words, no spaces
        ("交易密码", "如何重置交易密码"),
        ("reset password", "How to reset your trading password"),
        ("RESET Password!", "How to reset your trading password"),
        ("pasword reset", "How to reset your trading password"),  # a letter missing
        ("赎回到账", "基金赎回多久到账"),
        ("redemption", "When redemption money arrives"),
        ("测评过期", "风险测评过期怎么办"),
        ("对帐单", "对账单在哪里查看"),  # a character wrong: the other two still meet
    ],
)
def test_a_query_finds_its_article_first(
    engine: Engine, ctx: Context, query: str, first: str
) -> None:
    given_published(engine, ctx)
    assert found(engine, query)[0] == first


def test_filters_and_nothing_found(engine: Engine, ctx: Context) -> None:
    given_published(engine, ctx)
    assert found(engine, "密码", language="en") == []
    assert found(engine, "password", type="inquiry") == []
    assert found(engine, "", tag="fees") == ["Fees for fund switching"]
    assert set(found(engine, "", type="complaint")) == {"投诉处理流程"}
    assert found(engine, "zzzz qqqq") == []
    assert found(engine, "!!!") == []


def test_drafts_and_archived_articles_are_not_found_by_readers(
    engine: Engine, ctx: Context
) -> None:
    ids = given_published(engine, ctx)
    commands = engine.handler(KnowledgeCommands)
    draft = Content(
        title="开户需要哪些材料",
        body="身份证与银行卡。",
        language="zh-CN",
        audience=Audience.INTERNAL,
    )
    commands.write(ctx, draft)
    commands.archive(ctx, ids["投诉处理流程"], "replaced")
    engine.projector.catch_up()
    assert found(engine, "开户材料") == []
    assert found(engine, "开户材料", status="draft") == ["开户需要哪些材料"]
    assert found(engine, "投诉处理") == []
    assert found(engine, "投诉处理", status="archived") == ["投诉处理流程"]


def test_a_new_version_is_found_by_its_new_words_only(engine: Engine, ctx: Context) -> None:
    ids = given_published(engine, ctx)
    commands, editor = engine.handler(KnowledgeCommands), ctx.model_copy(update={"actor": "ed"})
    article = ids["对账单在哪里查看"]
    changed = Content(
        title="电子账单查询",
        body="在 App 中查看电子账单。",
        language="zh-CN",
        audience=Audience.PUBLIC,
    )
    commands.edit(ctx, article, changed)
    engine.projector.catch_up()
    # A draft: readers still find the published text, not the draft's
    assert found(engine, "电子账单")[0] == "对账单在哪里查看"
    assert "电子账单查询" not in found(engine, "电子账单")
    commands.submit(ctx, article)
    commands.publish(editor, article)
    engine.projector.catch_up()
    assert found(engine, "电子账单")[0] == "电子账单查询"
    assert "电子账单查询" not in found(engine, "下载")


def test_the_demo_answers_its_own_tickets(engine: Engine) -> None:
    # Given the demo (a few clients, 40 tickets)
    counts = load_demo(engine.demo_commands(), datetime.now(UTC), 20, 7, 10, 1, 40)
    engine.projector.catch_up()
    assert (counts["articles"], counts["macros"]) == (40, 10)
    view = engine.view(KnowledgeView)
    zh = found(engine, "", language="zh-CN")
    assert len(zh) == 10  # a page: twenty in Chinese, as many in English
    assert len(view.macros(engine.db)) == 10
    # Then every demo ticket's subject finds an article answering it first
    tickets, _ = engine.view(TicketsView).queue(
        engine.db, {}, "created", 50, None, datetime.now(UTC)
    )
    answered = 0
    for row in tickets:
        ticket = engine.view(TicketsView).get(engine.db, UUID(row["id"]))
        assert ticket is not None
        top = suggestions(engine, ticket, "en")
        answered += bool(top) and top[0]["language"] == "en"
    assert answered == len(tickets)


def test_a_view_built_in_one_batch_equals_one_built_event_by_event(
    engine: Engine, ctx: Context
) -> None:
    # Given articles published, one edited by another author and published again, one
    # sent back, one archived and restored, one archived, a draft never published edited
    # twice, and the demo's tickets, links and macros
    ids = given_published(engine, ctx)
    commands, editor = engine.handler(KnowledgeCommands), ctx.model_copy(update={"actor": "ed"})
    other = ctx.model_copy(update={"actor": "another"})
    statement = Content(
        title="电子账单查询", body="在 App 中查看电子账单。", language="zh-CN",
        audience=Audience.PUBLIC, tags=("statements", "app"),
    )  # fmt: skip
    commands.edit(other, ids["对账单在哪里查看"], statement)
    commands.submit(ctx, ids["对账单在哪里查看"])
    commands.publish(editor, ids["对账单在哪里查看"])
    commands.edit(
        ctx, ids["Fees for fund switching"], statement.model_copy(update={"language": "en"})
    )
    commands.submit(ctx, ids["Fees for fund switching"])
    commands.request_changes(editor, ids["Fees for fund switching"], "too short")
    commands.archive(ctx, ids["投诉处理流程"], "replaced")
    commands.restore(ctx, ids["投诉处理流程"])
    commands.archive(ctx, ids["风险测评过期怎么办"], "gone")
    draft = commands.write(ctx, statement.model_copy(update={"title": "开户材料"})).id
    commands.edit(other, draft, statement.model_copy(update={"title": "开户需要哪些材料"}))
    commands.edit(
        ctx,
        draft,
        statement.model_copy(update={"title": "开户需要哪些材料", "body": "身份证与银行卡。"}),
    )
    load_demo(engine.demo_commands(), datetime.now(UTC), 20, 7, 10, 1, 40)
    # and tickets linked to an article: one resolved, one resolved and reopened, one
    # resolved before its link (the link is not counted as settling it)
    desk, article = engine.handler(TicketCommands), ids["如何重置交易密码"]
    tickets = [
        desk.open(
            ctx, client_id=None, type=TicketType.INQUIRY, priority=Priority.P3,
            channel=TicketChannel.PHONE, subject="s", description="d",
        ).result.id
        for _ in range(3)
    ]  # fmt: skip
    for ticket in tickets[:2]:
        desk.link_article(ctx, ticket, article, 1, "如何重置交易密码")
    for ticket in tickets:
        desk.transition(ctx, ticket, Status.IN_PROGRESS, None)
        desk.transition(ctx, ticket, Status.RESOLVED, None)
    desk.reopen(ctx, tickets[1], "not fixed")
    desk.link_article(ctx, tickets[2], article, 1, "如何重置交易密码")
    # When one copy of the view applies them one event a batch, another all in one batch
    views = built_by_batches(engine, KnowledgeView)
    # Then both hold the same rows as the live view, which holds them all
    engine.projector.catch_up()

    def rows(view: KnowledgeView, base: str) -> list[dict[str, Any]]:
        with engine.db.read() as tx:
            found = tx.query(f"SELECT * FROM {view.t(base)}")
        return sorted(found, key=lambda r: [str(v) for v in r.values()])

    for base in KnowledgeView.tables:
        one, whole, live = (rows(v, base) for v in (*views, engine.view(KnowledgeView)))
        assert one == whole == live, base
    articles = {r["id"]: r for r in rows(views[1], "view_kb_articles")}
    assert articles[str(ids["对账单在哪里查看"])]["title"] == "电子账单查询"
    assert articles[str(ids["Fees for fund switching"])]["stage"] == "draft"
    assert json.loads(articles[str(draft)]["authors"]) == [ctx.actor, "another"]
    assert articles[str(draft)]["title"] == "开户需要哪些材料"
    assert articles[str(ids["风险测评过期怎么办"])]["archived"] == 1
    assert articles[str(ids["投诉处理流程"])]["archived"] == 0
    labels = {(r["label"], r["article_id"]) for r in rows(views[1], "view_kb_labels")}
    assert ("tag:app", str(ids["对账单在哪里查看"])) in labels
    links = {r["ticket_id"]: r for r in rows(views[1], "view_kb_links")}
    settled = [(links[str(t)]["resolved"], links[str(t)]["reopened"]) for t in tickets]
    assert settled == [(1, 0), (1, 1), (0, 0)]
    assert len(rows(views[1], "view_kb_terms")) > 1000
