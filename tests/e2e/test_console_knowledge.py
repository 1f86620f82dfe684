"""The knowledge base in the console, on each store: an agent writes with a preview, an
editor publishes, an advisor finds it in Chinese and reads it rendered safely; an editor's
home is the knowledge base."""

from __future__ import annotations

from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in

BODY = "1. 点击 **忘记密码**\n2. 验证身份\n\n<script>alert(1)</script>"


def test_an_agent_writes_an_editor_publishes_an_advisor_reads(api: Api) -> None:
    sign_in(api, "agent")
    # A form without a title comes back with the field named, the rest kept
    refused = post_form(api, "/kb/new", "/kb/new", {"title": "", "body": BODY, "language": "zh-CN"})
    assert refused.status_code == 422
    assert 'id="title-error"' in refused.text
    assert "忘记密码" in refused.text
    # The preview renders the Markdown, raw HTML as text
    csrf = hidden(api.http.get("/kb/new", headers=EN).text, "/kb/new")["csrf"]
    preview = api.http.post("/kb/preview", data={"csrf": csrf, "body": BODY}, headers=EN)
    assert "<strong>忘记密码</strong>" in preview.text
    assert "<script>" not in preview.text
    done = post_form(
        api,
        "/kb/new",
        "/kb/new",
        {
            "title": "如何重置交易密码",
            "body": BODY,
            "language": "zh-CN",
            "audience": "public",
            "ticket_types": "service_request",
            "tags": "account-access, 密码",
        },
    )
    assert done.status_code == 303, done.text
    page = done.headers["location"]
    article = page.split("?")[0]
    shown = api.http.get(page, headers=EN).text
    assert "Draft, never published" in shown
    submitted = post_form(api, article, f"{article}/submit", {})
    assert submitted.status_code == 303
    # The editor publishes it (the agent has no publish button); the page after the
    # submission waits for the views to have it
    in_review = submitted.headers["location"]
    assert f'action="{article}/publish"' not in api.http.get(in_review, headers=EN).text
    sign_in(api, "editor")
    assert api.http.get("/", headers=EN, follow_redirects=False).headers["location"] == "/kb"
    published = post_form(api, in_review, f"{article}/publish", {})
    assert published.status_code == 303, published.text
    # An advisor finds it by reordered words and reads it rendered
    sign_in(api, "advisor")
    wait = published.headers["location"].split("?")[1]
    found = api.http.get(f"/kb?q=密码重置&{wait}", headers=ZH).text
    assert f'href="{article}"' in found
    assert "知识库" in found
    read = api.http.get(article, headers=EN).text
    assert "Version 1" in read
    assert "<strong>忘记密码</strong>" in read
    assert "&lt;script&gt;" in read
    assert "Submit for review" not in read  # a reader, not a writer
    assert api.http.get("/kb/new", headers=EN).status_code == 403
    # Writers' filters are not a reader's
    assert 'name="status"' not in api.http.get("/kb", headers=EN).text


def test_the_ticket_page_suggests_links_sends_and_replies_with_a_macro(api: Api) -> None:
    article = api.call(
        "POST",
        "/api/v1/kb/articles",
        "agent",
        json={"title": "如何重置交易密码", "body": "点击忘记密码", "language": "zh-CN",
              "audience": "public"},
    ).json()["id"]  # fmt: skip
    api.call("POST", f"/api/v1/kb/articles/{article}/submit", "agent")
    api.call("POST", f"/api/v1/kb/articles/{article}/publish", "editor")
    macro = {"name": "已处理", "body": "{agent.name} 已处理工单 {ticket.number}", "actions": {}}
    api.call("POST", "/api/v1/macros", "editor", json=macro)
    ticket = api.call(
        "POST",
        "/api/v1/tickets",
        "agent",
        json={"client_id": None, "type": "inquiry", "priority": "P3", "channel": "phone",
              "subject": "交易密码忘了", "description": "重置密码"},
    ).json()  # fmt: skip
    api.engine.projector.catch_up()
    sign_in(api, "agent")
    page = f"/tickets/{ticket['id']}"
    shown = api.http.get(page, headers=ZH).text
    assert 'hx-get="' + page + '/kb"' in shown
    # The comment box offers the macros
    box = shown.split('action="' + page + '/comment"')[1].split("</form>")[1]
    assert 'hx-get="' + page + '/kb/macros"' in box.split("</div>")[0]
    assert "已处理" in api.http.get(f"{page}/kb/macros", headers=ZH).text
    card = api.http.get(f"{page}/kb", headers=ZH).text
    assert f'href="/kb/{article}"' in card
    assert "关联到工单" in card
    assert "发送给客户" in card  # a public article
    csrf = card.split('name="csrf" value="')[1].split('"')[0]
    linked = api.http.post(
        f"{page}/kb/link", data={"csrf": csrf, "article_id": article}, follow_redirects=False
    )
    assert linked.status_code == 303, linked.text
    assert linked.headers["location"].startswith(f"{page}?after=")
    wait = linked.headers["location"].split("?")[1].split("#")[0]
    after = api.http.get(f"{page}/kb?{wait}", headers=ZH).text
    assert "已关联文章" in after
    macros = api.call("GET", "/api/v1/macros", "agent").json()
    replied = api.http.post(
        f"{page}/kb/macro",
        data={"csrf": csrf, "macro_id": macros[0]["id"]},
        follow_redirects=False,
    )
    assert replied.status_code == 303, replied.text
    shown = api.http.get(replied.headers["location"], headers=ZH).text
    assert f"agent 已处理工单 {ticket['number']}" in shown
    # Sending the article replies to the client with its text; it stays linked once
    sent = api.http.post(
        f"{page}/kb/link",
        data={"csrf": csrf, "article_id": article, "send": "yes"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    shown = api.http.get(sent.headers["location"], headers=ZH).text
    reply = shown.split('class="comment public"')[1].split("</li>")[0]  # the newest first
    assert "如何重置交易密码" in reply
    assert "点击忘记密码" in reply
    assert len(api.call("GET", f"/api/v1/tickets/{ticket['id']}/articles", "agent").json()) == 1
