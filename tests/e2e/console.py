"""Helpers for the console over HTTP: signing in as a role, reading a form's hidden fields,
posting a form as the browser would."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import PASSWORD, Api

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def hidden(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` on a page."""
    start = html.index(f'action="{action}"')
    form = html[start : html.index("</form>", start)]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))


def form_token(api: Api, headers: dict[str, str] | None = None) -> str:
    page = api.http.get("/login", headers=headers or EN)
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def sign_in(
    api: Api, username: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> Any:
    token = form_token(api, headers)
    return api.http.post(
        "/login",
        data={"username": username, "password": password, "csrf": token},
        headers=headers or EN,
        follow_redirects=False,
    )


def post_form(
    api: Api, page: str, action: str, data: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    """Open ``page``, then post its form to ``action`` with its hidden fields and ``data``."""
    opened = api.http.get(page, headers=headers or EN)
    assert opened.status_code == 200, opened.text
    fields = {**hidden(opened.text, action), **data}
    return api.http.post(action, data=fields, headers=headers or EN, follow_redirects=False)


def until(fetch: Callable[[], Any], holds: Callable[[Any], bool], bound: float = 60) -> Any:
    """``fetch()`` again until its answer ``holds``: a wait on a condition (the generous
    bound only turns a hang into a failure)."""
    deadline = time.monotonic() + bound
    while not holds(answer := fetch()):
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)
    return answer
