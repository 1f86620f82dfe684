"""The knowledge base over HTTP on each store: an agent writes, an editor publishes (never
the author), readers see the published version while the next is drafted, every version
stays readable, Markdown is rendered without raw HTML, and bad input is named."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from application.demo.load import load_demo
from projections.clients import ClientsView
from projections.service_desk import TicketsView
from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields

ARTICLE = {
    "title": "如何重置交易密码",
    "body": "1. 点击 **忘记密码**\n2. 验证身份\n\n<script>alert(1)</script>",
    "language": "zh-CN",
    "audience": "public",
    "ticket_types": ["service_request"],
    "tags": ["Account-Access"],
}


def written(api: Api, role: str = "agent", **fields: Any) -> dict[str, Any]:
    done = api.call("POST", "/api/v1/kb/articles", role, json={**ARTICLE, **fields})
    assert done.status_code == 201, done.text
    return dict(done.json())


def step(api: Api, article: str, action: str, role: str, **body: Any) -> Any:
    return api.call("POST", f"/api/v1/kb/articles/{article}/{action}", role, json=body or None)


def test_an_agent_writes_an_editor_publishes_and_readers_keep_the_version(api: Api) -> None:
    article = written(api)["id"]
    # A draft is not for readers
    assert api.call("GET", f"/api/v1/kb/articles/{article}", "advisor").status_code == 404
    assert step(api, article, "submit", "agent").status_code == 200
    # The author may not publish; an advisor may not review
    refused = step(api, article, "publish", "agent")
    assert refused.status_code == 403
    assert step(api, article, "publish", "advisor").status_code == 403
    # An editor publishes version 1
    done = step(api, article, "publish", "editor")
    assert done.status_code == 200, done.text
    wait = f"?min_position={done.json()['position']}"
    shown = api.call("GET", f"/api/v1/kb/articles/{article}{wait}", "advisor").json()
    assert (shown["number"], shown["published_version"], shown["stage"]) == (1, 1, "none")
    assert shown["tags"] == ["account-access"]
    assert "<strong>忘记密码</strong>" in shown["body_html"]
    assert "<script>" not in shown["body_html"]
    assert "&lt;script&gt;" in shown["body_html"]
    assert shown["draft"] is None
    # When the agent edits it (If-Match: the version read), readers still see version 1
    edited = api.call(
        "PATCH",
        f"/api/v1/kb/articles/{article}",
        "agent",
        json={"title": "重置交易密码的步骤"},
        headers={"If-Match": f'"{shown["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    wait = f"?min_position={edited.json()['position']}"
    reader = api.call("GET", f"/api/v1/kb/articles/{article}{wait}", "advisor").json()
    assert (reader["title"], reader["draft"]) == ("如何重置交易密码", None)
    writer = api.call("GET", f"/api/v1/kb/articles/{article}{wait}", "agent").json()
    assert writer["draft"]["title"] == "重置交易密码的步骤"
    assert writer["authors"] == ["agent"]
    # A stale If-Match is a 412
    stale = api.call(
        "PATCH",
        f"/api/v1/kb/articles/{article}",
        "agent",
        json={"title": "x"},
        headers={"If-Match": f'"{shown["version"]}"'},
    )
    assert stale.status_code == 412
    # Published as version 2 by the admin (the editor did not write it either)
    step(api, article, "submit", "agent")
    done = step(api, article, "publish", "admin")
    assert done.status_code == 200, done.text
    wait = f"min_position={done.json()['position']}"
    latest = api.call("GET", f"/api/v1/kb/articles/{article}?{wait}", "advisor").json()
    assert (latest["number"], latest["title"]) == (2, "重置交易密码的步骤")
    first = api.call("GET", f"/api/v1/kb/articles/{article}?version=1&{wait}", "advisor").json()
    assert (first["number"], first["title"]) == (1, "如何重置交易密码")
    assert api.call("GET", f"/api/v1/kb/articles/{article}?version=3").status_code == 404
    # The history tells who wrote, submitted and published what
    history = api.call("GET", f"/api/v1/kb/articles/{article}/history", "editor").json()
    assert [(e["type"], e["actor"]) for e in history["events"]] == [
        ("Article.Drafted", "agent"),
        ("Article.Submitted", "agent"),
        ("Article.Published", "editor"),
        ("Article.Edited", "agent"),
        ("Article.Submitted", "agent"),
        ("Article.Published", "admin"),
    ]


def test_search_translations_archive_and_bad_input(api: Api) -> None:
    zh = written(api)["id"]
    en = written(
        api,
        title="How to reset your trading password",
        body="Choose *Forgot password* on the sign-in page.",
        language="en",
        translation_of=zh,
    )["id"]
    for article in (zh, en):
        step(api, article, "submit", "agent")
        done = step(api, article, "publish", "editor")
    wait = f"min_position={done.json()['position']}"
    hits = api.call("GET", f"/api/v1/kb/articles?q=密码重置&{wait}", "advisor").json()["items"]
    assert hits[0]["id"] == zh
    assert hits[0]["score"] > 0
    hits = api.call("GET", "/api/v1/kb/articles?q=pasword", "advisor").json()["items"]
    assert [h["id"] for h in hits] == [en]
    both = api.call("GET", "/api/v1/kb/articles?type=service_request", "advisor").json()
    assert {h["id"] for h in both["items"]} == {zh, en}
    shown = api.call("GET", f"/api/v1/kb/articles/{en}", "advisor").json()
    assert [(t["id"], t["language"]) for t in shown["translations"]] == [(zh, "zh-CN")]
    # A reader asks for drafts: forbidden; an archived article is not found by search
    assert api.call("GET", "/api/v1/kb/articles?status=draft", "advisor").status_code == 403
    assert step(api, en, "archive", "editor", reason=" ").status_code == 422
    archived = step(api, en, "archive", "editor", reason="replaced")
    wait = f"min_position={archived.json()['position']}"
    hits = api.call("GET", f"/api/v1/kb/articles?q=password&{wait}", "advisor").json()["items"]
    assert en not in [h["id"] for h in hits]
    # Bad input is named
    bad = api.call("POST", "/api/v1/kb/articles", "agent", json={**ARTICLE, "language": "fr"})
    assert invalid_fields(bad) == ["language"]
    bad = api.call("POST", "/api/v1/kb/articles", "agent", json={**ARTICLE, "title": ""})
    assert invalid_fields(bad) == ["title"]
    again = api.call("POST", "/api/v1/kb/articles", "agent", json={**ARTICLE, "translation_of": zh})
    assert invalid_fields(again) == ["language"]
    assert invalid_fields(api.call("GET", "/api/v1/kb/articles?lang=fr")) == ["query.lang"]
    assert api.call("POST", "/api/v1/kb/articles", "advisor", json=ARTICLE).status_code == 403
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.call("GET", f"/api/v1/kb/articles/{missing}").status_code == 404
    assert step(api, missing, "submit", "agent").status_code == 404
    big = api.call("POST", "/api/v1/kb/articles", "agent", json={**ARTICLE, "body": "x" * 100_001})
    assert invalid_fields(big) == ["body"]
    # An editor's own article is published by someone else
    own = written(api, "editor")["id"]
    step(api, own, "submit", "editor")
    assert step(api, own, "publish", "editor").status_code == 409
    assert step(api, own, "publish", "admin").status_code == 200


def published(api: Api, **fields: Any) -> str:
    article = written(api, **fields)["id"]
    step(api, article, "submit", "agent")
    done = step(api, article, "publish", "editor")
    assert done.status_code == 200, done.text
    return str(article)


def opened_ticket(api: Api, subject: str, description: str, kind: str = "service_request") -> str:
    client = api.created(
        {**client_fields(name="陈静"), "email": "chen.jing@example.cn", "phone": "+86 13812345678"}
    )
    done = api.call(
        "POST",
        "/api/v1/tickets",
        "agent",
        json={
            "client_id": client["id"],
            "type": kind,
            "priority": "P3",
            "channel": "phone",
            "subject": subject,
            "description": description,
        },
    )
    assert done.status_code == 201, done.text
    return str(done.json()["id"])


def test_a_tickets_suggestions_links_and_a_draft_from_the_solved_ticket(api: Api) -> None:
    zh = published(api)
    en = published(
        api,
        title="How to reset your trading password",
        body="Choose *Forgot password* on the sign-in page.",
        language="en",
    )
    fees = published(
        api, title="基金转换费用", body="转换费为申购费差额。", ticket_types=["inquiry"]
    )
    ticket = opened_ticket(api, "交易密码忘记了", "客户忘记交易密码，无法重置")
    api.engine.projector.catch_up()
    # The suggestions: the Chinese article first for a Chinese ticket's words
    found = api.call("GET", f"/api/v1/tickets/{ticket}/suggestions", "agent").json()
    assert found[0]["id"] == zh
    assert fees not in [f["id"] for f in found[:1]]
    # Linking one records it on the ticket, once; an unpublished article is refused
    link = api.call("POST", f"/api/v1/tickets/{ticket}/articles", "agent", json={"article_id": zh})
    assert link.status_code == 200, link.text
    again = api.call("POST", f"/api/v1/tickets/{ticket}/articles", "agent", json={"article_id": zh})
    assert again.json()["version"] == link.json()["version"]
    draft = written(api)["id"]
    refused = api.call(
        "POST", f"/api/v1/tickets/{ticket}/articles", "agent", json={"article_id": draft}
    )
    assert invalid_fields(refused) == ["article_id"]
    # The ticket is answered publicly and resolved: the article settled one ticket
    reply = (
        "陈静您好：请在登录页点击“忘记密码”，验证身份证 310101198805061234 和手机 "
        "138 1234 5678 后重置。如有问题请发邮件至 chen.jing@example.cn，账户 6225880212345678。"
    )
    api.call(
        "POST", f"/api/v1/tickets/{ticket}/comments", "agent", json={"body": reply, "public": True}
    )
    api.call(
        "POST",
        f"/api/v1/tickets/{ticket}/comments",
        "agent",
        json={"body": "内部备注", "public": False},
    )
    api.call("POST", f"/api/v1/tickets/{ticket}/transition", "agent", json={"to": "in_progress"})
    done = api.call(
        "POST", f"/api/v1/tickets/{ticket}/transition", "agent", json={"to": "resolved"}
    )
    assert done.status_code == 200, done.text
    wait = f"min_position={done.json()['position']}"
    shown = api.call("GET", f"/api/v1/kb/articles/{zh}?{wait}", "advisor").json()
    assert (shown["linked"], shown["settled"]) == (1, 1)
    linked = api.call("GET", f"/api/v1/tickets/{ticket}/articles?{wait}", "agent").json()
    assert [a["id"] for a in linked] == [zh]
    # A draft from the solved ticket: its public reply, the client's data replaced
    made = api.call("POST", f"/api/v1/kb/articles/from-ticket/{ticket}?{wait}", "agent")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["title"] == "交易密码忘记了"
    for personal in ("陈静", "310101198805061234", "1234 5678", "chen.jing", "6225880212345678"):
        assert personal not in body["body"]
    for placeholder in ("[客户姓名]", "[证件号码]", "[电话号码]", "[电子邮箱]", "[账号]"):
        assert placeholder in body["body"]
    assert "内部备注" not in body["body"]
    # An open ticket does not become an article; an advisor may not write one
    other = opened_ticket(api, "Fee question", "How much is a switch?", "inquiry")
    api.engine.projector.catch_up()
    assert invalid_fields(
        api.call("POST", f"/api/v1/kb/articles/from-ticket/{other}", "agent")
    ) == ["ticket_id"]
    assert (
        api.call("POST", f"/api/v1/kb/articles/from-ticket/{ticket}", "advisor").status_code == 403
    )
    assert en in [f["id"] for f in api.call("GET", f"/api/v1/tickets/{other}/suggestions").json()]


def test_an_article_sent_to_the_client_is_a_public_reply_and_a_link_in_one_change(
    api: Api,
) -> None:
    # Given a public article, an internal one and a ticket
    public = published(api)
    internal = published(api, title="内部：密码重置的核查要点", audience="internal")
    ticket = opened_ticket(api, "交易密码忘记了", "客户忘记交易密码")
    api.engine.projector.catch_up()
    before = api.call("GET", f"/api/v1/tickets/{ticket}", "agent").json()["version"]
    # When the agent sends the public one
    sent = api.call(
        "POST",
        f"/api/v1/tickets/{ticket}/articles",
        "agent",
        json={"article_id": public, "send": True},
    )
    assert sent.status_code == 200, sent.text
    # Then the ticket took the reply and the link in one save, the reply being the first response
    wait = f"min_position={sent.json()['position']}"
    shown = api.call("GET", f"/api/v1/tickets/{ticket}?{wait}", "agent").json()
    [reply] = [c for c in shown["comments"] if c["public"]]
    assert reply["body"] == f"{ARTICLE['title']}\n\n{ARTICLE['body']}"
    assert shown["first_responded_at"] is not None
    history = api.call("GET", f"/api/v1/tickets/{ticket}/history", "admin").json()["events"]
    assert [e["type"] for e in history][-2:] == ["Ticket.Commented", "Ticket.ArticleLinked"]
    assert sent.json()["version"] == before + 2
    # Sent again, it is another reply but still one link
    again = api.call(
        "POST",
        f"/api/v1/tickets/{ticket}/articles",
        "agent",
        json={"article_id": public, "send": True},
    )
    wait = f"min_position={again.json()['position']}"
    linked = api.call("GET", f"/api/v1/tickets/{ticket}/articles?{wait}", "agent").json()
    assert [a["id"] for a in linked] == [public]
    # An internal article is for staff: linked, never sent
    refused = api.call(
        "POST",
        f"/api/v1/tickets/{ticket}/articles",
        "agent",
        json={"article_id": internal, "send": True},
    )
    assert invalid_fields(refused) == ["send"]
    events = api.call("GET", f"/api/v1/tickets/{ticket}/history", "admin").json()["events"]
    assert len(events) == len(history) + 1  # the second reply only


def test_drafts_from_the_demos_solved_tickets_keep_none_of_their_clients_data(
    api: Api,
) -> None:
    # Given the demo, whose resolving replies address the client by name and phone
    load_demo(api.engine.demo_commands(), datetime.now(UTC), 20, 7, 10, 1, 60)
    api.engine.projector.catch_up()
    view, db = api.engine.view(TicketsView), api.engine.db
    rows, _ = view.queue(db, {}, "created", 100, None, datetime.now(UTC))
    solved = [
        ticket
        for row in rows
        if (ticket := view.get(db, UUID(row["id"]))) is not None
        and ticket["status"] in ("resolved", "closed")
        and ticket["client_id"]
        and any(c["public"] and c["body"].startswith("Dear") for c in ticket["comments"])
    ]
    assert len(solved) >= 5
    for ticket in solved:
        client = api.engine.view(ClientsView).get(db, UUID(ticket["client_id"]))
        assert client is not None
        # When an agent drafts an article from it
        made = api.call("POST", f"/api/v1/kb/articles/from-ticket/{ticket['id']}", "agent")
        assert made.status_code == 201, made.text
        body = made.json()["body"]
        # Then the client's name and phone are placeholders, the rest of the reply kept
        assert client["name"] not in body
        assert client["phone"] not in body
        assert "Dear [client name], we called you back on [phone number]" in body, body


MACRO = {
    "name": "密码重置指引",
    "body": "{client.name}您好：请点击“忘记密码”。工单 {ticket.number}，处理人 {agent.name}。",
    "public": True,
    "actions": {"status": "pending_client", "priority": "P2"},
}


def test_a_macro_replies_and_acts_as_one_change(api: Api) -> None:
    # An unknown placeholder is refused when the macro is saved
    bad = api.call("POST", "/api/v1/macros", "editor", json={**MACRO, "body": "Hi {client.age}"})
    assert invalid_fields(bad) == ["body"]
    assert "{client.age}" in bad.json()["errors"][0]["message"]
    assert api.call("POST", "/api/v1/macros", "agent", json=MACRO).status_code == 403
    saved = api.call("POST", "/api/v1/macros", "editor", json=MACRO)
    assert saved.status_code == 201, saved.text
    macro = saved.json()["id"]
    ticket = opened_ticket(api, "交易密码忘记了", "无法登录")
    moved = api.call(
        "POST", f"/api/v1/tickets/{ticket}/transition", "agent", json={"to": "in_progress"}
    )
    before = moved.json()["version"]
    # When the agent applies it
    done = api.call("POST", f"/api/v1/tickets/{ticket}/macros/{macro}", "agent")
    assert done.status_code == 200, done.text
    assert done.json()["version"] == before + 1  # one change
    wait = f"min_position={done.json()['position']}"
    shown = api.call("GET", f"/api/v1/tickets/{ticket}?{wait}", "agent").json()
    # Then the reply is rendered, public and the first response; status and priority set
    number = shown["number"]
    [reply] = [c for c in shown["comments"] if c["public"]]
    assert reply["body"] == f"陈静您好：请点击“忘记密码”。工单 {number}，处理人 agent。"
    assert (shown["status"], shown["priority"]) == ("pending_client", "P2")
    assert shown["first_responded_at"] is not None
    history = api.call("GET", f"/api/v1/tickets/{ticket}/history", "admin").json()["events"]
    assert [e["type"] for e in history][-1] == "Ticket.MacroApplied"
    # A move the ticket does not allow is refused whole: nothing changes
    closing = {**MACRO, "name": "结案", "body": "已结案", "actions": {"status": "closed"}}
    close = api.call("POST", "/api/v1/macros", "editor", json=closing).json()["id"]
    refused = api.call("POST", f"/api/v1/tickets/{ticket}/macros/{close}", "agent")
    assert refused.status_code == 409
    after = api.call("GET", f"/api/v1/tickets/{ticket}/history", "admin").json()["events"]
    assert len(after) == len(history)
    retired = api.call("POST", f"/api/v1/macros/{close}/retire", "editor").json()
    wait = f"min_position={retired['position']}"
    # The macros listed; a retired one is not applied
    listed = api.call("GET", f"/api/v1/macros?{wait}", "agent").json()
    assert [m["name"] for m in listed] == ["密码重置指引"]
    api.call("POST", f"/api/v1/macros/{macro}/retire", "editor")
    other = opened_ticket(api, "x", "y")
    assert api.call("POST", f"/api/v1/tickets/{other}/macros/{macro}", "agent").status_code == 409
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.call("POST", f"/api/v1/tickets/{other}/macros/{missing}", "agent").status_code == 404
