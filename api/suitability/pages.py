"""The console's purchase pages: the funds suitable for a client, a purchase decided at
once, the warning the client confirms by a deliberate act (the exact text shown, the
channel recorded), and the printable warning to sign."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.clients import check_client
from api.shared.console.desk import Desk, staff
from api.shared.console.forms import Refusal, fields, read, refused
from api.shared.deps import branch_scope
from api.staff import People
from api.suitability.routes import suitable
from api.suitability.schemas import PurchaseCreate
from application.suitability.purchases import PurchaseCommands
from domain.clients import Client
from domain.shared.errors import InvalidField, NotFound
from domain.staff import Role
from domain.suitability.purchases import ConfirmationChannel
from projections.clients import ClientsView
from projections.funds import FundsView
from projections.suitability.views import PurchasesView, status_as_of

router = APIRouter(include_in_schema=False)
READS = (PurchasesView, ClientsView, FundsView)
Readers = Annotated[
    Desk, Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT, Role.COMPLIANCE, reads=READS))
]
Advisors = Annotated[Desk, Depends(staff(Role.ADMIN, Role.ADVISOR, reads=READS))]
Service = Annotated[Desk, Depends(staff(Role.ADMIN, Role.ADVISOR, Role.AGENT))]


@router.get("/clients/{client_id}/funds")
def suitable_funds(desk: Readers, client_id: UUID) -> Response:
    """The funds that match the client on risk, horizon and variety."""
    client = check_client(desk.engine, desk.me, client_id)
    funds = suitable(client_id, desk.engine, desk.engine.clock())
    return desk.page("suitability/funds.html", client=client, funds=funds)


@router.get("/clients/{client_id}/purchase")
def purchase_form(desk: Advisors, client_id: UUID, fund: str = "") -> Response:
    client = check_client(desk.engine, desk.me, client_id)
    return desk.page(
        "suitability/new.html", client=client, values={"fund_code": fund[:6]}, errors={}
    )


@router.post("/clients/{client_id}/purchase")
async def request_purchase(desk: Advisors, client_id: UUID) -> Response:
    """Request the purchase: the decision shows on the purchase's page at once."""
    client = check_client(desk.engine, desk.me, client_id)
    form = await desk.request.form()
    values = fields(form)
    try:
        body = read(PurchaseCreate, values)
        taken = desk.engine.handler(PurchaseCommands).request(
            desk.context(),
            client_id,
            body.fund_code,
            body.amount,
            desk.once(form),
        )
    except (Refusal, InvalidField, NotFound) as e:
        errors = (
            e.errors
            if isinstance(e, Refusal)
            else refused(e)
            if isinstance(e, InvalidField)
            else {"fund_code": "unknown"}
        )
        return desk.page("suitability/new.html", 422, client=client, values=values, errors=errors)
    return desk.redirect(f"/purchases/{taken.result.id}", taken.result.position)


def _purchase(desk: Desk, purchase_id: UUID) -> dict[str, Any]:
    """A purchase in the reader's scope, as of now (one waiting past its deadline lapsed)."""
    engine = desk.engine
    row = engine.view(PurchasesView).get(engine.db, purchase_id)
    if row is None or branch_scope(desk.me) not in (None, row["branch"]):
        raise NotFound(f"purchase {purchase_id} not found")
    row = People.of(engine).one(row, "requested_by", "confirmed_by")
    now = engine.clock()
    left = (datetime.fromisoformat(row["confirm_by"]) - now).total_seconds()
    return {**row, "status": status_as_of(row, now), "left": left}


@router.get("/purchases/{purchase_id}")
def purchase_page(desk: Readers, purchase_id: UUID) -> Response:
    """The decision: accepted; blocked with the reason; or the warning to confirm."""
    return _purchase_page(desk, purchase_id, "suitability/purchase.html")


@router.get("/purchases/{purchase_id}/print")
def printable(desk: Readers, purchase_id: UUID) -> Response:
    """The warning and its confirmation with the decision's inputs, for the client to sign."""
    return _purchase_page(desk, purchase_id, "suitability/print.html")


def _purchase_page(desk: Desk, purchase_id: UUID, template: str, **more: Any) -> Response:
    purchase = _purchase(desk, purchase_id)
    engine = desk.engine
    client = engine.handler(PurchaseCommands).load(Client, UUID(purchase["client_id"]))
    fund = engine.view(FundsView).get(engine.db, purchase["fund_code"])
    return desk.page(
        template,
        more.pop("status", 200),
        purchase=purchase,
        client=client,
        fund=fund,
        channels=list(ConfirmationChannel),
        may_confirm=desk.role in (Role.ADMIN, Role.ADVISOR, Role.AGENT),
        errors=more.pop("errors", {}),
        **more,
    )


@router.post("/purchases/{purchase_id}/confirm")
async def confirm(desk: Service, purchase_id: UUID) -> Response:
    """Record the client's confirmation: the page sends the exact warning it showed."""
    purchase = _purchase(desk, purchase_id)
    form = await desk.request.form()
    errors: dict[str, str] = {}
    if form.get("read") != "yes":
        errors["read"] = "required"
    channel = str(form.get("channel", ""))
    if channel not in tuple(ConfirmationChannel):
        errors["channel"] = "required"
    if not errors:
        try:
            done = desk.engine.handler(PurchaseCommands).confirm(
                desk.context(),
                purchase_id,
                # Browsers send a form's line breaks as CRLF; the warning has LF.
                str(form.get("acknowledgement", "")).replace("\r\n", "\n"),
                ConfirmationChannel(channel),
                desk.once(form),
            )
        except InvalidField as e:
            errors = refused(e)
        else:
            return desk.redirect(f"/purchases/{purchase_id}", done.position)
    page = "suitability/purchase.html"
    return _purchase_page(desk, UUID(purchase["id"]), page, status=422, errors=errors)


@router.post("/purchases/{purchase_id}/cancel")
async def cancel(desk: Service, purchase_id: UUID) -> Response:
    _purchase(desk, purchase_id)
    form = await desk.request.form()
    reason = str(form.get("reason", "")).strip() or "cancelled at the client's request"
    done = desk.engine.handler(PurchaseCommands).cancel(
        desk.context(),
        purchase_id,
        reason,
        desk.once(form),
    )
    return desk.redirect(f"/purchases/{purchase_id}", done.position)
