"""Time travel (``?as_of=``) and histories over HTTP, on each store, with their errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from api.engine import Engine
from application.clients.commands import ClientCommands
from application.cqp.commands import CQPCommands
from application.funds.commands import FundCommands
from application.service_desk.tickets import TicketCommands
from application.suppliers.commands import SupplierCommands
from domain.cqp.milestones import MILESTONES
from domain.cqp.phases import Criterion
from domain.service_desk.sla import Priority
from domain.service_desk.workflow import TicketChannel, TicketType
from domain.shared.base import Context
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety
from domain.suppliers.lifecycle import Site, Stage
from tests.conftest import client_fields, staff_account
from tests.e2e.conftest import Api, invalid_fields

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BEFORE, BETWEEN, AFTER = (
    START - timedelta(hours=1),
    START + timedelta(hours=12),
    START + timedelta(days=2),
)


def at(days: int) -> Context:
    return Context(actor="u-setup", at=START + timedelta(days=days), correlation_id=f"setup-{days}")


def client(e: Engine) -> tuple[str, str, Any, Any]:
    ident = e.handler(ClientCommands).register(at(0), **client_fields(branch="SH-XUJIAHUI")).id
    e.handler(ClientCommands).change_tier(at(1), ident, "gold", "assets")
    return "clients", str(ident), ("tier", "standard"), ("tier", "gold")


def fund(e: Engine) -> tuple[str, str, Any, Any]:
    code = f"{uuid4().int % 10**6:06d}"
    e.handler(FundCommands).list_fund(
        at(0),
        code=code,
        name="Balanced",
        fund_type=FundType.HYBRID,
        manager="Li",
        inception_date=date(2020, 1, 1),
        risk_rating=RiskRating.R3,
        horizon=Horizon.MEDIUM,
        variety=Variety.EQUITY,
    )
    e.handler(FundCommands).rate_risk(at(1), code, RiskRating.R4, "more equities")
    return "funds", code, ("risk_rating", "R3"), ("risk_rating", "R4")


def supplier(e: Engine) -> tuple[str, str, Any, Any]:
    site = Site(name="Kunshan", country="CN", city="Kunshan")
    ident = e.handler(SupplierCommands).register(at(0), "Delta", [site], ["connectors"]).id
    e.handler(SupplierCommands).move(at(1), ident, Stage.SURVEY, "visit")
    return "suppliers", str(ident), ("stage", "contact"), ("stage", "survey")


def plan(e: Engine) -> tuple[str, str, Any, Any]:
    site = Site(name="Kunshan", country="CN", city="Kunshan")
    owner = e.handler(SupplierCommands).register(at(-1), "Delta", [site], ["connectors"]).id
    dates = {m: date(2026, 4, 1) + timedelta(days=10 * i) for i, m in enumerate(MILESTONES)}
    ident = (
        e.handler(CQPCommands)
        .create(
            at(0),
            programme="Falcon",
            component="Receptacle",
            supplier_id=owner,
            criteria=[Criterion.NEW_SUPPLIER],
            milestone_plan=dates,
        )
        .id
    )
    e.handler(CQPCommands).evaluate(at(1), ident, True, "new supplier")
    return "cqp-plans", str(ident), ("evaluation", None), ("evaluation", {"accepted": True})


def ticket(e: Engine) -> tuple[str, str, Any, Any]:
    owner = e.handler(ClientCommands).register(at(-1), **client_fields(branch="SH-XUJIAHUI")).id
    opened = e.handler(TicketCommands).open(
        at(0),
        client_id=owner,
        type=TicketType.INQUIRY,
        priority=Priority.P3,
        channel=TicketChannel.PHONE,
        subject="statement",
        description="where is my statement",
    )
    agent = staff_account(e, "agent.wu")
    e.handler(TicketCommands).assign(at(1), opened.result.id, agent, None)
    return "tickets", str(opened.result.id), ("assignee", None), ("assignee", str(agent))


KINDS = [client, fund, supplier, plan, ticket]


@pytest.mark.parametrize("given", KINDS, ids=lambda f: f.__name__)
def test_as_of_shows_the_state_then_and_404_before_creation(
    api: Api, given: Callable[[Engine], tuple[str, str, Any, Any]]
) -> None:
    # Given an aggregate created on day 0 and changed on day 1
    kind, ref, (field, then), (_, later) = given(api.engine)
    path = f"/api/v1/{kind}/{ref}"
    # When it is read as of an instant between the two events, and after both
    between = api.call("GET", path, params={"as_of": BETWEEN.isoformat()})
    after = api.call("GET", path, params={"as_of": AFTER.isoformat()})
    # Then each shows the state of that instant, with its version
    assert between.status_code == 200, between.text
    assert between.json()["version"] == 1
    assert between.json()["state"].get(field) == then
    assert after.json()["version"] == 2
    shown = after.json()["state"][field]
    assert shown == later or {k: shown[k] for k in later} == later
    assert after.json()["kind"] == kind
    # And before creation it is a 404
    before = api.call("GET", path, params={"as_of": BEFORE.isoformat()})
    assert before.status_code == 404, before.text


def test_as_of_without_a_time_zone_is_a_422_naming_it(api: Api) -> None:
    _, ref, _, _ = client(api.engine)
    response = api.call("GET", f"/api/v1/clients/{ref}", params={"as_of": "2026-03-02T12:00:00"})
    assert invalid_fields(response) == ["query.as_of"]


def test_an_advisor_cannot_travel_to_a_ticket_of_another_branch(api: Api) -> None:
    # Given a ticket of branch SH-1 and an advisor of no branch
    _, ref, _, _ = ticket(api.engine)
    # When the advisor asks for it as of a past instant
    response = api.call(
        "GET", f"/api/v1/tickets/{ref}", "advisor", params={"as_of": AFTER.isoformat()}
    )
    # Then it is not found, as in the present
    assert response.status_code == 404


def test_history_lists_events_with_actor_correlation_and_masked_identity_number(
    api: Api,
) -> None:
    # Given a client registered and retiered over HTTP with a correlation id
    fields = client_fields()
    created = api.created(fields, role="advisor")
    tier = api.call(
        "POST",
        f"/api/v1/clients/{created['id']}/tier",
        "admin",
        json={"tier": "gold", "reason": "assets"},
        headers={"X-Correlation-Id": "case-77"},
    )
    assert tier.status_code == 200, tier.text
    # When compliance reads its history
    response = api.call("GET", f"/api/v1/clients/{created['id']}/history", "compliance")
    # Then every event is there with who, when, which request and which version
    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert [e["version"] for e in events] == [1, 2]
    assert [e["type"] for e in events] == ["Client.Registered", "Client.TierChanged"]
    assert [(e["actor"], e["actor_id"]) for e in events[:2]] == [
        ("advisor", str(api.users["advisor"])),
        ("admin", str(api.users["admin"])),
    ]
    assert events[1]["correlation_id"] == "case-77"
    assert events[1]["position"] == tier.json()["position"]
    # And the identity number shows only its last four characters
    assert events[0]["data"]["id_number"].endswith(fields["id_number"][-4:])
    assert fields["id_number"] not in response.text


def test_history_errors_roles_unknown_ids_and_wrong_kinds(api: Api) -> None:
    _, ref, _, _ = client(api.engine)
    _, code, _, _ = fund(api.engine)
    assert api.call("GET", f"/api/v1/funds/{code}/history", "compliance").status_code == 200
    # An agent may not read histories
    assert api.call("GET", f"/api/v1/clients/{ref}/history", "agent").status_code == 403
    # An unknown id, or a client's id asked for as a supplier, is a 404
    assert api.call("GET", f"/api/v1/clients/{uuid4()}/history").status_code == 404
    assert api.call("GET", f"/api/v1/suppliers/{ref}/history").status_code == 404
    # A malformed id is a 422 naming it, and an unknown kind a 422 too
    bad = api.call("GET", "/api/v1/clients/not-a-uuid/history")
    assert invalid_fields(bad) == ["id"]
    assert invalid_fields(api.call("GET", f"/api/v1/planets/{UUID(int=1)}/history")) == [
        "path.kind"
    ]
