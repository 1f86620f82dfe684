"""Holdings over HTTP, on each store: the position file, a client's holdings and AUM (the
series and its chart), AUM by branch and tier, and who may see what."""

from __future__ import annotations

from typing import Any

from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields
from tests.e2e.console import EN, ZH, sign_in
from tests.e2e.test_http_purchases import LEVELS, assessed_client, fund

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
    first_days = api.call("GET", f"/api/v1/clients/{mine}/aum?to=0001-01-02")
    assert first_days.json()["points"] == []  # a year back from there is the first day
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


def reassessed(api: Api, client: dict[str, Any], level: str) -> int:
    given = {"horizon": "c", "varieties": "d", **LEVELS[level]}
    taken = api.call(
        "POST",
        f"/api/v1/clients/{client['id']}/risk-assessments",
        json={"questionnaire_version": "2026-1", "answers": given},
    )
    assert taken.json()["risk_level"] == level, taken.text
    return int(taken.json()["position"])


def flags(api: Api, position: int) -> list[tuple[str, str, str, str, str | None, str]]:
    items = api.call(
        "GET", f"/api/v1/compliance/reviews?min_position={position}", "compliance"
    ).json()["items"]
    return [
        (
            f["client_id"],
            f["fund_code"],
            f["reason"],
            f["rating"],
            f["previous_level"],
            f["client_level"],
        )
        for f in items
    ]


def test_holders_by_reported_positions_are_flagged_when_a_rating_rises_or_a_level_falls(
    api: Api,
) -> None:
    # Given a C3 client holding two funds by the back office's positions (no purchase), and
    # a C5 client holding one
    fund(api, "000701", "R2")
    fund(api, "000702", "R3")
    holder = assessed_client(api, "C3")
    bold = assessed_client(api, "C5")
    text = HEADER + (
        f"{holder['id']},000701,2026-01-05,100\n{holder['id']},000702,2026-01-05,100\n"
        f"{bold['id']},000701,2026-01-05,100\n"
        f"{holder['id']},000701,2026-01-06,100\n"  # the latest day: 000702 sold
        f"{holder['id']},000702,2026-01-06,0\n"
    )
    assert upload(api, "/api/v1/holdings/import", text).status_code == 200
    # When the held fund's rating rises above C3: the holder is flagged, not the C5 client
    raised = api.call(
        "POST",
        "/api/v1/funds/000701/risk-rating",
        "compliance",
        json={"rating": "R4", "reason": "strategy changed"},
    ).json()
    assert flags(api, raised["position"]) == [
        (holder["id"], "000701", "rating_rose", "R4", "C3", "C3")
    ]
    # And a sold fund rising flags nobody
    api.call(
        "POST",
        "/api/v1/funds/000702/risk-rating",
        "compliance",
        json={"rating": "R5", "reason": "leverage"},
    )
    # When a new assessment lowers the C5 client to C2: their R4 holding is flagged
    position = reassessed(api, bold, "C2")
    assert flags(api, position)[1:] == [(bold["id"], "000701", "level_lowered", "R4", "C5", "C2")]
    # And a higher level flags nothing new
    position = reassessed(api, bold, "C4")
    assert len(flags(api, position)) == 2


def test_the_client_page_shows_holdings_and_the_aum_chart_to_whom_it_may(api: Api) -> None:
    mine, _ = given_a_fund_and_clients(api)
    text = HEADER + f"{mine},000123,2026-01-05,1000\n{mine},000123,2026-01-08,600\n"
    report = upload(api, "/api/v1/holdings/import", text).json()
    sign_in(api, "advisor")
    page = api.http.get(f"/clients/{mine}?aum=2y&after={report['position']}", headers=EN)
    assert page.status_code == 200, page.text
    holdings = page.text.split('id="holdings"')[1].split("</section>")[0]
    assert "000123 Harbour Steady Bond" in holdings
    assert "Positions of Jan 8, 2026" in holdings
    assert 'id="aum-total">CN¥1,200.00' in holdings  # 600 units at the 2.00 of Jan 7
    assert 'data-series="aum"' in holdings
    assert '<a href="?aum=2y#holdings" aria-current="true">2 years</a>' in holdings
    zh = api.http.get(f"/clients/{mine}?aum=3m", headers=ZH).text
    assert "持仓" in zh
    assert api.http.get(f"/clients/{mine}?aum=5y", headers=EN).status_code == 422
    # An agent serves the client without seeing their assets
    sign_in(api, "agent")
    assert 'id="holdings"' not in api.http.get(f"/clients/{mine}", headers=EN).text
