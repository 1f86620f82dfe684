"""The administrator's console over HTTP, on each store: accounts opened with a password
shown once (and working), disabled with a reason (and no longer signing in), enabled, a
password reset shown once; the login log; operations with each view's state, a parked
event retried, a rebuild with its progress, the scheduler's last runs and the settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from application.staff import StaffCommands
from tests.e2e.conftest import Api
from tests.e2e.console import EN, ZH, hidden, post_form, sign_in, until


def shown_password(html: str) -> str:
    found = re.search(r'<code id="new-password" class="password">([^<]+)</code>', html)
    assert found, html
    return found.group(1)


def test_an_account_is_opened_disabled_enabled_and_its_password_reset(api: Api) -> None:
    sign_in(api, "admin")
    refused = post_form(api, "/admin/accounts", "/admin/accounts/new", {"username": "x"})
    assert refused.status_code == 422
    assert 'id="role-error"' in refused.text
    unknown = post_form(
        api,
        "/admin/accounts",
        "/admin/accounts/new",
        {"username": "advisor.li", "role": "advisor", "branch": "NOWHERE"},
    )
    assert unknown.status_code == 422
    assert 'id="branch-error"' in unknown.text
    opened = post_form(
        api,
        "/admin/accounts",
        "/admin/accounts/new",
        {"username": "advisor.li", "role": "advisor", "branch": "SH-LUJIAZUI"},
    )
    assert opened.status_code == 200, opened.text
    assert opened.headers["cache-control"] == "no-store"
    first = shown_password(opened.text)
    taken = post_form(
        api, "/admin/accounts", "/admin/accounts/new", {"username": "advisor.li", "role": "agent"}
    )
    assert taken.status_code == 422
    assert 'id="username-error"' in taken.text
    # The password shown works, once the admin has signed out
    api.http.cookies.clear()
    assert sign_in(api, "advisor.li", first).status_code == 303
    api.http.cookies.clear()
    sign_in(api, "admin")
    user = api.engine.handler(StaffCommands).find_user("advisor.li")
    assert user is not None
    action = f"/admin/accounts/{user.id}/disable"
    # The list shows the account once the staff view has it (it was opened a moment ago)
    listed = until(
        lambda: api.http.get("/admin/accounts?q=advisor.li", headers=EN).text,
        lambda html: f'action="{action}"' in html,
    )
    unexplained = api.http.post(
        action, data=hidden(listed, action), headers=EN, follow_redirects=False
    )
    assert unexplained.status_code == 422
    assert 'id="reason-error"' in unexplained.text
    disabled = api.http.post(
        action,
        data={**hidden(listed, action), "reason": "left the firm"},
        headers=EN,
        follow_redirects=False,
    )
    assert disabled.status_code == 303
    page = api.http.get(disabled.headers["location"], headers=EN).text
    assert "Disabled</span>" in page
    reset_action = f"/admin/accounts/{user.id}/password"
    reset = api.http.post(
        reset_action, data=hidden(page, reset_action), headers=EN, follow_redirects=False
    )
    assert reset.status_code == 200
    second = shown_password(reset.text)
    assert second != first
    enable_action = f"/admin/accounts/{user.id}/enable"
    enabled = api.http.post(
        enable_action, data=hidden(page, enable_action), headers=EN, follow_redirects=False
    )
    assert enabled.status_code == 303
    api.http.cookies.clear()
    assert sign_in(api, "advisor.li", first).status_code != 303  # the old one no longer works
    api.http.cookies.clear()
    assert sign_in(api, "advisor.li", second).status_code == 303


def test_an_admin_cannot_disable_themself(api: Api) -> None:
    sign_in(api, "admin")
    action = f"/admin/accounts/{api.users['admin']}/disable"
    page = api.http.get("/admin/accounts?q=admin", headers=EN).text
    own = api.http.post(
        action, data={**hidden(page, action), "reason": "oops"}, headers=EN, follow_redirects=False
    )
    assert own.status_code == 422
    assert "You cannot disable your own account." in own.text


def test_the_login_log_lists_failed_logins_for_admins_and_compliance(api: Api) -> None:
    sign_in(api, "nobody", "wrong password entirely")
    sign_in(api, "compliance")
    log = until(
        lambda: api.http.get("/admin/logins?username=nobody", headers=EN),
        lambda r: "nobody" in r.text,
    )
    assert "Failed" in log.text
    assert "wrong password" not in log.text
    assert api.http.get("/admin/logins?from=soon", headers=EN).status_code == 422
    assert api.http.get("/admin/accounts", headers=EN).status_code == 403
    assert "登录日志" in api.http.get("/admin/logins", headers=ZH).text


def test_operations_show_views_scheduler_chain_and_settings_and_rebuild_a_view(
    api: Api,
) -> None:
    api.engine.tick(datetime.now(UTC))  # the scheduler's jobs run once
    sign_in(api, "admin")
    page = api.http.get("/admin/operations", headers=EN, follow_redirects=False)
    assert page.status_code == 200
    assert '<th scope="row">tickets</th>' in page.text
    assert "ticket_breaches" in page.text  # the journal of the last runs
    assert "sla_policy" in page.text
    assert "secret" not in page.text.lower()  # no secret is among the settings shown
    action = "/admin/operations/views/funds/rebuild"
    started = api.http.post(
        action, data=hidden(page.text, action), headers=EN, follow_redirects=False
    )
    assert started.status_code == 303
    done = until(
        lambda: api.http.get("/admin/operations/views", headers=EN),
        lambda r: "Rebuilt to position" in r.text,
    )
    assert 'id="view-funds"' in done.text
    assert (
        api.http.post(
            "/admin/operations/views/nothing/rebuild", data=hidden(page.text, action), headers=EN
        ).status_code
        == 404
    )
    sign_in(api, "quality")
    assert api.http.get("/admin/operations", headers=EN).status_code == 403
