"""The advisor's client pages over HTTP, on each store: search and filters within the
branch, the client page, registering, editing with a stale version, the small forms
writing once, and the refusals as pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from uuid import UUID

from projections.clients.views import RISK_STATUS, ClientsView, risk_status
from tests.e2e.conftest import PASSWORD, Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in
from tests.e2e.test_http_purchases import assessed_client, buy, fund

CLIENT = {
    "name": "Chen Jing",
    "id_number": "310101198805061234",
    "phone": "+86 13812345678",
    "email": "chen.jing@example.cn",
    "address": "88 Century Avenue, Pudong, Shanghai",
    "branch": "SH-LUJIAZUI",
    "investor_type": "ordinary",
}


BEIJING = "BJ-JINRONGJIE"


def registered(api: Api, **overrides: str) -> str:
    done = api.created({**CLIENT, **overrides})
    wait_for(api, done["position"])
    return str(done["id"])


def wait_for(api: Api, position: int) -> None:
    api.call("GET", f"/api/v1/clients?limit=1&min_position={position}")


def test_given_clients_of_two_branches_when_the_advisor_searches_then_only_theirs(
    api: Api,
) -> None:
    mine = registered(api)
    other = api.created(
        {
            **CLIENT,
            "name": "Wang Fang",
            "id_number": "110101199001011234",
            "branch": "BJ-JINRONGJIE",
        },
        role="admin",
    )
    wait_for(api, other["position"])
    assert sign_in(api, "advisor").status_code == 303
    page = api.http.get("/clients", headers=EN)
    assert page.status_code == 200
    assert "Chen Jing" in page.text
    assert "Wang Fang" not in page.text
    found = api.http.get("/clients?q=1381234", headers={**EN, "HX-Request": "true"})
    assert "Chen Jing" in found.text
    assert "<html" not in found.text  # htmx asks for the rows alone
    assert "Chen Jing" not in api.http.get("/clients?q=nobody", headers=EN).text
    # Another branch's client is a 404 page, as if it did not exist
    refused = api.http.get(f"/clients/{other['id']}", headers=EN)
    assert refused.status_code == 404
    assert "outside your branch" in refused.text
    assert api.http.get(f"/clients/{mine}", headers=EN).status_code == 200


def test_the_assessment_filter_agrees_with_each_clients_status(api: Api) -> None:
    registered(api)
    sign_in(api, "admin")
    never = api.http.get("/clients?risk=none", headers=EN)
    assert "Chen Jing" in never.text
    assert "Chen Jing" not in api.http.get("/clients?risk=valid", headers=EN).text
    bad = api.http.get("/clients?risk=sometimes", headers=EN)
    assert bad.status_code == 422
    assert "not valid" in bad.text


def test_registering_a_client_on_the_page_writes_once_and_shows_it(api: Api) -> None:
    sign_in(api, "advisor")
    form = {k: v for k, v in CLIENT.items() if k != "branch"}
    first = post_form(api, "/clients/new", "/clients/new", form)
    assert first.status_code == 303, first.text
    # Then the client's page follows at once (it waits for the write's position)
    page = api.http.get(first.headers["location"], headers=EN)
    assert page.status_code == 200
    assert "Chen Jing" in page.text
    assert "**************1234" in page.text
    assert "SH-LUJIAZUI" in page.text


def test_a_double_submitted_form_writes_once(api: Api) -> None:
    sign_in(api, "advisor")
    opened = api.http.get("/clients/new", headers=EN)
    fields = {**hidden(opened.text, "/clients/new"), **CLIENT}
    first = api.http.post("/clients/new", data=fields, follow_redirects=False)
    second = api.http.post("/clients/new", data=fields, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]


def test_a_refused_registration_names_each_field_in_the_readers_language(api: Api) -> None:
    sign_in(api, "advisor")
    wrong = post_form(
        api, "/clients/new", "/clients/new", {**CLIENT, "email": "", "name": ""}, headers=ZH
    )
    assert wrong.status_code == 422
    assert 'id="email-error"' in wrong.text
    assert 'id="name-error"' in wrong.text
    assert "此项为必填项" in wrong.text
    assert 'value="+86 13812345678"' in wrong.text  # what was typed stays
    # A second client with the same identity number is named on the form too
    registered(api)
    twice = post_form(api, "/clients/new", "/clients/new", CLIENT, headers=ZH)
    assert twice.status_code == 422
    assert 'id="id_number-error"' in twice.text
    assert "此值已被其他记录使用" in twice.text


def test_given_a_stale_form_when_saved_then_the_other_change_is_shown(api: Api) -> None:
    client = registered(api)
    sign_in(api, "advisor")
    opened = api.http.get(f"/clients/{client}/edit", headers=EN)
    fields = hidden(opened.text, f"/clients/{client}/edit")
    # Someone else changes the phone meanwhile
    changed = api.call(
        "PATCH", f"/api/v1/clients/{client}", "agent", json={"phone": "+86 13900000000"}
    )
    assert changed.status_code == 200
    stale = api.http.post(
        f"/clients/{client}/edit",
        data={
            **fields,
            **{k: CLIENT[k] for k in ("name", "phone", "email", "address")},
            "email": "new@example.cn",
        },
        headers=EN,
    )
    assert stale.status_code == 409
    assert "Someone else changed this client" in stale.text
    assert "agent" in stale.text
    # The form keeps this person's change and shows the other one's as it is now
    assert 'value="new@example.cn"' in stale.text
    assert 'value="+86 13900000000"' in stale.text
    # A form whose version was tampered with is refused, not a failure
    broken = api.http.post(f"/clients/{client}/edit", data={**fields, "version": "x"}, headers=EN)
    assert broken.status_code == 422
    # Saving again from that page writes (the form now carries the current version)
    again = hidden(stale.text, f"/clients/{client}/edit")
    saved = api.http.post(
        f"/clients/{client}/edit",
        data={
            **again,
            "name": CLIENT["name"],
            "phone": "+86 13900000000",
            "email": "new@example.cn",
            "address": CLIENT["address"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "new@example.cn" in api.http.get(saved.headers["location"], headers=EN).text


def test_the_client_page_forms_log_an_interaction_tags_and_feedback(api: Api) -> None:
    client = registered(api)
    sign_in(api, "advisor")
    page = f"/clients/{client}"
    done = post_form(
        api, page, f"{page}/interactions", {"channel": "call", "summary": "Bond fund switch"}
    )
    assert done.status_code == 303
    assert "#interactions" in done.headers["location"]
    post_form(api, page, f"{page}/tags", {"add": "retiree, VIP"})
    last = post_form(api, page, f"{page}/feedback", {"rating": "4", "comment": "clear"})
    # The next page waits for the last write (its position is in the redirect)
    assert "?after=" in last.headers["location"]
    shown = api.http.get(last.headers["location"], headers=EN).text
    assert "Bond fund switch" in shown
    assert "retiree" in shown
    assert "vip" in shown
    assert "1 ratings, mean 4.00" in shown
    # And the history lists each change with its actor's username
    assert len(re.findall(r"<td>advisor</td>", shown)) >= 4


def test_a_role_outside_the_clients_module_gets_a_403_page(api: Api) -> None:
    sign_in(api, "quality")
    refused = api.http.get("/clients", headers=ZH)
    assert refused.status_code == 403
    assert "您的角色无权访问此页面" in refused.text
    assert "Traceback" not in refused.text
    assert 'action="/logout"' in refused.text  # the page keeps the person's own header
    # And the navigation offers no Clients module to this role
    assert 'href="/clients"' not in api.http.get("/", headers=EN).text


def test_a_page_needs_a_session_and_comes_back_after_signing_in(api: Api) -> None:
    first = api.http.get("/clients?q=chen", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Fclients%3Fq%3Dchen"
    signed = api.http.get(first.headers["location"], headers=EN)
    fields = hidden(signed.text, "/login")
    assert fields["next"] == "/clients?q=chen"
    back = api.http.post(
        "/login",
        data={**fields, "username": "advisor", "password": PASSWORD},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/clients?q=chen"


def test_the_advisors_day_lists_purchases_waiting_with_the_time_left(api: Api) -> None:
    client = assessed_client(api, "C2")
    fund(api, "000777", "R3")
    bought = buy(api, client, "000777")
    assert bought.json()["status"] == "confirmation_required"
    sign_in(api, "advisor")
    today = api.http.get(f"/today?after={bought.json()['position']}", headers=EN)
    assert today.status_code == 200
    assert "000777" in today.text
    assert re.search(r"\d+ h \d\d min left|\d+ days left", today.text)
    # A role without a day's page is refused it
    api.http.cookies.clear()
    sign_in(api, "agent")
    assert api.http.get("/today", headers=EN).status_code == 403


def test_a_form_too_large_is_a_413_page(api: Api) -> None:
    sign_in(api, "advisor")
    opened = api.http.get("/clients/new", headers=EN)
    fields = {**hidden(opened.text, "/clients/new"), **CLIENT, "address": "x" * (2**20 + 1)}
    refused = api.http.post("/clients/new", data=fields, headers=ZH)
    assert refused.status_code == 413
    assert "提交的内容过大" in refused.text


def test_the_assessment_status_filter_agrees_with_the_status_rule_at_every_instant(
    api: Api,
) -> None:
    # Given an assessed client and one never assessed
    assessed = assessed_client(api, "C3")
    never = registered(api, id_number="310101199909091234", name="Never Assessed")
    view, db = api.engine.view(ClientsView), api.engine.db
    wait_for(api, assessed["position"])
    row = view.get(db, UUID(assessed["id"]))
    assert row is not None
    due = datetime.fromisoformat(row["risk"]["review_due_at"])
    expires = datetime.fromisoformat(row["risk"]["expires_at"])
    second = timedelta(seconds=1)
    # When the list is filtered at instants on each side of the review and expiry dates
    for now in (due - second, due, due + second, expires - second, expires, expires + second):
        status = risk_status(row["risk"], now)
        for chosen in RISK_STATUS:
            found, _ = view.search(db, risk=chosen, now=now, limit=1000)
            ids = {str(c["id"]) for c in found}
            # Then each filter holds the client exactly when the rule gives its status
            wanted = (
                status in ("review_due", "expired") if chosen == "attention" else (status == chosen)
            )
            assert (assessed["id"] in ids) is wanted, (now, chosen, status)
            assert (never in ids) is (chosen == "none"), (now, chosen)
