"""A ticket row of the view: its columns, the ticket it describes (rebuilt from its state
to apply the domain's rules), its SLA clocks as of an instant, and how the API reads it."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.service_desk.sla import Pause, Priority, SlaPolicy, overall
from domain.service_desk.tickets import Ticket
from domain.service_desk.workflow import Status
from domain.shared.errors import InvalidField
from projections.service_desk.figures import bucket

OPEN_SQL = "status IN ('new', 'in_progress', 'pending_client')"


OPEN = (Status.NEW, Status.IN_PROGRESS, Status.PENDING_CLIENT)


COLUMNS = (
    "id",
    "number",
    "seq",
    "client_id",
    "branch",
    "type",
    "priority",
    "channel",
    "subject",
    "description",
    "status",
    "group_name",
    "assignee",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "pauses",
    "merged_into",
    "satisfaction",
    "breaches",
    "first_response_due_at",
    "resolution_due_at",
    "breach_at",
    "breach_check_at",
    "version",
    "first_response_hours",
    "resolution_hours",
    "first_response_met",
    "resolution_met",
    "tier",
)


FACTS = (
    "id",
    "created_at",
    "type",
    "priority",
    "branch",
    "group_name",
    "first_response_hours",
    "resolution_hours",
    "resolved",
    "attained",
    "satisfaction",
    "fr_bucket",
    "res_bucket",
)


# A breach already happened: sorts before every timestamp.
BREACHED = ""


def offset_of(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except ValueError:
        raise InvalidField("cursor", "not a cursor from this list") from None


def facts(row: dict[str, Any]) -> dict[str, Any]:
    """A ticket row's facts for the statistics (the columns of ``FACTS``)."""
    resolved = row["resolved_at"] is not None
    attained = resolved and row["first_response_met"] == 1 and row["resolution_met"] == 1
    return {
        "id": row["id"],
        "created_at": row["created_at"],
        "type": row["type"],
        "priority": row["priority"],
        "branch": row["branch"],
        "group_name": row["group_name"],
        "first_response_hours": row["first_response_hours"],
        "resolution_hours": row["resolution_hours"],
        "resolved": int(resolved),
        "attained": int(attained),
        "satisfaction": row["satisfaction"],
        "fr_bucket": bucket(row["first_response_hours"]),
        "res_bucket": bucket(row["resolution_hours"]),
    }


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def ticket_of(row: dict[str, Any]) -> Ticket:
    """The ticket a stored row describes, rebuilt from its state to apply the domain's rules."""
    return _restore(row, row["group_name"], json.loads(row["pauses"]), json.loads(row["breaches"]))


def _restore(
    row: dict[str, Any], group: str, pauses: list[dict[str, Any]], breaches: list[str]
) -> Ticket:
    state = Ticket.State.model_construct(
        created_on=datetime.fromisoformat(row["created_at"]),
        modified_on=datetime.fromisoformat(row["updated_at"]),
        number=row["number"],
        branch=row["branch"],
        tier=row["tier"],
        status=Status(row["status"]),
        priority=Priority(row["priority"]),
        group=group,
        assignee=row["assignee"],
        first_responded_at=moment(row["first_responded_at"]),
        resolved_at=moment(row["resolved_at"]),
        closed_at=moment(row["closed_at"]),
        pauses=[Pause.model_validate(p) for p in pauses],
        breaches=breaches,
        rated=row["satisfaction"] is not None,
        merged_into=UUID(row["merged_into"]) if row["merged_into"] else None,
    )
    return Ticket.restore(UUID(row["id"]), row["version"], state)


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def public(row: dict[str, Any]) -> dict[str, Any]:
    ticket = dict(row)
    ticket["group"] = ticket.pop("group_name")
    ticket["pauses"] = json.loads(ticket["pauses"])
    ticket["breaches"] = json.loads(ticket["breaches"])
    return ticket


def sla_as_of(
    ticket: dict[str, Any], policy: SlaPolicy, now: datetime
) -> tuple[dict[str, Any], str]:
    """Both SLA clocks of a ticket (as ``get`` and ``queue`` give it) as of ``now``, and
    the ticket's state of them: the domain's rules, on the ticket the row describes."""
    clocks = restored(ticket).clocks(policy, now)
    return {kind: c.model_dump(mode="json") for kind, c in clocks.items()}, overall(clocks.values())


def restored(ticket: dict[str, Any]) -> Ticket:
    """The ticket a row as ``get`` and ``queue`` give it describes (the domain's rules apply
    to it: its clocks, what it offers)."""
    return _restore(ticket, ticket["group"], ticket["pauses"], ticket["breaches"])
