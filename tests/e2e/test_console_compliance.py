"""The compliance officer's desk on the console, on each store: the override register with
its CSV (UTF-8 with BOM), a purchase's replay marked consistent, the audit log searched by
username with the chain verified on demand, a record's history and its state at an
instant, and the administrator's erasure with its confirmation step."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, post_form, sign_in
from tests.e2e.test_console_clients import registered
from tests.e2e.test_http_purchases import assessed_client, buy, fund
from tests.e2e.test_http_replay import demo_decisions


def confirmed_override(api: Api) -> dict[str, str]:
    """Given a warning confirmed by the client (through the API, by the agent)."""
    fund(api, "000888", "R4", horizon="long")
    client = assessed_client(api, "C2", horizon="b")
    body = buy(api, client, "000888").json()
    done = api.call(
        "POST",
        f"/api/v1/purchases/{body['id']}/confirm",
        "agent",
        json={"acknowledgement": body["suitability"]["warning_text"], "channel": "phone"},
    )
    assert done.status_code == 200, done.text
    return {"id": body["id"], "client": client["id"], "position": str(done.json()["position"])}


def test_the_override_register_lists_links_and_exports_with_a_bom(api: Api) -> None:
    override = confirmed_override(api)
    sign_in(api, "compliance")
    home = api.http.get("/", headers=EN)
    assert str(home.url).endswith("/compliance/overrides")  # the officer's first page
    page = api.http.get(f"/compliance/overrides?after={override['position']}", headers=EN)
    assert f"/compliance/purchases/{override['id']}/replay" in page.text
    assert "agent" in page.text
    today = datetime.now(UTC).date().isoformat()
    assert override["id"] in api.http.get(f"/compliance/overrides?from={today}").text
    assert override["id"] not in api.http.get("/compliance/overrides?to=2020-01-01").text
    assert api.http.get("/compliance/overrides?from=2026-02-01&to=2026-01-01").status_code == 422
    exported = api.http.get("/compliance/overrides.csv", headers=ZH)
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["confirmed_at", "client", "branch"]
    assert rows[1][-1] == override["id"]
    assert rows[1][8] == "agent"


def test_a_purchase_replay_shows_the_verdicts_side_by_side_and_consistent(api: Api) -> None:
    override = confirmed_override(api)
    sign_in(api, "compliance")
    replay = api.http.get(f"/compliance/purchases/{override['id']}/replay", headers=ZH)
    assert replay.status_code == 200
    assert "一致：记录的决定可由记录的事实推出" in replay.text
    assert "suitability-2026.1" in replay.text
    assert "客户确认风险警示" in replay.text  # the timeline, in the reader's language
    # An advisor may not open the compliance pages
    api.http.cookies.clear()
    sign_in(api, "advisor")
    refused = api.http.get(f"/compliance/purchases/{override['id']}/replay", headers=EN)
    assert refused.status_code == 403


def test_the_audit_log_searches_by_username_and_verifies_the_chain(api: Api) -> None:
    client = registered(api)
    sign_in(api, "compliance")
    found = api.http.get("/compliance/audit?actor=advisor&type=Client.Registered", headers=EN)
    assert found.status_code == 200
    assert client in found.text
    assert "Not verified since the service started." in found.text
    unknown = api.http.get("/compliance/audit?actor=nobody-at-all", headers=EN)
    assert unknown.status_code == 422
    verified = post_form(api, "/compliance/audit", "/compliance/audit/verify", {})
    assert verified.status_code == 303
    page = api.http.get("/compliance/audit", headers=EN)
    assert "Verified up to position" in page.text
    assert "by compliance" in page.text
    exported = api.http.get("/compliance/audit.csv?actor=advisor", headers=EN)
    assert exported.content.startswith(b"\xef\xbb\xbf")
    assert client in exported.text


def test_a_records_history_and_its_state_at_an_instant(api: Api) -> None:
    client = registered(api)
    # The instant between the registration and the change, on a Shanghai clock
    between = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    changed = api.call(
        "PATCH", f"/api/v1/clients/{client}", "agent", json={"phone": "+86 13900000000"}
    )
    assert changed.status_code == 200
    sign_in(api, "compliance")
    page = api.http.get(f"/compliance/history?kind=clients&ref={client}", headers=EN)
    assert "Contact data changed" in page.text
    assert "agent" in page.text
    at = between.isoformat()
    then = api.http.get(f"/compliance/history?kind=clients&ref={client}&at={at}", headers=EN)
    assert then.status_code == 200, then.text
    assert 'class="changed"><th scope="row">phone' in then.text
    assert api.http.get("/compliance/history?kind=nothing&ref=x", headers=EN).status_code == 422


def test_the_administrator_erases_a_client_after_the_confirmation_step(api: Api) -> None:
    client = registered(api)
    sign_in(api, "admin")
    page = f"/clients/{client}/erase"
    shown = api.http.get(page, headers=ZH)
    assert "以下内容将在所有位置永久无法读取" in shown.text
    unticked = post_form(api, page, page, {"reason": "PIPL art. 47 request"})
    assert unticked.status_code == 422
    assert 'id="understood-error"' in unticked.text
    done = post_form(api, page, page, {"reason": "PIPL art. 47 request", "understood": "yes"})
    assert done.status_code == 303
    after = api.http.get(done.headers["location"], headers=EN)
    assert "Personal data erased" in after.text
    assert "Chen Jing" not in after.text
    # An advisor is not offered the erasure, and may not open it
    api.http.cookies.clear()
    sign_in(api, "advisor")
    assert api.http.get(page, headers=EN).status_code == 403


def test_an_avl_decision_and_a_milestone_pass_replay_on_their_pages(api: Api) -> None:
    _, (supplier, category), (plan, milestone) = demo_decisions(api.engine)
    sign_in(api, "compliance")
    avl = api.http.get(f"/compliance/suppliers/{supplier}/avl/{category}/replay", headers=EN)
    assert avl.status_code == 200, avl.text
    assert "Consistent: the recorded decision follows" in avl.text
    assert f"Replay of an AVL decision: {category}" in avl.text
    passed = api.http.get(
        f"/compliance/cqp-plans/{plan}/milestones/{milestone.value}/replay", headers=ZH
    )
    assert passed.status_code == 200, passed.text
    assert "一致" in passed.text
    assert "里程碑通过重放" in passed.text
    wrong = api.http.get(f"/compliance/cqp-plans/{plan}/milestones/Z9/replay", headers=EN)
    assert wrong.status_code == 422
