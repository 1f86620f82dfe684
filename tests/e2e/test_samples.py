"""The files the README's tour sends work as the tour says (README claim)."""

from __future__ import annotations

import json
from pathlib import Path

from api.funds.schemas import FundCreate
from tests.conftest import client_fields
from tests.e2e.conftest import Api

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_the_tour_lists_its_fund_then_imports_samples_navs_once(api: Api) -> None:
    """README claim: the sample NAV file imports five points, and again changes nothing."""
    # Given the fund the tour lists first (the example of its request body)
    fund = FundCreate.model_json_schema()["examples"][0]
    assert api.call("POST", "/api/v1/funds", json=fund).status_code == 201
    files = {"file": ("navs.csv", (SAMPLES / "navs.csv").read_bytes(), "text/csv")}
    # When the sample file is imported twice
    first = api.call("POST", "/api/v1/funds/nav/import", files=files)
    second = api.call("POST", "/api/v1/funds/nav/import", files=files)
    # Then the first publishes its five points and the second changes nothing
    assert first.status_code == 200, first.text
    assert (first.json()["rows"], first.json()["published"]) == (5, 5)
    assert (second.json()["published"], second.json()["unchanged"]) == (0, 5)


def test_the_sample_audit_passes_and_lets_the_avl_approve(api: Api) -> None:
    """README claim: the sample audit's mean is 3.0 and it passes; the approval follows."""
    body = {
        "name": "Delta Precision",
        "sites": [{"name": "Kunshan", "country": "CN", "city": "Kunshan"}],
        "categories": ["connectors"],
    }
    supplier = api.call("POST", "/api/v1/suppliers", "quality", json=body).json()
    audit = json.loads((SAMPLES / "audit.json").read_text())
    path = f"/api/v1/suppliers/{supplier['id']}"
    scored = api.call("POST", f"{path}/assessments", "quality", json=audit)
    assert scored.status_code == 201, scored.text
    assert (scored.json()["mean"], scored.json()["passed"]) == (3.0, True)
    approval = {"category": "connectors", "decision": "approve", "reason": "audit passed"}
    assert api.call("POST", f"{path}/avl", "quality", json=approval).status_code == 200


def test_the_tours_position_line_values_at_the_samples_nav(api: Api) -> None:
    """README claim: 1,000 units of 000123 on 2026-11-24 are worth 1,021.00 on 2026-11-27."""
    fund = FundCreate.model_json_schema()["examples"][0]
    api.call("POST", "/api/v1/funds", json=fund)
    navs = {"file": ("navs.csv", (SAMPLES / "navs.csv").read_bytes(), "text/csv")}
    api.call("POST", "/api/v1/funds/nav/import", files=navs)
    client = api.created(client_fields())
    line = f"client_id,fund_code,date,units\n{client['id']},000123,2026-11-24,1000\n"
    imported = api.call(
        "POST", "/api/v1/holdings/import", files={"file": ("positions.csv", line, "text/csv")}
    )
    assert imported.json()["published"] == 1, imported.text
    wait = f"min_position={imported.json()['position']}"
    held = api.call("GET", f"/api/v1/clients/{client['id']}/holdings?as_of=2026-11-27&{wait}")
    assert held.json()["total"] == "1021.00"
