"""CQP on the console over HTTP, on each store: the board with planned and passed dates and
overdue marked, a plan created from the board, phase 1 step by step (a team without its
MPL refused), targets with each dpm kind apart and actuals with their status, and passing
the next milestone: what is missing shown first, a waiver that does not cover it refused,
an out-of-order milestone refused, each refusal a message on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from adapters.shared.clock import Clock
from domain.cqp.milestones import MILESTONES
from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in
from tests.e2e.test_http_cqp import NOW, PLAN, TODAY, accept, created, prepared, supplier


@pytest.fixture
def clock() -> Clock:
    """Every request reads "now" as the CQP tests' NOW (A0 and A1 overdue)."""
    return lambda: NOW


def act(
    api: Api, plan: dict[str, Any], action: str, data: dict[str, Any], after: Any = None
) -> Any:
    """Post one of the plan page's forms as the browser would, from the page as it stands
    after ``after`` (the last answer) or after the plan's own writing."""
    path = f"/cqp/{plan['id']}"
    page = after.headers["location"] if after is not None else f"{path}?after={plan['position']}"
    return post_form(api, page, f"{path}/{action}", data)


def test_the_board_shows_each_plan_against_its_milestones(api: Api) -> None:
    plan = created(api, supplier(api))
    sign_in(api, "mpl")
    board = api.http.get(f"/cqp?after={plan['position']}", headers=EN)
    assert board.status_code == 200
    assert "USB-C receptacle" in board.text
    assert "Delta Precision" in board.text
    assert board.text.count("! Overdue") == 2  # A0 and A1 are past their planned dates
    assert all(f'<th scope="col">{m.value}</th>' in board.text for m in MILESTONES)
    assert api.http.get("/cqp?supplier_id=nope", headers=EN).status_code == 422
    assert "CQP 看板" in api.http.get("/cqp", headers=ZH).text


def test_a_plan_is_created_from_the_board_with_its_refusals(api: Api) -> None:
    supplier_id = supplier(api)
    sign_in(api, "mpl")
    dates = {f"plan_{m}": d for m, d in PLAN.items()}
    base = {"component": "USB-C receptacle", "programme": "Falcon", "supplier_id": supplier_id}
    nothing = post_form(api, "/cqp/new", "/cqp/new", {**base, **dates})
    assert nothing.status_code == 422
    assert 'id="criteria-error"' in nothing.text
    backwards = post_form(
        api,
        "/cqp/new",
        "/cqp/new",
        {**base, **dates, "plan_A2": "2020-01-01", "criteria": "new_supplier"},
    )
    assert backwards.status_code == 422
    assert 'id="plan_A2-error"' in backwards.text
    gap = {k: v for k, v in dates.items() if k != "plan_E3"}
    missing = post_form(api, "/cqp/new", "/cqp/new", {**base, **gap, "criteria": "new_supplier"})
    assert missing.status_code == 422
    assert 'id="plan_E3-error"' in missing.text
    done = post_form(
        api,
        "/cqp/new",
        "/cqp/new",
        {**base, **dates, "criteria": ["new_supplier", "safety_critical"]},
    )
    assert done.status_code == 303, done.text
    page = api.http.get(done.headers["location"], headers=EN).text
    assert "USB-C receptacle · Falcon" in page
    assert "New supplier, Safety-critical" in page
    assert re.search(r'action="/cqp/[0-9a-f-]{36}/evaluate"', page)  # phase 1 starts here


def test_phase_one_step_by_step_and_a_team_needs_its_mpl(api: Api) -> None:
    plan = created(api, supplier(api))
    sign_in(api, "mpl")
    page = api.http.get(f"/cqp/{plan['id']}?after={plan['position']}", headers=EN).text
    assert "/review" not in page  # nothing before the evaluation
    evaluated = act(api, plan, "evaluate", {"accepted": "yes", "evaluation_reason": "new tech"})
    assert evaluated.status_code == 303
    reviewed = act(
        api, plan, "review", {"reviewer_name_1": "Lin Tao", "reviewer_role_1": "SQE"}, evaluated
    )
    assert reviewed.status_code == 303
    agreed = act(api, plan, "agree", {}, reviewed)
    assert agreed.status_code == 303
    no_mpl = act(api, plan, "team", {"member_name_1": "Lin Tao", "member_role_1": "SQE"}, agreed)
    assert no_mpl.status_code == 422
    assert 'id="members-error"' in no_mpl.text
    half = act(api, plan, "team", {"member_name_1": "Wang Fang"}, agreed)
    assert half.status_code == 422
    assert 'id="member_role_1-error"' in half.text
    team = act(api, plan, "team", {"member_name_1": "Wang Fang", "member_role_1": "MPL"}, agreed)
    assert team.status_code == 303
    shown = api.http.get(team.headers["location"], headers=EN).text
    assert "Wang Fang (MPL)" in shown
    assert "Pass the next milestone: A0" in shown


