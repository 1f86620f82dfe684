"""The knowledge base over HTTP on each store: an agent writes, an editor publishes (never
the author), readers see the published version while the next is drafted, every version
stays readable, Markdown is rendered without raw HTML, and bad input is named."""

from __future__ import annotations

from typing import Any

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
