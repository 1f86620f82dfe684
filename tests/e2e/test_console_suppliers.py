"""Supplier quality on the console over HTTP, on each store: the list and register, the
supplier page offering only the allowed stage moves (a skipped stage refused on it), the
assessment form over the checklist with its result, an AVL approval refused on a failing
audit with the failing sections named, corrective actions step by step (closing before
verification refused), and the open actions."""

from __future__ import annotations

import re
from typing import Any

import pytest

from adapters.shared.clock import Clock
from domain.suppliers.checklist import CHECKLIST
from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in
from tests.e2e.test_http_suppliers import NOW, assessment, post, registered, scores

HX = {**EN, "HX-Request": "true"}


@pytest.fixture
def clock() -> Clock:
    """Every request reads "now" as the supplier tests' NOW (their assessments' day)."""
    return lambda: NOW


def page_of(api: Api, supplier: dict[str, Any], headers: dict[str, str] = EN) -> Any:
    return api.http.get(
        f"/suppliers/{supplier['id']}?after={supplier['position']}", headers=headers
    )


def act(
    api: Api, supplier: dict[str, Any], action: str, data: dict[str, str], after: Any = None
) -> Any:
    """Post one of the supplier page's forms as the browser would: from the page as it
    stands after ``after`` (the last answer's redirect), or after the supplier's writing."""
    path = f"/suppliers/{supplier['id']}"
    opened = (
        after.headers["location"] if after is not None else f"{path}?after={supplier['position']}"
    )
    return post_form(api, opened, f"{path}/{action}", data)


def forced(api: Api, supplier: dict[str, Any], action: str, data: dict[str, str]) -> Any:
    """Post a form the page does not offer, with the session's tokens."""
    path = f"/suppliers/{supplier['id']}"
    tokens = hidden(api.http.get(path, headers=EN).text, f"{path}/stage")
    return api.http.post(f"{path}/{action}", data={**tokens, **data}, headers=EN)


def every_item(value: int, **low: int) -> dict[str, str]:
    """The assessment form's item fields, every item at ``value`` (some sections lower)."""
    return {
        f"item:{item.id}": str(low.get(section.key, value))
        for section in CHECKLIST
        for item in section.items
    }


def test_the_list_filters_and_a_supplier_is_registered_with_its_sites(api: Api) -> None:
    registered(api, name="Alpha Cables")
    sign_in(api, "quality")
    refused = post_form(
        api, "/suppliers/new", "/suppliers/new", {"name": "Delta Precision", "categories": ""}
    )
    assert refused.status_code == 422
    assert 'id="categories-error"' in refused.text
    assert 'id="sites-error"' in refused.text
    done = post_form(
        api,
        "/suppliers/new",
        "/suppliers/new",
        {
            "name": "Delta Precision",
            "categories": "connectors, cables",
            "site_name_1": "Kunshan",
            "site_country_1": "CN",
            "site_city_1": "Kunshan",
        },
    )
    assert done.status_code == 303, done.text
    page = api.http.get(done.headers["location"], headers=EN)
    assert '<h1 id="supplier-h">Delta Precision</h1>' in page.text
    assert "Kunshan · Kunshan · CN" in page.text
    listed = api.http.get("/suppliers?q=delta", headers=HX)
    assert "Delta Precision" in listed.text
    assert "Alpha Cables" not in listed.text
    assert "Not decided" in listed.text
    assert api.http.get("/suppliers?stage=holiday", headers=EN).status_code == 422
    assert api.http.get("/suppliers", headers=ZH).status_code == 200


def test_only_the_next_stages_are_offered_and_a_skipped_one_is_refused(api: Api) -> None:
    supplier = registered(api)
    sign_in(api, "quality")
    page = page_of(api, supplier)
    assert re.findall(r'name="to" value="(\w+)"', page.text) == ["survey"]
    assert 'aria-current="step" class="current">Contact' in page.text
    skipped = act(api, supplier, "stage", {"to": "avl"})
    assert skipped.status_code == 409
    assert 'id="refusal"' in skipped.text
    assert "cannot move to AVL" in skipped.text
    zh = post_form(
        api,
        f"/suppliers/{supplier['id']}",
        f"/suppliers/{supplier['id']}/stage",
        {"to": "delivery"},
        headers=ZH,
    )
    assert zh.status_code == 409
    assert "不能转到" in zh.text
    moved = act(api, supplier, "stage", {"to": "survey", "note": "visited"})
    assert moved.status_code == 303
    after = api.http.get(moved.headers["location"], headers=EN).text
    assert re.findall(r'name="to" value="(\w+)"', after) == ["evaluation"]
    suspended = act(
        api, supplier, "status", {"what": "suspend", "status_reason": "late lots"}, moved
    )
    shown = api.http.get(suspended.headers["location"], headers=EN).text
    assert 'name="to"' not in shown  # a suspended supplier moves no stage
    assert 'value="reinstate"' in shown
    no_reason = act(api, supplier, "status", {"what": "reinstate"}, suspended)
    assert no_reason.status_code == 422
    assert 'id="status_reason-error"' in no_reason.text


