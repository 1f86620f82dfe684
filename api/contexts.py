"""The composition root: the list of bounded contexts, and the engine built from it (the
app and the CLI take theirs from here)."""

from __future__ import annotations

from adapters.shared.clock import Clock, system_clock
from adapters.shared.settings import Settings
from api.clients.context import CONTEXT as CLIENTS
from api.compliance.context import CONTEXT as COMPLIANCE
from api.cqp.context import CONTEXT as CQP
from api.engine import Engine
from api.funds.context import CONTEXT as FUNDS
from api.holdings.context import CONTEXT as HOLDINGS
from api.inbox.context import CONTEXT as INBOX
from api.knowledge.context import CONTEXT as KNOWLEDGE
from api.service_desk.context import CONTEXT as SERVICE_DESK
from api.shared.context import BoundedContext
from api.staff.context import CONTEXT as STAFF
from api.suitability.context import CONTEXT as SUITABILITY
from api.suppliers.context import CONTEXT as SUPPLIERS

CONTEXTS: tuple[BoundedContext, ...] = (
    CLIENTS,
    STAFF,
    FUNDS,
    HOLDINGS,
    SUITABILITY,
    SERVICE_DESK,
    SUPPLIERS,
    CQP,
    COMPLIANCE,
    INBOX,
    KNOWLEDGE,
)


def build_engine(settings: Settings, clock: Clock = system_clock) -> Engine:
    """The engine of every context, as the settings configure it."""
    return Engine(settings, CONTEXTS, clock)
