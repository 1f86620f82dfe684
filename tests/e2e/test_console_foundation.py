"""The console's foundation over HTTP, on each store: signing in and out with the API's
throttle, the session cookie and CSRF, the two languages, local assets only."""

from __future__ import annotations

import re

from api.shared.console.i18n import LOCALES
from domain.staff import Role
from scripts import catalog
from tests.e2e.conftest import PASSWORD, Api
from tests.e2e.console import EN, ZH, sign_in


def test_the_console_asks_for_a_sign_in_in_the_browsers_language(api: Api) -> None:
    # When someone not signed in opens the console
    first = api.http.get("/", follow_redirects=False)
    # Then they are sent to the login page, in their browser's language
    assert (first.status_code, first.headers["location"]) == (303, "/login")
    english = api.http.get("/login", headers=EN)
    chinese = api.http.get("/login", headers=ZH)
    assert "Username" in english.text
    assert 'lang="en"' in english.text
    assert "用户名" in chinese.text
    assert 'lang="zh-CN"' in chinese.text
    # And every field has a label
    assert re.findall(r'<label for="(\w+)"', english.text) == ["locale", "username", "password"]


def test_a_sign_in_opens_a_session_kept_in_a_strict_http_only_cookie(api: Api) -> None:
    # When the advisor signs in
    done = sign_in(api, "advisor", PASSWORD)
    # Then the home page follows, and the session cookie cannot be read by scripts or sent
    # from another site
    assert (done.status_code, done.headers["location"]) == (303, "/")
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("assure_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    home = api.http.get("/", headers=EN)
    assert home.status_code == 200
    assert "<h1>Today</h1>" in home.text  # the advisor's day is their home
    assert "SH-LUJIAZUI" in home.text


def test_a_role_without_a_days_page_lands_on_its_modules(api: Api) -> None:
    sign_in(api, "admin", PASSWORD)
    home = api.http.get("/", headers=EN)
    assert "Welcome, admin" in home.text
    assert 'href="/clients"' in home.text
    assert 'href="/today"' not in home.text


def test_a_wrong_password_is_said_on_the_page_and_the_throttle_holds(api: Api) -> None:
    wrong = sign_in(api, "agent", "not the password", ZH)
    assert wrong.status_code == 401
    assert "用户名或密码错误" in wrong.text
    assert "assure_session" not in wrong.headers.get("set-cookie", "")
    for _ in range(5):
        sign_in(api, "agent", "still not it")
    throttled = sign_in(api, "agent", PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed attempts" in throttled.text
    assert int(throttled.headers["Retry-After"]) > 0


def test_forms_need_their_csrf_token(api: Api) -> None:
    # A login form without its token, and a sign-out without the session's token
    forged = api.http.post(
        "/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert (
        "This form has expired"
        in api.http.post(
            "/login", data={"username": "admin", "password": PASSWORD}, headers=EN
        ).text
    )
    assert sign_in(api, "admin", PASSWORD).status_code == 303
    refused = api.http.post("/logout", data={"csrf": "guess"}, follow_redirects=False)
    assert refused.status_code == 403
    # With it, the session ends
    home = api.http.get("/", headers=EN)
    token = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert token
    out = api.http.post("/logout", data={"csrf": token.group(1)}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    api.http.cookies.clear()
    assert api.http.get("/", follow_redirects=False).status_code == 303


def test_a_person_chooses_the_language(api: Api) -> None:
    chosen = api.http.post("/language", data={"locale": "en"}, headers=ZH, follow_redirects=False)
    assert chosen.status_code == 303
    assert "Username" in api.http.get("/login", headers=ZH).text
    assert api.http.post("/language", data={"locale": "fr"}).status_code == 422


def test_the_pages_load_only_local_assets(api: Api) -> None:
    sign_in(api, "admin", PASSWORD)
    for path in ("/login", "/"):
        text = api.http.get(path, headers=EN).text
        assert not re.search(r"https?://", text), path
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', text):
            assert api.http.get(asset).status_code == 200, asset


def test_every_message_is_in_both_catalogs() -> None:
    # Every message a page can show (templates, navigation, the vocabularies shown by
    # value, event names) is in both catalogs, translated (``python -m scripts.catalog``)
    wanted = set(catalog.wanted())
    for locale in LOCALES:
        loaded = catalog.load(locale)
        assert wanted - {m.id for m in loaded if m.id} == set(), locale
        assert catalog.untranslated(loaded, locale) == [], locale
    assert {r.value for r in Role} <= wanted  # role names are shown translated
