"""Holdings over HTTP, on each store: the position file, a client's holdings and AUM (the
series and its chart), AUM by branch and tier, and who may see what."""

from __future__ import annotations

from typing import Any

from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields

FUND = {
    "code": "000123",
    "name": "Harbour Steady Bond",
    "type": "bond",
    "manager": "Harbour AM",
    "inception_date": "2020-01-06",
    "risk_rating": "R2",
    "horizon": "medium",
    "variety": "fixed_income",
}
NAVS = (
    "code,date,unit_nav,accumulated_nav\n000123,2026-01-05,1.50,1.50\n000123,2026-01-07,2.00,2.00\n"
)
HEADER = "client_id,fund_code,date,units\n"


def upload(api: Api, path: str, text: str, role: str = "admin") -> Any:
    return api.call("POST", path, role, files={"file": ("file.csv", text, "text/csv")})


def given_a_fund_and_clients(api: Api) -> tuple[str, str]:
    """A fund with two NAVs; a client of the advisor's branch and one of Beijing."""
    assert api.call("POST", "/api/v1/funds", json=FUND).status_code == 201
    assert upload(api, "/api/v1/funds/nav/import", NAVS).status_code == 200
    mine = api.created(client_fields(branch="SH-LUJIAZUI"))["id"]
    other = api.created(client_fields(branch="BJ-JINRONGJIE"), "admin")["id"]
    return mine, other


def test_positions_imported_show_as_holdings_valued_at_nav_and_as_aum(api: Api) -> None:
    mine, other = given_a_fund_and_clients(api)
    text = HEADER + (
        f"{mine},000123,2026-01-05,1000\n{mine},000123,2026-01-08,600\n{other},000123,2026-01-05,10\n"
    )
    response = upload(api, "/api/v1/holdings/import", text)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["published"], report["unchanged"]) == (3, 3, 0)
    wait = f"min_position={report['position']}"
    held = api.call("GET", f"/api/v1/clients/{mine}/holdings?as_of=2026-01-06&{wait}", "advisor")
    assert held.status_code == 200, held.text
    assert held.json() | {"client_id": None} == {
        "client_id": None,
        "as_of": "2026-01-06",
        "reported_on": "2026-01-05",
        "items": [
            {
                "fund_code": "000123",
                "name": "Harbour Steady Bond",
                "units": "1000",
                "nav": "1.50",
                "nav_date": "2026-01-05",
                "value": "1500.00",
                "risk_rating": "R2",
            }
        ],
        "total": "1500.00",
        "currency": "CNY",
    }
    series = api.call(
        "GET", f"/api/v1/clients/{mine}/aum?from=2026-01-01&to=2026-01-31", "advisor"
    ).json()
    assert [(p["date"], p["aum"]) for p in series["points"]] == [
        ("2026-01-05", "1500.00"),
        ("2026-01-07", "2000.00"),
        ("2026-01-08", "1200.00"),
    ]
    chart = api.call("GET", f"/api/v1/clients/{mine}/aum.svg?from=2026-01-01&to=2026-01-31")
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert 'data-series="aum"' in chart.text
    by_branch = api.call("GET", "/api/v1/aum?group_by=branch&date=2026-01-07", "compliance")
    assert [(g["group"], g["clients"], g["aum"]) for g in by_branch.json()["items"]] == [
        ("BJ-JINRONGJIE", 1, "20.00"),
        ("SH-LUJIAZUI", 1, "2000.00"),
    ]
    assert by_branch.json()["total"] == "2020.00"
    # An advisor sums their own branch only
    theirs = api.call("GET", "/api/v1/aum?group_by=tier&date=2026-01-07", "advisor").json()
    assert [(g["group"], g["aum"]) for g in theirs["items"]] == [("standard", "2000.00")]


def test_holdings_refuse_other_branches_bad_input_and_the_wrong_roles(api: Api) -> None:
    mine, other = given_a_fund_and_clients(api)
    assert api.call("GET", f"/api/v1/clients/{other}/holdings", "advisor").status_code == 404
    assert api.call("GET", f"/api/v1/clients/{other}/aum", "advisor").status_code == 404
    assert api.call("GET", f"/api/v1/clients/{mine}/holdings", "agent").status_code == 403
    assert invalid_fields(api.call("GET", f"/api/v1/clients/{mine}/holdings?as_of=x")) == [
        "query.as_of"
    ]
    assert invalid_fields(
        api.call("GET", f"/api/v1/clients/{mine}/aum?from=2026-02-01&to=2026-01-01")
    ) == ["from"]
    assert invalid_fields(
        api.call("GET", f"/api/v1/clients/{mine}/aum?from=2000-01-01&to=2026-01-01")
    ) == ["from"]
    assert invalid_fields(api.call("GET", "/api/v1/aum?group_by=desk")) == ["query.group_by"]
    good = HEADER + f"{mine},000123,2026-01-05,1\n"
    assert upload(api, "/api/v1/holdings/import", good, "advisor").status_code == 403
    rejected = upload(api, "/api/v1/holdings/import", HEADER + f"{mine},000999,2026-01-05,1\n")
    assert rejected.status_code == 422
    assert rejected.json()["errors"] == [
        {"line": 2, "field": "fund_code", "message": "no fund 000999"}
    ]
    latin1 = api.call(
        "POST", "/api/v1/holdings/import", files={"file": ("f.csv", b"\xff\xfe", "text/csv")}
    )
    assert invalid_fields(latin1) == ["file"]


def test_position_imports_list_who_imported_which_file_and_how_far(api: Api) -> None:
    mine, _ = given_a_fund_and_clients(api)
    report = upload(api, "/api/v1/holdings/import", HEADER + f"{mine},000123,2026-01-05,1\n")
    wait = f"min_position={report.json()['position']}"
    [row] = api.call("GET", f"/api/v1/holdings/imports?{wait}").json()["items"]
    assert (row["status"], row["rows"], row["applied"], row["started_by"]) == (
        "completed",
        1,
        1,
        "admin",
    )
    assert api.call("GET", "/api/v1/holdings/imports", "advisor").status_code == 403
