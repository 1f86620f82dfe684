"""The API's own documentation: it works offline (/docs and /redoc load their scripts and
styles from the service itself, no page names another host), every query parameter is
described, every JSON body has an example its model accepts, and the schema says what the
server refuses."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from api.shared.schemas import Strict
from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields

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


def operations(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    doc = api.http.get("/openapi.json").json()
    return [(m.upper(), p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def test_every_query_parameter_is_described(api: Api) -> None:
    bare = [
        f"{method} {path} ?{p['name']}"
        for method, path, op in operations(api)
        for p in op.get("parameters", [])
        if p["in"] == "query" and not p.get("description")
    ]
    assert bare == []


def _models(cls: type[BaseModel]) -> list[type[BaseModel]]:
    return [cls, *(m for sub in cls.__subclasses__() for m in _models(sub))]


def test_every_request_model_has_an_example_it_accepts(api: Api) -> None:
    # Given every request model a route takes as JSON
    doc = api.http.get("/openapi.json").json()["components"]["schemas"]
    every = [m for m in _models(Strict) if m is not Strict]
    # A name two contexts share is written with its module (api__clients__schemas__X).
    models = {m.__name__: m for m in every} | {
        f"{m.__module__}.{m.__name__}".replace(".", "__"): m for m in every
    }
    used = {
        ref.rsplit("/", 1)[-1]
        for _, _, op in operations(api)
        for content in op.get("requestBody", {}).get("content", {}).values()
        for ref in [content["schema"].get("$ref", "")]
        + [s.get("$ref", "") for s in content["schema"].get("anyOf", [])]
        if ref
    }
    assert len(used) > 40
    for name in sorted(used):
        if name.startswith("Body_"):
            continue  # a form or an upload: its fields are documented one by one
        # Then its schema shows an example, and the model accepts it
        [example] = doc[name]["examples"]
        models[name].model_validate(example)


def test_the_schema_says_what_the_server_refuses(api: Api) -> None:
    doc = api.http.get("/openapi.json").json()["components"]["schemas"]
    assert doc["ClientPatch"]["minProperties"] == 1
    assert doc["UserCreate"]["properties"]["password"]["minLength"] == 12
    assert doc["PasswordChange"]["properties"]["new_password"]["minLength"] == 12
    empty = api.call("PATCH", f"/api/v1/clients/{api.created(client_fields())['id']}", json={})
    assert invalid_fields(empty) == ["body"]
    short = api.call(
        "POST", "/api/v1/users", json={"username": "x.y", "role": "agent", "password": "short"}
    )
    assert invalid_fields(short) == ["password"]
