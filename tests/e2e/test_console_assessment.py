"""The risk assessment on the console, on each store: the questionnaire as a form, a
missing answer named, the result printable with the answers as recorded, and confirming an
unchanged profile."""

from __future__ import annotations

import re

from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, sign_in
from tests.e2e.test_console_clients import registered
from tests.e2e.test_http_purchases import LEVELS


def test_given_a_client_when_the_advisor_answers_the_questionnaire_then_the_result_shows(
    api: Api,
) -> None:
    client = registered(api)
    sign_in(api, "advisor")
    form = api.http.get(f"/clients/{client}/assessment", headers=EN)
    assert form.status_code == 200
    assert "What is your age?" in form.text
    fields = hidden(form.text, f"/clients/{client}/assessment")
    answers = {f"q_{k}": v for k, v in {"horizon": "c", "varieties": "d", **LEVELS["C3"]}.items()}
    # A question left out is named, and the other answers stay chosen
    partial = {k: v for k, v in answers.items() if k != "q_age"}
    missing = api.http.post(f"/clients/{client}/assessment", data={**fields, **partial}, headers=ZH)
    assert missing.status_code == 422
    assert 'id="q_age-error"' in missing.text
    assert "此项为必填项" in missing.text
    assert re.search(r'name="q_income" value="b" checked', missing.text)
    done = api.http.post(
        f"/clients/{client}/assessment", data={**fields, **answers}, follow_redirects=False
    )
    assert done.status_code == 303
    result = api.http.get(done.headers["location"], headers=EN)
    assert result.status_code == 200
    assert "<strong>C3</strong>" in result.text
    assert "What is your age?" in result.text
    assert "signature" in result.text
    # The client page shows the profile as valid, with a link to the printable result
    page = api.http.get(f"/clients/{client}", headers=EN)
    assert 'class="badge valid"' in page.text
    assert done.headers["location"].split("?")[0] in page.text
    # And confirming an unchanged profile is one button
    confirm = hidden(page.text, f"/clients/{client}/assessment/confirm")
    confirmed = api.http.post(
        f"/clients/{client}/assessment/confirm", data=confirm, follow_redirects=False
    )
    assert confirmed.status_code == 303
    history = api.http.get(confirmed.headers["location"], headers=EN).text
    assert "Profile confirmed unchanged" in history


def test_confirming_without_an_assessment_is_a_409_page(api: Api) -> None:
    client = registered(api)
    sign_in(api, "agent")
    page = api.http.get(f"/clients/{client}", headers=EN)
    assert f"/clients/{client}/assessment/confirm" not in page.text  # not offered
    csrf = hidden(page.text, f"/clients/{client}/interactions")["csrf"]
    refused = api.http.post(
        f"/clients/{client}/assessment/confirm", data={"csrf": csrf}, headers=EN
    )
    assert refused.status_code == 409
    assert "conflicts with what is already recorded" in refused.text
    # And the questionnaire is the advisor's to take, not the agent's
    assert api.http.get(f"/clients/{client}/assessment", headers=EN).status_code == 403