def test_targets_keep_each_dpm_kind_apart_and_actuals_show_their_status(api: Api) -> None:
    plan = prepared(api, supplier(api))
    sign_in(api, "mpl")
    bad = act(api, plan, "targets", {"target_dpm_application": "lots"})
    assert bad.status_code == 422
    assert 'id="target_dpm_application-error"' in bad.text
    targets = act(
        api, plan, "targets", {"target_dpm_application": "50", "target_dpm_specification": "200"}
    )
    assert targets.status_code == 303
    actuals = act(
        api,
        plan,
        "actuals",
        {"actual_dpm_application": "52", "actual_dpm_specification": "300"},
        targets,
    )
    assert actuals.status_code == 303
    page = api.http.get(actuals.headers["location"], headers=EN).text
    application = re.search(r'<tr class="measure-dpm_application">(.*?)</tr>', page, re.S)
    specification = re.search(r'<tr class="measure-dpm_specification">(.*?)</tr>', page, re.S)
    assert application
    assert specification
    assert "dpm in application" in application.group(1)
    assert "<td>50</td><td>52</td>" in application.group(1)
    assert "Amber" in application.group(1)
    assert "dpm against specification" in specification.group(1)
    assert "<td>200</td><td>300</td>" in specification.group(1)
    assert "Red" in specification.group(1)


def test_passing_shows_what_is_missing_and_a_waiver_must_cover_it(api: Api) -> None:
    plan = prepared(api, supplier(api))
    sign_in(api, "mpl")
    page = api.http.get(f"/cqp/{plan['id']}?after={plan['position']}", headers=EN).text
    assert re.search(r"Missing:</p>|Missing: Key component list", page)
    # Passing without any waiver when something is missing is refused on the page
    path = f"/cqp/{plan['id']}"
    tokens = hidden(page, f"{path}/pass")
    bare = api.http.post(f"{path}/pass", data={**tokens, "date": TODAY.isoformat()}, headers=EN)
    assert bare.status_code == 409
    assert "the waiver does not cover them: Key component list" in bare.text
    # A waiver that names nothing missing does not cover it either
    empty = api.http.post(
        f"{path}/pass",
        data={
            **tokens,
            "date": TODAY.isoformat(),
            "waiver_reason": "later",
            "waiver_approved_by": "Zhou",
        },
        headers=EN,
    )
    assert empty.status_code == 409
    # An out-of-order milestone, forced, is refused naming the next one
    early = api.http.post(
        f"{path}/pass", data={**tokens, "milestone": "A2", "date": TODAY.isoformat()}, headers=EN
    )
    assert early.status_code == 409
    assert "the next one is A0" in early.text
    waived = act(
        api,
        plan,
        "pass",
        {
            "date": TODAY.isoformat(),
            "waive": "key_component_list",
            "waiver_reason": "the list follows with the pilot run",
            "waiver_approved_by": "Zhou Min",
        },
    )
    assert waived.status_code == 303, waived.text
    shown = api.http.get(waived.headers["location"], headers=EN).text
    assert "the list follows with the pilot run (approved by Zhou Min)" in shown
    assert "Pass the next milestone: A1" in shown
    # A waived deliverable is still owed: A1 needs it accepted, with its own
    accept(api, plan, "key_component_list")
    accepted = accept(api, plan, "dfmea")
    ready = api.http.get(f"{path}?after={accepted['position']}", headers=EN).text
    assert "Nothing is missing." in ready
    assert "/replay" not in ready  # the MPL does not replay
    sign_in(api, "compliance")
    read = api.http.get(path, headers=EN).text
    assert f"/compliance/cqp-plans/{plan['id']}/milestones/A0/replay" in read
    assert f'action="{path}/pass"' not in read  # a reader passes nothing
