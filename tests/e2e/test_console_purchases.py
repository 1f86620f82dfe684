"""The fund supermarket and purchases on the console, on each store: the catalogue and a
fund's page with its chart and table, the funds suitable for a client, and a purchase whose
warning the client confirms by a deliberate act; the refusals as messages."""

from __future__ import annotations

import re

from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in
from tests.e2e.test_http_purchases import assessed_client, fund


def published(api: Api, code: str, *days: str) -> int:
    position = 0
    for n, day in enumerate(days):
        done = api.call(
            "POST",
            f"/api/v1/funds/{code}/nav",
            json={"date": day, "unit_nav": f"1.{n:04d}", "accumulated_nav": f"1.{n + 1:04d}"},
        )
        assert done.status_code == 201, done.text
        position = done.json()["position"]
    return position


def test_the_catalogue_filters_and_a_fund_page_shows_its_chart_and_numbers(api: Api) -> None:
    fund(api, "000777", "R3")
    fund(api, "000888", "R5")
    last = published(api, "000777", "2026-11-02", "2026-11-03", "2026-11-04")
    sign_in(api, "agent")
    listed = api.http.get(f"/funds?after={last}", headers=EN)
    assert "000777" in listed.text
    assert "000888" in listed.text
    capped = api.http.get("/funds?max_risk=R3", headers={**EN, "HX-Request": "true"})
    assert "000777" in capped.text
    assert "000888" not in capped.text
    assert api.http.get("/funds?max_risk=R9", headers=EN).status_code == 422
    page = api.http.get("/funds/000777?range=all", headers=ZH)
    assert page.status_code == 200
    assert "<svg" in page.text  # the chart comes with the page, on the session
    assert re.search(r"<td>1\.0002</td><td>1\.0003</td>", page.text)  # and as numbers
    assert "单位净值" in page.text
    assert api.http.get("/funds/999999", headers=EN).status_code == 404
    assert api.http.get("/funds/rankings?period=1y", headers=EN).status_code == 200


def test_given_a_warning_when_the_client_confirms_on_the_page_then_it_is_recorded(
    api: Api,
) -> None:
    fund(api, "000888", "R4", horizon="long")
    client = assessed_client(api, "C2", horizon="b")
    sign_in(api, "advisor")
    suitable = api.http.get(f"/clients/{client['id']}/funds?after={client['position']}")
    assert "000888" not in suitable.text
    asked = post_form(
        api,
        f"/clients/{client['id']}/purchase",
        f"/clients/{client['id']}/purchase",
        {"fund_code": "000888", "amount": "10000.00"},
    )
    assert asked.status_code == 303
    page = api.http.get(asked.headers["location"], headers=EN)
    assert "Suitability warning for fund 000888" in page.text
    assert "Horizon: client" in page.text
    action = asked.headers["location"].split("?")[0] + "/confirm"
    form = hidden(page.text, action)
    # Without the deliberate tick and the channel, nothing is recorded
    unticked = api.http.post(action, data=form, headers=EN)
    assert unticked.status_code == 422
    assert 'id="read-error"' in unticked.text
    assert 'id="channel-error"' in unticked.text
    # The browser sends line breaks as CRLF: the text still matches the warning
    crlf = {**form, "acknowledgement": form["acknowledgement"].replace("\n", "\r\n")}
    done = api.http.post(
        action, data={**crlf, "read": "yes", "channel": "phone"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    shown = api.http.get(done.headers["location"], headers=EN).text
    assert "Confirmed by the client" in shown
    assert "By phone (recorded)" in shown
    printable = api.http.get(asked.headers["location"].split("?")[0] + "/print", headers=ZH)
    assert "客户签名" in printable.text
    assert "Suitability warning for fund 000888" in printable.text


def test_a_purchase_of_an_unknown_fund_is_refused_on_the_form(api: Api) -> None:
    client = assessed_client(api, "C3")
    sign_in(api, "advisor")
    path = f"/clients/{client['id']}/purchase"
    unknown = post_form(api, path, path, {"fund_code": "999999", "amount": "100"}, headers=ZH)
    assert unknown.status_code == 422
    assert 'id="fund_code-error"' in unknown.text
    bad = post_form(api, path, path, {"fund_code": "000777", "amount": "-5"})
    assert 'id="amount-error"' in bad.text
