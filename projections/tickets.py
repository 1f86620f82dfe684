"""Ticket views: the queue with SLA due times, each ticket's history, and comments."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from adapters.sql import Tx, ViewDatabase
from domain.sla import Pause, Priority, SlaPolicy, clock
from domain.tickets import BREACH_KINDS, Status, Ticket
from projections.base import View


class TicketsView(View):
    name = "tickets"
    schema_version = 5
    tables: ClassVar[dict[str, list[str]]] = {
        "view_tickets": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, number TEXT NOT NULL, seq BIGINT NOT NULL, "
            "client_id TEXT, branch TEXT, type TEXT NOT NULL, priority TEXT NOT NULL, "
            "channel TEXT NOT NULL, subject TEXT NOT NULL, description TEXT NOT NULL, "
            "status TEXT NOT NULL, group_name TEXT NOT NULL, assignee TEXT, "
            "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, first_responded_at TEXT, "
            "resolved_at TEXT, closed_at TEXT, pauses TEXT NOT NULL, merged_into TEXT, "
            "satisfaction INTEGER, breaches TEXT NOT NULL, first_response_due_at TEXT, "
            "resolution_due_at TEXT, version INTEGER NOT NULL, first_response_hours REAL, "
            "resolution_hours REAL, first_response_met INTEGER, resolution_met INTEGER)",
            "CREATE UNIQUE INDEX {ix}_number ON {t} (number)",
            "CREATE INDEX {ix}_status ON {t} (status, priority, created_at, number)",
            "CREATE INDEX {ix}_client ON {t} (client_id, status)",
            "CREATE INDEX {ix}_created ON {t} (created_at)",
            "CREATE INDEX {ix}_due ON {t} (resolution_due_at)",
            "CREATE INDEX {ix}_open ON {t} (priority, created_at, number) "
            "WHERE status IN ('new', 'in_progress', 'pending_client')",
            "CREATE INDEX {ix}_updated ON {t} (updated_at)",
        ],
        "view_ticket_comments": [
            "CREATE TABLE {t} (comment_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, "
            "linked_to TEXT, position BIGINT NOT NULL, body TEXT NOT NULL, "
            "public INTEGER NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL)",
            "CREATE INDEX {ix}_ticket ON {t} (ticket_id, position)",
            "CREATE INDEX {ix}_linked ON {t} (linked_to, position)",
        ],
        "view_ticket_history": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, ticket_id TEXT NOT NULL, "
            "event TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, "
            "correlation_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL)",
            "CREATE INDEX {ix}_ticket ON {t} (ticket_id, position)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Ticket.Opened: "opened",
        Ticket.Assigned: "changed",
        Ticket.Commented: "changed",
        Ticket.StatusChanged: "changed",
        Ticket.Reopened: "changed",
        Ticket.PriorityChanged: "changed",
        Ticket.Escalated: "changed",
        Ticket.BreachRecorded: "changed",
        Ticket.MergedInto: "changed",
        Ticket.MergeReceived: "changed",
        Ticket.SatisfactionRated: "changed",
    }

    def __init__(self, suffix: str = "", policy: SlaPolicy | None = None) -> None:
        super().__init__(suffix)
        self.policy = policy or SlaPolicy()

    def opened(self, tx: Tx, e: Ticket.Opened, position: int) -> None:
        at = e.timestamp.isoformat()
        tx.execute(
            f"INSERT INTO {self.t('view_tickets')} (id, number, seq, client_id, branch, type, "
            "priority, channel, subject, description, status, group_name, created_at, "
            "updated_at, pauses, breaches, first_response_due_at, resolution_due_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, '[]', '[]', ?, ?, ?)",
            (
                str(e.originator_id),
                e.number,
                position,
                str(e.client_id) if e.client_id else None,
                e.branch,
                e.type.value,
                e.priority.value,
                e.channel.value,
                e.subject,
                e.description,
                e.group,
                at,
                at,
                e.first_response_due_at.isoformat(),
                e.resolution_due_at.isoformat(),
                e.originator_version,
            ),
        )
        self._history(tx, e, position)

    def changed(self, tx: Tx, e: Any, position: int) -> None:
        """Replay the event on the row's ticket state, then store the result."""
        [row] = tx.query(
            f"SELECT * FROM {self.t('view_tickets')} WHERE id = ?", (str(e.originator_id),)
        )
        ticket = _ticket(row)
        e.mutate(ticket)
        sets: dict[str, Any] = {
            "status": ticket.status.value,
            "priority": ticket.priority.value,
            "group_name": ticket.group,
            "assignee": ticket.assignee,
            "first_responded_at": _iso(ticket.first_responded_at),
            "resolved_at": _iso(ticket.resolved_at),
            "closed_at": _iso(ticket.closed_at),
            "pauses": json.dumps([p.model_dump(mode="json") for p in ticket.pauses]),
            "breaches": json.dumps(ticket.breaches),
            "merged_into": str(ticket.merged_into) if ticket.merged_into else None,
            "updated_at": e.timestamp.isoformat(),
            "version": e.originator_version,
        }
        created = ticket.created_on
        for kind, stop in (
            ("first_response", ticket.first_responded_at),
            ("resolution", ticket.resolved_at),
        ):
            state = ticket.clock(kind, self.policy, e.timestamp)
            sets[f"{kind}_due_at"] = _iso(state.due_at)
            # A stopped clock no longer depends on the time: keep its outcome for the stats.
            sets[f"{kind}_hours"] = (stop - created).total_seconds() / 3600 if stop else None
            sets[f"{kind}_met"] = int(state.state == "met") if stop else None
        if isinstance(e, Ticket.SatisfactionRated):
            sets["satisfaction"] = e.score
        tx.execute(
            f"UPDATE {self.t('view_tickets')} SET "
            f"{', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
            (*sets.values(), str(e.originator_id)),
        )
        if isinstance(e, Ticket.Commented):
            tx.execute(
                f"INSERT INTO {self.t('view_ticket_comments')} (comment_id, ticket_id, "
                "position, body, public, author, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    str(e.comment_id),
                    str(e.originator_id),
                    position,
                    e.body,
                    int(e.public),
                    e.meta.actor,
                    e.timestamp.isoformat(),
                ),
            )
        if isinstance(e, Ticket.MergedInto):
            tx.execute(
                f"UPDATE {self.t('view_ticket_comments')} SET linked_to = ? WHERE ticket_id = ?",
                (str(e.into_id), str(e.originator_id)),
            )
        self._history(tx, e, position)

    def _history(self, tx: Tx, e: Any, position: int) -> None:
        data = e.model_dump(
            mode="json",
            exclude={
                "originator_id",
                "originator_version",
                "timestamp",
                "meta",
                "originator_topic",
            },
        )
        tx.execute(
            f"INSERT INTO {self.t('view_ticket_history')} (position, ticket_id, event, actor, "
            "at, correlation_id, version, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                str(e.originator_id),
                type(e).__name__,
                e.meta.actor,
                e.timestamp.isoformat(),
                e.meta.correlation_id,
                e.originator_version,
                json.dumps(data),
            ),
        )

    # -- reads ------------------------------------------------------------------------

    def get(self, db: ViewDatabase, ticket_id: UUID) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tickets')} WHERE id = ?", (str(ticket_id),)
            )
            if not rows:
                return None
            comments = tx.query(
                f"SELECT * FROM {self.t('view_ticket_comments')} WHERE ticket_id = ? "
                "OR linked_to = ? ORDER BY position",
                (str(ticket_id), str(ticket_id)),
            )
            history = tx.query(
                f"SELECT * FROM {self.t('view_ticket_history')} "
                "WHERE ticket_id = ? ORDER BY position",
                (str(ticket_id),),
            )
        ticket = _public(rows[0])
        ticket["comments"] = [
            {
                **c,
                "public": bool(c["public"]),
                "from_ticket": c["ticket_id"] if c["ticket_id"] != str(ticket_id) else None,
            }
            for c in comments
        ]
        ticket["history"] = [{**h, "data": json.loads(h["data"])} for h in history]
        return ticket

    def queue(
        self,
        db: ViewDatabase,
        filters: dict[str, Any],
        sort: str,
        limit: int,
        cursor: str | None,
        now: datetime,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Tickets filtered and sorted; the cursor is the offset of the next page."""
        where, params = ["1 = 1"], []
        for column in ("status", "type", "priority", "assignee", "client_id", "branch"):
            if filters.get(column) is not None:
                where.append(f"{column} = ?")
                params.append(str(filters[column]))
        if filters.get("group") is not None:
            where.append("group_name = ?")
            params.append(filters["group"])
        if filters.get("breached") is not None:
            # Only open tickets can be in breach: the status index narrows the scan.
            overdue = (
                "status IN ('new', 'in_progress', 'pending_client') AND (CASE WHEN "
                "breaches <> '[]' OR (first_responded_at IS NULL AND first_response_due_at <= ?) "
                "OR resolution_due_at <= ? THEN 1 ELSE 0 END) = 1"
            )
            where.append(overdue if filters["breached"] else f"NOT ({overdue})")
            params += [now.isoformat(), now.isoformat()]
        order = {
            "priority": "priority ASC, created_at ASC",
            "due": "resolution_due_at ASC NULLS LAST, priority ASC",
            "created": "created_at DESC",
            "updated": "updated_at DESC",
        }[sort]
        offset = _offset(cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tickets')} WHERE "
                f"{' AND '.join(where)} ORDER BY {order}, number LIMIT ? OFFSET ?",
                (*params, limit + 1, offset),
            )
        more = len(rows) > limit
        next_cursor = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return [_public(r) for r in rows[:limit]], next_cursor if more else None

    def open_for_client(self, db: ViewDatabase, client_id: UUID) -> list[dict[str, Any]]:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tickets')} WHERE client_id = ? AND "
                "status NOT IN ('resolved', 'closed') ORDER BY created_at",
                (str(client_id),),
            )
        return [_public(r) for r in rows]


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except ValueError:
        raise ValueError("cursor") from None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _ticket(row: dict[str, Any]) -> Ticket:
    """The ticket state the row holds, to apply one more event to."""
    ticket = object.__new__(Ticket)
    ticket.__base_init__(UUID(row["id"]), row["version"], datetime.fromisoformat(row["created_at"]))
    ticket.number, ticket.status = row["number"], Status(row["status"])
    ticket.branch = row["branch"]
    ticket.priority, ticket.group = Priority(row["priority"]), row["group_name"]
    ticket.assignee = row["assignee"]
    ticket.first_responded_at = _dt(row["first_responded_at"])
    ticket.resolved_at, ticket.closed_at = _dt(row["resolved_at"]), _dt(row["closed_at"])
    ticket.pauses = [Pause.model_validate(p) for p in json.loads(row["pauses"])]
    ticket.breaches = json.loads(row["breaches"])
    ticket.rated = row["satisfaction"] is not None
    ticket.merged_into = UUID(row["merged_into"]) if row["merged_into"] else None
    return ticket


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _public(row: dict[str, Any]) -> dict[str, Any]:
    ticket = dict(row)
    ticket["group"] = ticket.pop("group_name")
    ticket["pauses"] = json.loads(ticket["pauses"])
    ticket["breaches"] = json.loads(ticket["breaches"])
    return ticket


def sla(row: dict[str, Any], policy: SlaPolicy, now: datetime) -> dict[str, Any]:
    """Both clocks of a ticket row as of ``now``."""
    created = datetime.fromisoformat(row["created_at"])
    pauses = [Pause.model_validate(p) for p in row["pauses"]]
    stops = {"first_response": row["first_responded_at"], "resolution": row["resolved_at"]}
    return {
        kind: clock(
            policy,
            kind,
            Priority(row["priority"]),
            row["group"],
            created,
            pauses,
            _dt(stops[kind]),
            now,
        ).model_dump(mode="json")
        for kind in BREACH_KINDS
    }


def ticket_state(row: dict[str, Any], policy: SlaPolicy, now: datetime) -> str:
    """``ok``, ``at_risk`` or ``breached`` across both clocks (the worst of them)."""
    clocks = sla(row, policy, now)
    states = {c["state"] for c in clocks.values()}
    if states & {"breached", "missed"}:
        return "breached"
    return "at_risk" if "at_risk" in states else "ok"
