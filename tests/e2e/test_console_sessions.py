"""Console sessions over HTTP, on each store: an idle session expires (policy) and the
login page says so; changing one's password keeps this session and ends the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.shared.clock import Clock
from tests.e2e.conftest import PASSWORD, Api
from tests.e2e.console import EN, ZH, post_form, sign_in


class Moving:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Moving()


def test_given_an_idle_session_when_a_page_opens_then_the_login_says_it_expired(
    api: Api, clock: Moving
) -> None:
    sign_in(api, "advisor")
    assert api.http.get("/clients", headers=EN).status_code == 200
    # Within the idle time, each page keeps the session alive
    clock.now += timedelta(minutes=25)
    assert api.http.get("/clients", headers=EN).status_code == 200
    clock.now += timedelta(minutes=25)
    assert api.http.get("/clients", headers=EN).status_code == 200
    # Past it (30 minutes by default), the session has expired
    clock.now += timedelta(minutes=31)
    expired = api.http.get("/clients", headers=ZH)
    assert expired.status_code == 200
    assert str(expired.url).endswith("/login?next=%2Fclients&expired=1")
    assert "您的会话已过期" in expired.text


def test_an_idle_session_expires_for_htmx_requests_too(api: Api, clock: Moving) -> None:
    sign_in(api, "advisor")
    clock.now += timedelta(hours=1)
    partial = api.http.get(
        "/clients?q=x", headers={**EN, "HX-Request": "true"}, follow_redirects=False
    )
    assert partial.status_code == 204
    assert partial.headers["HX-Redirect"].startswith("/login?next=")


def test_the_headers_unread_count_asking_every_minute_does_not_keep_a_session_alive(
    api: Api, clock: Moving
) -> None:
    sign_in(api, "advisor")
    assert api.http.get("/clients", headers=EN).status_code == 200
    # The page left open asks for the count every minute, 31 minutes long
    for _ in range(31):
        clock.now += timedelta(minutes=1)
        badge = api.http.get(
            "/inbox/badge", headers={**EN, "HX-Request": "true"}, follow_redirects=False
        )
    # Then the count's last request, and the next page, find the session expired
    assert badge.status_code == 204
    assert badge.headers["HX-Redirect"].startswith("/login?next=")
    expired = api.http.get("/clients", headers=EN)
    assert str(expired.url).endswith("/login?next=%2Fclients&expired=1")


def test_changing_the_password_keeps_this_session_and_ends_the_others(api: Api) -> None:
    sign_in(api, "agent")
    other = api.token("agent")
    assert api.call("GET", "/api/v1/clients", "agent").status_code == 200
    wrong = post_form(
        api, "/password", "/password", {"current": "nope", "new": "x" * 16, "repeated": "x" * 16}
    )
    assert wrong.status_code == 422
    assert "This is not right." in wrong.text
    short = post_form(api, "/password", "/password", {"current": PASSWORD, "new": "short"})
    assert short.status_code == 422
    assert 'id="new-error"' in short.text
    differ = post_form(
        api,
        "/password",
        "/password",
        {"current": PASSWORD, "new": "a new long passphrase", "repeated": "another one"},
    )
    assert 'id="repeated-error"' in differ.text
    done = post_form(
        api,
        "/password",
        "/password",
        {"current": PASSWORD, "new": "a new long passphrase", "repeated": "a new long passphrase"},
    )
    assert done.status_code == 200
    assert "Your password is changed" in done.text
    # This session goes on; a token issued before the change no longer works
    assert api.http.get("/clients", headers=EN, follow_redirects=False).status_code == 200
    headers = {"Authorization": f"Bearer {other}"}
    assert api.http.get("/api/v1/clients", headers=headers).status_code == 401
    # And the new password signs in
    api.http.cookies.clear()
    assert sign_in(api, "agent", "a new long passphrase").status_code == 303


def test_a_persons_language_and_time_zone_follow_them_to_another_browser(api: Api) -> None:
    sign_in(api, "advisor", headers=ZH)
    saved = post_form(
        api, "/preferences", "/preferences", {"language": "en", "zone": "Europe/London"}
    )
    assert saved.status_code == 303
    # Another browser asking for Chinese: the account's choice wins once signed in
    api.http.cookies.clear()
    sign_in(api, "advisor", headers=ZH)
    page = api.http.get("/preferences", headers=ZH)
    assert "<h1>Preferences</h1>" in page.text
    assert '<option value="Europe/London" selected>' in page.text
    # A zone not offered is refused on the form
    refused = post_form(api, "/preferences", "/preferences", {"zone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert 'id="zone-error"' in refused.text


def test_the_language_switch_of_a_signed_in_person_is_kept_on_their_account(api: Api) -> None:
    sign_in(api, "agent", headers=EN)
    switched = post_form(api, "/clients", "/language", {"locale": "zh_CN"})
    assert switched.status_code == 303
    api.http.cookies.clear()
    sign_in(api, "agent", headers=EN)
    assert "客户" in api.http.get("/clients", headers=EN).text
