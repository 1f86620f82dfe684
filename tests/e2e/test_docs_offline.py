"""The API's own documentation works offline: /docs and /redoc load their scripts and styles
from the service itself, and no page the service serves names another host."""

from __future__ import annotations

import re

from tests.e2e.conftest import Api

# What a page loads: scripts, styles, images, fonts, frames (src=, href=, url(...)).
LOADS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def test_the_docs_pages_load_only_from_the_service(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        # When the page is fetched, and each thing it loads
        response = api.http.get(page)
        assert response.status_code == 200, page
        loaded = [a or b for a, b in LOADS.findall(response.text)]
        assert loaded, f"{page} loads nothing: not the page expected"
        # Then every one is a path of this service, and is there
        for target in loaded:
            assert target.startswith("/"), (page, target)
            assert not target.startswith("//"), (page, target)
            assert api.http.get(target).status_code == 200, (page, target)
        # And the page's scripts set up no other host either (no CDN, no fonts service)
        assert not re.search(r"https?://(?!testserver)", response.text), page


def test_the_openapi_document_names_no_other_host(api: Api) -> None:
    text = api.http.get("/openapi.json").text
    assert not re.search(r"https?://", text)
