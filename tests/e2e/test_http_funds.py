"""The fund supermarket over HTTP, on each store."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Api

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


def listed(api: Api, **overrides: Any) -> dict[str, Any]:
    response = api.call("POST", "/api/v1/funds", json={**FUND, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_when_listed_then_shown_and_a_second_listing_of_the_code_is_409(api: Api) -> None:
    first = listed(api)
    fund = api.call("GET", f"/api/v1/funds/000123?min_position={first['position']}", "advisor")
    assert fund.status_code == 200
    body = fund.json()
    assert (body["risk_rating"], body["latest_nav"], body["nav_count"]) == ("R2", None, 0)
    assert body["risk_rating_history"][0]["value"] == "R2"
    assert api.call("POST", "/api/v1/funds", json=FUND).status_code == 409


def test_invalid_fund_fields_are_422_and_unknown_fund_404(api: Api) -> None:
    response = api.call(
        "POST",
        "/api/v1/funds",
        json={**FUND, "code": "12ab", "risk_rating": "R9", "type": "crypto"},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"code", "risk_rating", "type"}
    assert api.call("GET", "/api/v1/funds/999999").status_code == 404
    assert (
        api.call(
            "POST",
            "/api/v1/funds/999999/nav",
            json={"date": "2026-01-05", "unit_nav": "1.0", "accumulated_nav": "1.0"},
        ).status_code
        == 404
    )
    assert api.call("GET", "/api/v1/funds/12").status_code == 422


def test_only_admins_list_funds_and_quality_cannot_read(api: Api) -> None:
    assert api.call("POST", "/api/v1/funds", "advisor", json=FUND).status_code == 403
    assert api.call("GET", "/api/v1/funds", "quality").status_code == 403


def test_given_navs_when_corrected_then_series_shows_the_correction(api: Api) -> None:
    listed(api)
    for day, unit in (("2026-01-05", "1.0100"), ("2026-01-06", "1.0200"), ("2026-01-07", "1.0150")):
        response = api.call(
            "POST",
            "/api/v1/funds/000123/nav",
            json={"date": day, "unit_nav": unit, "accumulated_nav": unit},
        )
        assert response.status_code == 201
    corrected = api.call(
        "POST",
        "/api/v1/funds/000123/nav",
        json={"date": "2026-01-06", "unit_nav": "1.0210", "accumulated_nav": "1.0210"},
    ).json()
    wait = f"min_position={corrected['position']}"
    series = api.call("GET", f"/api/v1/funds/000123/nav?from=2026-01-06&{wait}").json()["items"]
    assert [(p["date"], p["unit_nav"], p["corrected"]) for p in series] == [
        ("2026-01-06", "1.0210", True),
        ("2026-01-07", "1.0150", False),
    ]
    fund = api.call("GET", f"/api/v1/funds/000123?{wait}").json()
    assert fund["latest_nav"] == {
        "date": "2026-01-07",
        "unit_nav": "1.0150",
        "accumulated_nav": "1.0150",
    }
    assert fund["nav_count"] == 3
    future = api.call(
        "POST",
        "/api/v1/funds/000123/nav",
        json={"date": "2999-01-01", "unit_nav": "1", "accumulated_nav": "1"},
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "date"


def test_ratings_keep_their_history(api: Api) -> None:
    listed(api)
    api.call(
        "POST",
        "/api/v1/funds/000123/risk-rating",
        "compliance",
        json={"rating": "R3", "reason": "longer duration"},
    )
    last = api.call(
        "POST", "/api/v1/funds/000123/house-rating", json={"stars": 4, "reason": "steady"}
    ).json()
    fund = api.call("GET", f"/api/v1/funds/000123?min_position={last['position']}").json()
    assert [h["value"] for h in fund["risk_rating_history"]] == ["R2", "R3"]
    assert fund["risk_rating_history"][1]["previous"] == "R2"
    assert [h["value"] for h in fund["house_rating_history"]] == ["4"]
    assert fund["house_rating"] == 4
    bad = api.call("POST", "/api/v1/funds/000123/house-rating", json={"stars": 0, "reason": "x"})
    assert bad.status_code == 422


def test_the_catalogue_filters_by_type_risk_and_name(api: Api) -> None:
    listed(api)
    listed(
        api,
        code="110022",
        name="Dragon Growth Equity",
        type="equity",
        risk_rating="R4",
        horizon="long",
        variety="equity",
    )
    last = listed(
        api,
        code="000009",
        name="Pearl Money Market",
        type="money_market",
        risk_rating="R1",
        horizon="short",
        variety="cash",
    )
    wait = f"min_position={last['position']}"

    def codes(query: str) -> list[str]:
        return [f["code"] for f in api.call("GET", f"/api/v1/funds?{query}&{wait}").json()["items"]]

    assert codes("") == ["000009", "000123", "110022"]
    assert codes("type=equity") == ["110022"]
    assert codes("max_risk=R2") == ["000009", "000123"]
    assert codes("q=dragon") == ["110022"]
    assert codes("q=0001") == ["000123"]


def test_nav_import_over_http_reports_counts_or_every_bad_line(api: Api) -> None:
    listed(api)
    good = (
        "code,date,unit_nav,accumulated_nav\n000123,2026-01-05,1.01,1.21\n"
        "000123,2026-01-06,1.02,1.22\n"
    )
    response = api.call(
        "POST", "/api/v1/funds/nav/import", files={"file": ("navs.csv", good, "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert response.json() | {"position": 0} == {
        "rows": 2,
        "published": 2,
        "corrected": 0,
        "unchanged": 0,
        "position": 0,
    }
    bad = "code,date,unit_nav,accumulated_nav\n000123,2026-01-07,x,1\n"
    rejected = api.call(
        "POST", "/api/v1/funds/nav/import", files={"file": ("navs.csv", bad, "text/csv")}
    )
    assert rejected.status_code == 422
    assert rejected.json()["errors"] == [
        {"line": 2, "field": "unit_nav", "message": "'x' is not a number"}
    ]
    assert (
        api.call(
            "POST",
            "/api/v1/funds/nav/import",
            "advisor",
            files={"file": ("navs.csv", good, "text/csv")},
        ).status_code
        == 403
    )
    assert api.call("POST", "/api/v1/funds/nav/import").status_code == 422


def test_nav_import_names_the_line_of_a_value_no_number_or_csv_can_hold(api: Api) -> None:
    listed(api)
    header = "code,date,unit_nav,accumulated_nav\n"
    cases = {
        "NaN": (f"{header}000123,2026-01-07,NaN,1\n", 2, "unit_nav"),
        "Infinity": (f"{header}000123,2026-01-05,1,1\n000123,2026-01-07,1,Infinity\n", 3,
                     "accumulated_nav"),
        "-Infinity": (f"{header}000123,2026-01-07,-Infinity,1\n", 2, "unit_nav"),
        "sNaN": (f"{header}000123,2026-01-07,sNaN,1\n", 2, "unit_nav"),
        "a value over the csv field limit": (
            f"{header}000123,2026-01-07,1,1\n000123,2026-01-08,\"{'9' * 200_000}\",1\n", 3, "row"
        ),
        "a NUL": (f"{header}000123,2026-01-07,1\x00,1\n", 2, "unit_nav"),
    }  # fmt: skip
    for case, (text, line, field) in cases.items():
        response = api.call(
            "POST", "/api/v1/funds/nav/import", files={"file": ("navs.csv", text, "text/csv")}
        )
        assert response.status_code == 422, (case, response.text)
        [error] = response.json()["errors"]
        assert (error["line"], error["field"]) == (line, field), case
    history = api.call("GET", f"/api/v1/funds/000123?min_position={api.engine.store.head()}")
    assert history.json()["latest_nav"] is None  # nothing was imported


def test_nav_imports_list_who_imported_which_file_and_how_far(api: Api) -> None:
    listed(api)
    text = "code,date,unit_nav,accumulated_nav\n000123,2026-01-05,1.01,1.21\n"
    files = {"file": ("navs-jan.csv", text, "text/csv")}
    imported = api.call("POST", "/api/v1/funds/nav/import", files=files)
    assert imported.status_code == 200, imported.text
    wait = f"min_position={imported.json()['position']}"
    [row] = api.call("GET", f"/api/v1/funds/nav/imports?{wait}").json()["items"]
    assert (row["filename"], row["status"], row["rows"], row["applied"], row["runs"]) == (
        "navs-jan.csv",
        "completed",
        1,
        1,
        1,
    )
    assert (row["started_by"], row["started_by_id"]) == ("admin", str(api.users["admin"]))
    assert api.call("GET", "/api/v1/funds/nav/imports", "advisor").status_code == 403


def test_rankings_and_chart_over_http(api: Api) -> None:
    listed(api)
    last: dict[str, Any] = {}
    for day, value in (
        ("2025-01-02", "1.0000"),
        ("2025-12-31", "1.0500"),
        ("2026-01-30", "1.0800"),
    ):
        last = api.call(
            "POST",
            "/api/v1/funds/000123/nav",
            json={"date": day, "unit_nav": value, "accumulated_nav": value},
        ).json()
    wait = f"min_position={last['position']}"
    ranking = api.call("GET", f"/api/v1/funds/rankings?period=ytd&{wait}", "advisor")
    assert ranking.status_code == 200
    assert ranking.json()["items"] == [
        {
            "rank": 1,
            "code": "000123",
            "name": "Harbour Steady Bond",
            "type": "bond",
            "return_pct": "2.8571",
            "value": None,
            "start_date": "2025-12-31",
            "end_date": "2026-01-30",
        }
    ]
    by_nav = api.call("GET", "/api/v1/funds/rankings?by=unit_nav").json()["items"]
    assert by_nav[0]["value"] == "1.0800"
    assert api.call("GET", "/api/v1/funds/rankings?period=2y").status_code == 422
    chart = api.call("GET", "/api/v1/funds/000123/chart.svg?from=2025-01-01")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<svg")
    assert chart.text.count("<polyline") == 2
    assert ">2025-07<" in chart.text  # round months along the date axis
    assert ">Date<" in chart.text
    small = api.call("GET", "/api/v1/funds/000123/chart.svg?width=400&height=240")
    assert small.status_code == 200
    assert 'width="400" height="240"' in small.text
    assert api.call("GET", "/api/v1/funds/000123/chart.svg?width=100").status_code == 422
    assert api.call("GET", "/api/v1/funds/654321/chart.svg").status_code == 404
