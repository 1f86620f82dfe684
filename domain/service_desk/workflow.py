"""A ticket's vocabulary and workflow: types, channels, statuses and the moves allowed
between them, the service layers it escalates through, and the refusals."""

from __future__ import annotations

from enum import StrEnum

from domain.shared.errors import Conflict


class TicketType(StrEnum):
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    SERVICE_REQUEST = "service_request"
    FAULT = "fault"
    FEEDBACK = "feedback"


class TicketChannel(StrEnum):
    PHONE = "phone"
    ONLINE = "online"
    MOBILE = "mobile"
    BRANCH = "branch"
    EMAIL = "email"


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    PENDING_CLIENT = "pending_client"
    RESOLVED = "resolved"
    CLOSED = "closed"


LAYERS = ("client_centre", "branch", "headquarters")


ALLOWED: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.IN_PROGRESS,),
    Status.IN_PROGRESS: (Status.PENDING_CLIENT, Status.RESOLVED),
    Status.PENDING_CLIENT: (Status.IN_PROGRESS,),
    Status.RESOLVED: (Status.CLOSED,),
    Status.CLOSED: (),
}


class IllegalTransition(Conflict):
    def __init__(self, current: Status, wanted: str) -> None:
        allowed = ", ".join(s.value for s in ALLOWED[current]) or "none (reopen it)"
        super().__init__(f"a {current.value} ticket cannot move to {wanted}; allowed: {allowed}")
        self.current = current


class TicketRuleBroken(Conflict):
    """A ticket command that the ticket's state does not allow."""
