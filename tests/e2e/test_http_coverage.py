"""Client coverage over HTTP on each store, driven by ``tick(now)``: the segment job records
who entered and left which segment once, the clients at risk are listed with their reasons,
and a tier suggestion is made once and settled by an advisor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from adapters.shared.clock import Clock
from application.clients.commands import ClientCommands
from application.funds.commands import FundCommands
from application.holdings import HoldingsCommands
from application.service_desk.tickets import TicketCommands
from domain.clients import Channel
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import TicketChannel, TicketType
from domain.shared.base import Context
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from tests.conftest import client_fields
from tests.e2e.conftest import Api, invalid_fields
from tests.e2e.console import EN, ZH, post_form, sign_in

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
DAY = NOW.date()


@pytest.fixture
def clock() -> Clock:
    return lambda: NOW


def at(days_ago: int) -> Context:
    return Context(actor="system:test", at=NOW - timedelta(days=days_ago), correlation_id="given")


def given_three_clients(api: Api) -> dict[str, UUID]:
    """``rich`` holds 1,200,000 since January; ``leaving`` held 400,000 and sold 90% of it
    in the last 90 days and complained; ``quiet`` holds 50,000 and was registered 200 days
    ago without a contact since."""
    engine = api.engine
    funds = engine.handler(FundCommands)
    funds.list_fund(
        at(400),
        code="000901",
        name="Steady Bond",
        fund_type=FundType.BOND,
        manager="AM",
        inception_date=(NOW - timedelta(days=400)).date(),
        risk_rating=RiskRating.R2,
        horizon=Horizon.MEDIUM,
        variety=Variety.FIXED_INCOME,
    )
    funds.publish_nav(at(300), "000901", DAY - timedelta(days=300), Decimal(1), Decimal(1))
    clients = engine.handler(ClientCommands)
    ids = {
        name: clients.register(at(200), **client_fields(branch="SH-LUJIAZUI")).id
        for name in ("rich", "leaving", "quiet")
    }
    for name in ("rich", "leaving"):  # both in touch lately
        clients.log_interaction(at(5), ids[name], Channel.CALL, "review", None)
    rows = [
        f"{ids['rich']},000901,{DAY - timedelta(days=180)},1200000",
        f"{ids['leaving']},000901,{DAY - timedelta(days=180)},400000",
        f"{ids['leaving']},000901,{DAY - timedelta(days=30)},40000",
        f"{ids['quiet']},000901,{DAY - timedelta(days=180)},50000",
    ]
    engine.handler(HoldingsCommands).import_positions(
        at(0), "client_id,fund_code,date,units\n" + "\n".join(rows) + "\n"
    )
    engine.handler(TicketCommands).open(
        at(10),
        client_id=ids["leaving"],
        type=TicketType.COMPLAINT,
        priority=Priority.P3,
        channel=TicketChannel.PHONE,
        subject="Fees too high",
        description="The client complains about fees.",
    )
    return ids


def members(api: Api, segment: str, role: str = "advisor") -> list[str]:
    items = api.call("GET", f"/api/v1/segments/{segment}/clients", role).json()["items"]
    return [i["client_id"] for i in items]


def test_the_segment_job_records_each_change_once_and_lists_follow(api: Api) -> None:
    ids = {k: str(v) for k, v in given_three_clients(api).items()}
    # When the segment job runs, and again
    first = api.engine.tick(NOW)
    assert first["segments"] >= 3
    assert api.engine.tick(NOW + timedelta(days=1, minutes=1))["segments"] == 0
    api.engine.projector.catch_up()
    # Then each segment lists its members, an advisor their branch's
    assert members(api, "high_value") == [ids["rich"]]
    assert members(api, "dormant") == [ids["quiet"]]
    assert members(api, "churn_risk") == [ids["leaving"]]
    counts = {
        s["name"]: s["members"] for s in api.call("GET", "/api/v1/segments", "advisor").json()
    }
    assert counts == {"high_value": 1, "assessment_overdue": 0, "dormant": 1, "churn_risk": 1}
    [entered] = api.call("GET", "/api/v1/segments/high_value/clients").json()["items"]
    assert entered["facts"]["aum"] == "1200000.00"
    # And the client's detail lists their segments, since when
    detail = api.call("GET", f"/api/v1/clients/{ids['rich']}?min_position=0").json()
    assert [s["segment"] for s in detail["segments"]] == ["high_value"]
    # And the client's history says when they became high-value
    history = api.call("GET", f"/api/v1/clients/{ids['rich']}/history").json()["events"]
    assert [e["type"] for e in history if "Segment" in e["type"]] == ["Client.EnteredSegment"]
    assert api.call("GET", "/api/v1/segments/vip/clients").status_code == 404


def test_the_clients_at_risk_come_with_their_reasons(api: Api) -> None:
    ids = given_three_clients(api)
    api.engine.projector.catch_up()
    [risky] = api.call("GET", "/api/v1/clients/at-risk", "advisor").json()["items"]
    assert (risky["client_id"], risky["aum"], risky["version"]) == (
        str(ids["leaving"]),
        "40000.00",
        "churn-2026.1",
    )
    # 35 (fell 90%) + 15 (sold 90%) + 10 (one complaint) = 60
    assert risky["score"] == 60
    assert [r["words"] for r in risky["reasons"]] == [
        "assets fell 90% in the window",
        "redeemed 90% of the assets in the window",
        "1 complaints in the window",
    ]
    assert api.call("GET", "/api/v1/clients/at-risk?branch=BJ-JINRONGJIE").json()["items"] == []
    assert api.call("GET", "/api/v1/clients/at-risk", "agent").status_code == 403


def test_a_tier_suggestion_is_made_once_and_an_advisor_settles_it(api: Api) -> None:
    ids = given_three_clients(api)
    api.engine.tick(NOW)
    api.engine.projector.catch_up()
    [suggested] = api.call("GET", "/api/v1/tier-suggestions", "advisor").json()
    assert (suggested["client_id"], suggested["tier"], suggested["previous_tier"]) == (
        str(ids["rich"]),
        "gold",
        "standard",
    )
    assert suggested["month_ends"] == {
        "2026-03-31": "1200000.00",
        "2026-04-30": "1200000.00",
        "2026-05-31": "1200000.00",
    }
    path = f"/api/v1/clients/{ids['rich']}/tier-suggestion"
    assert invalid_fields(api.call("POST", f"{path}/decline", "advisor", json={"reason": ""})) == [
        "reason"
    ]
    accepted = api.call("POST", f"{path}/accept", "advisor")
    assert accepted.status_code == 200, accepted.text
    client = api.call(
        "GET", f"/api/v1/clients/{ids['rich']}?min_position={accepted.json()['position']}"
    ).json()
    assert client["tier"] == "gold"
    assert api.call("POST", f"{path}/accept", "advisor").status_code == 409
    settled = f"/api/v1/tier-suggestions?min_position={accepted.json()['position']}"
    assert api.call("GET", settled, "advisor").json() == []  # once the views have it
    # The next day's job suggests nothing more: the client is where their assets qualify
    assert api.engine.tick(NOW + timedelta(days=2))["segments"] == 0
    quiet = f"/api/v1/clients/{ids['quiet']}/tier-suggestion/decline"
    assert api.call("POST", quiet, "advisor", json={"reason": "none"}).status_code == 409


def test_the_segment_job_runs_once_a_day_not_at_every_tick(api: Api) -> None:
    given_three_clients(api)
    assert api.engine.tick(NOW)["segments"] > 0
    given: dict[str, Any] = client_fields(branch="SH-LUJIAZUI")
    api.engine.handler(ClientCommands).register(at(300), **given)  # dormant from the start
    assert api.engine.tick(NOW + timedelta(hours=1))["segments"] == 0  # within the day
    assert api.engine.tick(NOW + timedelta(hours=25))["segments"] == 1


def test_the_console_shows_coverage_on_the_day_the_client_and_the_dashboard(api: Api) -> None:
    ids = given_three_clients(api)
    api.engine.tick(NOW)
    api.engine.projector.catch_up()
    sign_in(api, "advisor")
    day = api.http.get("/today", headers=EN).text
    at_risk = day.split('id="risk-h"')[1].split("</section>")[0]
    assert f"/clients/{ids['leaving']}#coverage" in at_risk
    assert "score 60" in at_risk
    assert "assets fell 90% in the window; redeemed 90% of the assets" in at_risk
    tiers = day.split('id="tiers-h"')[1].split("</section>")[0]
    assert f"/clients/{ids['rich']}#coverage" in tiers
    assert "Standard → Gold" in tiers
    # The client's page: segments since when, the score and its reasons, the suggestion
    page = api.http.get(f"/clients/{ids['leaving']}", headers=EN).text
    coverage = page.split('id="coverage"')[1].split("</section>")[0]
    assert "At risk of leaving" in coverage
    assert 'id="churn-score">60 / 100' in coverage
    assert "1 complaints in the window (10 points)" in coverage
    zh = api.http.get(f"/clients/{ids['leaving']}", headers=ZH).text
    assert "流失风险" in zh
    assert "窗口期内资产下降 90%" in zh
    # Declining needs a reason; accepting moves the tier
    rich = f"/clients/{ids['rich']}"
    refused = post_form(api, rich, f"{rich}/tier-suggestion/decline", {"reason": " "})
    assert refused.status_code == 422
    done = post_form(api, rich, f"{rich}/tier-suggestion/accept", {})
    assert done.status_code == 303, done.text
    after = api.http.get(done.headers["location"], headers=EN).text
    assert '<span class="badge">Gold</span>' in after
    # The branch dashboard and a segment's members
    board = api.http.get("/dashboard", headers=EN)
    assert board.status_code == 200, board.text
    assert "SH-LUJIAZUI" in board.text
    assert "CN¥1,290,000.00" in board.text  # 1,200,000 + 40,000 + 50,000
    members = api.http.get("/dashboard/segments/dormant", headers=EN).text
    assert f"/clients/{ids['quiet']}#coverage" in members
    assert api.http.get("/dashboard/segments/vip", headers=EN).status_code == 404
    sign_in(api, "agent")
    assert api.http.get("/dashboard", headers=EN).status_code == 403


def test_feedback_has_a_topic_its_stats_and_a_low_rating_gets_one_follow_up(api: Api) -> None:
    client = api.created(client_fields(branch="SH-LUJIAZUI"))
    path = f"/api/v1/clients/{client['id']}/feedback"
    assert invalid_fields(api.call("POST", path, json={"rating": 4, "topic": "weather"})) == [
        "topic"
    ]
    for rating, topic in ((5, "advisor"), (4, "advisor"), (1, "fees")):
        posted = api.call("POST", path, json={"rating": rating, "topic": topic})
        assert posted.status_code == 201, posted.text
    # When the scheduler runs twice
    assert api.engine.tick(NOW)["feedback"] == 1
    api.engine.projector.catch_up()
    assert api.engine.tick(NOW + timedelta(minutes=1))["feedback"] == 0
    # Then one follow-up ticket of type feedback is open for the client's branch
    tickets = api.call("GET", f"/api/v1/tickets?client_id={client['id']}&view=all").json()
    [follow_up] = tickets["items"]
    assert (follow_up["type"], follow_up["branch"]) == ("feedback", "SH-LUJIAZUI")
    assert follow_up["subject"] == "Follow up feedback rated 1/5 (fees)"
    # And the stats count by topic, with the share of low ratings
    stats = api.call("GET", "/api/v1/feedback/stats?group_by=topic", "advisor").json()
    assert [(g["group"], g["count"], g["mean_rating"], g["low_share"]) for g in stats["items"]] == [
        ("advisor", 2, 4.5, 0.0),
        ("fees", 1, 1.0, 1.0),
    ]
    assert set(stats) == {"group_by", "from", "to", "items"}
    by_month = api.call("GET", "/api/v1/feedback/stats?group_by=month").json()["items"]
    assert [(g["count"], g["low_share"]) for g in by_month] == [(3, 0.3333)]
    # Periods a calendar cannot hold, or over ten years, are refused by the field
    for query, field in (("from=0001-01-01", "from"), ("to=9999-12-31", "to")):
        assert invalid_fields(api.call("GET", f"/api/v1/feedback/stats?{query}")) == [field]
    assert api.call("GET", "/api/v1/feedback/stats?to=0001-01-02").json()["items"] == []
    sign_in(api, "advisor")
    page = api.http.get("/feedback?group_by=topic", headers=EN)
    assert page.status_code == 200, page.text
    assert "Fees" in page.text
    assert "100.00%" in page.text
    assert api.http.get("/feedback?group_by=colour", headers=EN).status_code == 422


def test_a_churn_warning_and_a_tier_suggestion_reach_the_branchs_advisors(api: Api) -> None:
    ids = given_three_clients(api)
    api.engine.tick(NOW)
    api.engine.projector.catch_up()
    items = api.call("GET", "/api/v1/inbox", "advisor").json()["items"]
    found = {(n["kind"], n["subject_id"]) for n in items}
    assert ("churn_warning", str(ids["leaving"])) in found
    assert ("tier_suggested", str(ids["rich"])) in found
    [warning] = [n for n in items if n["kind"] == "churn_warning"]
    assert warning["text"].endswith("may be leaving (churn score 60)")
    # Not for other roles
    theirs = api.call("GET", "/api/v1/inbox", "agent").json()["items"]
    assert [n["kind"] for n in theirs] == ["sla_breached"]  # the complaint's first response
    assert theirs[0]["text"] == "Ticket T-2026-000001 breached its first response SLA"