def test_an_approval_on_a_failing_audit_is_refused_naming_the_failing_sections(api: Api) -> None:
    supplier = registered(api)
    sign_in(api, "quality")
    path = f"/suppliers/{supplier['id']}/assessments/new"
    form = api.http.get(path + f"?kind=onsite&after={supplier['position']}", headers=EN)
    assert form.text.count('type="radio"') == 5 * sum(len(s.items) for s in CHECKLIST)
    missing = post_form(
        api, path, path, {"kind": "onsite", "site": "Kunshan", "date": "2028-02-01"}
    )
    assert missing.status_code == 422
    assert 'id="process.3-error"' in missing.text
    done = post_form(
        api,
        path,
        path,
        {
            "kind": "onsite",
            "site": "Kunshan",
            "date": "2028-02-01",
            "auditors": "sqe.lin",
            **every_item(3, training=1),
            "finding_area_1": "plating",
            "finding_severity_1": "major",
            "finding_text_1": "bath log has gaps",
        },
    )
    assert done.status_code == 303, done.text
    result = api.http.get(done.headers["location"], headers=EN).text
    assert 'id="verdict">Not passed' in result
    assert '<tr class="failing"><th scope="row">6.0 Training</th><td>1.00</td>' in result
    assert "bath log has gaps" in result
    assert "<svg" in result
    page = api.http.get(f"/suppliers/{supplier['id']}", headers=EN).text
    assert "does not pass the policy" in page
    assert "Failing sections: Training (1.00)" in page
    refused = act(
        api, supplier, "avl", {"category": "connectors", "decision": "approve", "avl_reason": "ok"}
    )
    assert refused.status_code == 409
    assert "Not approved: the approval needs a passed" in refused.text
    assert re.search(r'id="refusal">.*Failing sections: Training', refused.text, re.S)


def test_a_passed_audit_approves_and_the_replay_link_is_the_compliance_officers(
    api: Api,
) -> None:
    supplier = registered(api)
    audited = post(api, supplier, "assessments", assessment(value=3)).json()
    sign_in(api, "quality")
    page = page_of(api, {**supplier, "position": audited["position"]}).text
    assert "passes the policy" in page
    approved = act(
        api,
        supplier,
        "avl",
        {"category": "connectors", "decision": "approve", "avl_reason": "audit passed"},
    )
    assert approved.status_code == 303
    shown = api.http.get(approved.headers["location"], headers=EN).text
    assert re.search(r"connectors</th>\s*<td><span class=\"badge ok\">Approved", shown)
    assert "/replay" not in shown  # the quality engineer does not replay
    assert 'value="withdraw"' in shown
    sign_in(api, "compliance")
    read = api.http.get(f"/suppliers/{supplier['id']}", headers=EN).text
    assert f"/compliance/suppliers/{supplier['id']}/avl/connectors/replay" in read
    assert 'action="/suppliers/' not in read  # a reader gets no forms
    assert (
        api.http.get(f"/suppliers/{supplier['id']}/assessments/new", headers=EN).status_code == 403
    )


def test_a_corrective_action_goes_step_by_step_and_closing_early_is_refused(api: Api) -> None:
    supplier = registered(api)
    sign_in(api, "quality")
    opened = act(api, supplier, "actions", {"problem": "Burrs on pins", "severity": "major"})
    assert opened.status_code == 303
    page = api.http.get(opened.headers["location"], headers=EN).text
    action = re.search(r'/actions/([0-9a-f-]{36})/analysis"', page)
    assert action
    caid = action.group(1)
    early = forced(api, supplier, f"actions/{caid}/close", {f"text_{caid}": "done"})
    assert early.status_code == 409
    assert "next comes analysed" in early.text
    done = opened
    for step, text in (("analysis", "die worn"), ("action", "die replaced")):
        done = act(api, supplier, f"actions/{caid}/{step}", {f"text_{caid}": text}, done)
        assert done.status_code == 303, done.text
    verify = f"actions/{caid}/verify"
    unsaid = act(api, supplier, verify, {f"text_{caid}": "checked lot 7"}, done)
    assert unsaid.status_code == 422  # effective or not must be said
    back = act(api, supplier, verify, {f"text_{caid}": "burrs again", "effective": "no"}, done)
    shown = api.http.get(back.headers["location"], headers=EN).text
    assert f'/actions/{caid}/action"' in shown  # an ineffective action goes back to action
    mine = api.http.get("/corrective-actions", headers=EN).text
    assert "Burrs on pins" in mine
    sign_in(api, "admin")
    assert "Burrs on pins" not in api.http.get("/corrective-actions", headers=EN).text
    assert "Burrs on pins" in api.http.get("/corrective-actions?who=all", headers=EN).text


def test_scores_render_as_a_radar_in_the_readers_language(api: Api) -> None:
    supplier = registered(api)
    post(api, supplier, "assessments", assessment(kind="self", value=4))
    done = post(api, supplier, "assessments", assessment(scores=scores(3, process=[1] * 11))).json()
    sign_in(api, "mpl")
    page = page_of(api, {**supplier, "position": done["position"]}, headers=ZH).text
    assert "过程控制" in page  # the axis in Chinese
    assert "合格线" in page
    assert 'data-kind="self"' in page
    assert 'data-kind="onsite"' in page
