"""Request limits and input: bodies over the limit, collections that would grow an aggregate
without bound, control characters in text."""

from __future__ import annotations

from collections.abc import Iterator

from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields

MiB = 2**20


def test_a_body_over_the_limit_is_a_413_before_it_is_read(api: Api) -> None:
    # Given a registration padded past 1 MiB
    padded = client_fields(address="x" * (MiB + 10))
    # When it is sent with its length, or chunked without one
    declared = api.call("POST", "/api/v1/clients", "admin", json=padded)

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"[" + b"0," * (MiB // 2)

    chunked = api.call(
        "POST",
        "/api/v1/clients",
        "admin",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    # Then each is a 413 problem, and nothing was written
    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "the request body is larger than 1 MiB"
    wait = f"min_position={api.engine.store.head()}"
    assert api.call("GET", f"/api/v1/clients?{wait}", "admin").json()["items"] == []


def test_a_nav_file_may_be_larger_than_a_body_up_to_the_upload_limit(api: Api) -> None:
    header = "code,date,unit_nav,accumulated_nav\n"
    big = header + "\n" * (2 * MiB)  # blank lines: 2 MiB of nothing to import
    response = api.call(
        "POST", "/api/v1/funds/nav/import", files={"file": ("navs.csv", big, "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == 0
    huge = header + "\n" * (51 * MiB)
    response = api.call(
        "POST", "/api/v1/funds/nav/import", files={"file": ("navs.csv", huge, "text/csv")}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body is larger than 50 MiB"


def test_a_clients_tags_are_bounded_in_number_and_length(api: Api) -> None:
    client = api.created(client_fields())
    path = f"/api/v1/clients/{client['id']}/tags"
    too_long = api.call("POST", path, json={"add": ["t" * 65]})
    assert invalid_fields(too_long) == ["add.0"]
    too_many = api.call("POST", path, json={"add": [f"t{n}" for n in range(51)]})
    assert invalid_fields(too_many) == ["add"]
    for start in (0, 25):
        added = api.call("POST", path, json={"add": [f"t{n}" for n in range(start, start + 25)]})
        assert added.status_code == 200, added.text
    one_more = api.call("POST", path, json={"add": ["t50"]})
    assert invalid_fields(one_more) == ["add"]
    assert "at most 50 tags" in one_more.json()["errors"][0]["message"]


def test_text_with_control_characters_is_refused_naming_the_field(api: Api) -> None:
    # A NUL in a name, an escape in a tag, a line break in a one-line field: refused
    assert invalid_fields(
        api.call("POST", "/api/v1/clients", json=client_fields(name="Chen\x00Jing"))
    ) == ["name"]
    client = api.created(client_fields())
    path = f"/api/v1/clients/{client['id']}"
    assert invalid_fields(api.call("POST", f"{path}/tags", json={"add": ["\x1b[31mred"]})) == [
        "add.0"
    ]
    assert invalid_fields(api.call("PATCH", path, json={"address": "line\nbreak"})) == ["address"]
    # And a multi-line note keeps its line breaks and tabs
    note = "Called about the statement.\n\tWill call back on Monday."
    logged = api.call("POST", f"{path}/interactions", json={"channel": "call", "summary": note})
    assert logged.status_code == 201, logged.text
    wait = f"min_position={logged.json()['position']}"
    [row] = api.call("GET", f"{path}/interactions?{wait}").json()["items"]
    assert row["summary"] == note
