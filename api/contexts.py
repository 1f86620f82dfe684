"""The list of bounded contexts: the engine, the app and the CLI are built from it."""

from __future__ import annotations

from api.clients.context import CONTEXT as CLIENTS
from api.compliance.context import CONTEXT as COMPLIANCE
from api.cqp.context import CONTEXT as CQP
from api.funds.context import CONTEXT as FUNDS
from api.service_desk.context import CONTEXT as SERVICE_DESK
from api.shared.context import BoundedContext
from api.staff.context import CONTEXT as STAFF
from api.suitability.context import CONTEXT as SUITABILITY
from api.suppliers.context import CONTEXT as SUPPLIERS

CONTEXTS: tuple[BoundedContext, ...] = (
    CLIENTS,
    STAFF,
    FUNDS,
    SUITABILITY,
    SERVICE_DESK,
    SUPPLIERS,
    CQP,
    COMPLIANCE,
)
