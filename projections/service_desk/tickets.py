"""Ticket views: the queue with SLA due times, each ticket's history, and comments.

A batch of events is applied in memory: the tickets it touches are read in one query, each
event is replayed on its ticket's state, and each touched row is written once at the end.
A narrow row per ticket (``view_ticket_facts``) carries what the statistics aggregate, and
each flush moves the statistics' per-day sums and per-month histograms (``figures.py``) by
what the touched tickets changed. A batch far behind the head (a catch-up, a rebuild) leaves
the statistics for once caught up, when they are counted again from the facts in one pass
(``settle``); until then ``view_ticket_deferred`` says so and the statistics are read from
the facts alone.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, cast
from uuid import UUID

from adapters.shared.settings import Settings
from adapters.shared.sql import Tx, ViewDatabase
from domain.clients import Client
from domain.service_desk.sla import Priority, SlaPolicy, overall
from domain.service_desk.tickets import Ticket
from domain.service_desk.workflow import Status
from domain.shared.base import ERASED
from projections.service_desk.figures import KINDS, SUMS, add
from projections.service_desk.rows import (
    BREACHED,
    COLUMNS,
    FACTS,
    OPEN,
    OPEN_SQL,
    facts,
    iso,
    offset_of,
    public,
    ticket_of,
)
from projections.shared.base import View, rows_by_id


def erased_entry(data: dict[str, Any]) -> dict[str, Any]:
    """A history entry with what the client wrote read as erased."""
    return {k: ERASED if k in ("subject", "description", "body") else v for k, v in data.items()}


@dataclass
class _Batch:
    """The rows a batch touches, and the tickets the batch's events replay on (each
    restored from its row once; its row brought up to date before a flush)."""

    tx: Tx
    rows: dict[str, dict[str, Any]]
    tickets: dict[str, Ticket] = field(default_factory=dict)
    # The batch's new tickets not replayed on yet: the first change makes each from its
    # event (cheaper than from its row, as it is before any change).
    opened: dict[str, Ticket.Opened] = field(default_factory=dict)
    # The tickets changed since their rows were last brought up to date: the time and
    # version of each one's latest event.
    behind: dict[str, tuple[datetime, int]] = field(default_factory=dict)
    # Each row's facts as the statistics last counted them: a flush takes them back and
    # adds the new ones.
    counted: dict[str, dict[str, Any]] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
    comments: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[Any, ...]] = field(default_factory=list)
    count: bool = True  # False in bulk: the statistics are counted again when settled

    def written(self) -> None:
        """What was pending is in the tables now."""
        self.new, self.dirty, self.comments, self.history = set(), set(), [], []


OPEN_COVER = (
    "status, assignee, group_name, priority, breach_at, first_responded_at, resolution_due_at, "
    "number, created_at, updated_at, branch, type, channel, client_id"
)
FACT_FIGURES = (
    "type, priority, group_name, first_response_hours, resolution_hours, resolved, attained, "
    "satisfaction"
)


HISTORY = ("position", "ticket_id", "event", "actor", "at", "correlation_id", "version", "data")


def _replacing(columns: Sequence[str]) -> str:
    """An insert's clause that writes a row over the one of the same id."""
    return "ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns[1:])


class TicketsView(View):
    name = "tickets"
    schema_version = 12  # 12: the statistics may be deferred in bulk
    defers = True
    late_indexes = True
    # What an erasure and a merge look up (a rebuild makes the other indexes at its end).
    write_indexes = frozenset(
        {"view_tickets:client", "view_ticket_comments:ticket", "view_ticket_history:ticket"}
    )
    tables: ClassVar[dict[str, list[str]]] = {
        "view_tickets": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, number TEXT NOT NULL, seq BIGINT NOT NULL, "
            "client_id TEXT, branch TEXT, type TEXT NOT NULL, priority TEXT NOT NULL, "
            "channel TEXT NOT NULL, subject TEXT NOT NULL, description TEXT NOT NULL, "
            "status TEXT NOT NULL, group_name TEXT NOT NULL, assignee TEXT, "
            "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, first_responded_at TEXT, "
            "resolved_at TEXT, closed_at TEXT, pauses TEXT NOT NULL, merged_into TEXT, "
            "satisfaction INTEGER, breaches TEXT NOT NULL, first_response_due_at TEXT, "
            "resolution_due_at TEXT, breach_at TEXT, breach_check_at TEXT, "
            "version INTEGER NOT NULL, first_response_hours DOUBLE PRECISION, "
            "resolution_hours DOUBLE PRECISION, first_response_met INTEGER, "
            "resolution_met INTEGER, tier TEXT)",
            "CREATE UNIQUE INDEX {ix}_number ON {t} (number)",
            "CREATE INDEX {ix}_status ON {t} (status, priority, created_at, number)",
            "CREATE INDEX {ix}_client ON {t} (client_id, status)",
            "CREATE INDEX {ix}_created ON {t} (created_at)",
            "CREATE INDEX {ix}_due ON {t} (resolution_due_at)",
            f"CREATE INDEX {{ix}}_open ON {{t}} (priority, created_at, number) WHERE {OPEN_SQL}",
            # Covering the open tickets' filters and sorts: the queue's views and counts
            # read the index alone, then the one page of rows they show.
            f"CREATE INDEX {{ix}}_open_cover ON {{t}} ({OPEN_COVER}) WHERE {OPEN_SQL}",
            f"CREATE INDEX {{ix}}_breach ON {{t}} (breach_at) WHERE {OPEN_SQL}",
            f"CREATE INDEX {{ix}}_check ON {{t}} (breach_check_at) WHERE {OPEN_SQL}",
            "CREATE INDEX {ix}_updated ON {t} (updated_at)",
        ],
        "view_ticket_facts": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
            "type TEXT NOT NULL, priority TEXT NOT NULL, branch TEXT, group_name TEXT NOT NULL, "
            "first_response_hours DOUBLE PRECISION, resolution_hours DOUBLE PRECISION, "
            "resolved INTEGER NOT NULL, attained INTEGER NOT NULL, satisfaction INTEGER, "
            "fr_bucket INTEGER, res_bucket INTEGER)",
            # Covering: the statistics read a period's edges (the part days or months
            # do not cover) from the index alone.
            f"CREATE INDEX {{ix}}_created ON {{t}} (created_at, branch, {FACT_FIGURES}, "
            "fr_bucket, res_bucket)",
            # Covering: the exact percentile, from the one bucket that holds its rank.
            *(
                f"CREATE INDEX {{ix}}_{kind} ON {{t}} ({kind}_bucket, created_at, branch, "
                f"type, priority, group_name, {column})"
                for kind, column in KINDS.items()
            ),
        ],
        # The statistics' sums per cell (figures.py) and UTC day, and how many times fall
        # in each bucket per cell and UTC month.
        "view_ticket_days": [
            "CREATE TABLE {t} (dim TEXT NOT NULL, branch TEXT NOT NULL, day TEXT NOT NULL, "
            "key TEXT NOT NULL, "
            + ", ".join(f"{s} BIGINT NOT NULL" for s in SUMS)
            + ", PRIMARY KEY (dim, branch, day, key))",
        ],
        "view_ticket_spread": [
            "CREATE TABLE {t} (kind TEXT NOT NULL, dim TEXT NOT NULL, branch TEXT NOT NULL, "
            "month TEXT NOT NULL, key TEXT NOT NULL, bucket INTEGER NOT NULL, "
            "n BIGINT NOT NULL, PRIMARY KEY (kind, dim, branch, month, key, bucket))",
        ],
        # A row while the two above are left to count again from the facts (``settle``).
        "view_ticket_deferred": ["CREATE TABLE {t} (what TEXT PRIMARY KEY)"],
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
    # The handlers take the batch that ``apply`` passes, not a transaction.
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
        Ticket.ArticleLinked: "changed",
        Ticket.MacroApplied: "changed",
        Client.PersonalDataErased: "client_erased",
    }

    def __init__(self, suffix: str = "", policy: SlaPolicy | None = None) -> None:
        super().__init__(suffix)
        self.policy = policy or SlaPolicy()

    @classmethod
    def configured(cls, settings: Settings) -> TicketsView:
        return cls(policy=settings.sla_policy)

    def with_suffix(self, suffix: str) -> TicketsView:
        return TicketsView(suffix, self.policy)

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        self._apply(tx, batch, count=True)

    def apply_bulk(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """The batch without moving the statistics: each cell would move at nearly every
        batch (a ticket counts in 8 day cells and up to 16 histogram buckets, and a changed
        one is taken out of its old ones too), so counting them once from the facts when
        settled costs a fraction of it."""
        tx.execute(
            f"INSERT INTO {self.t('view_ticket_deferred')} (what) VALUES ('statistics') "
            "ON CONFLICT (what) DO NOTHING"
        )
        self._apply(tx, batch, count=False)

    def settle(self, tx: Tx) -> None:
        """The statistics counted again from every ticket's facts, if a bulk left them."""
        if not self.deferred(tx):
            return
        tx.execute(f"DELETE FROM {self.t('view_ticket_days')}")
        tx.execute(f"DELETE FROM {self.t('view_ticket_spread')}")
        days: dict[tuple[str, str, str, str], list[int]] = {}
        spread: dict[tuple[str, str, str, str, str, int], int] = {}
        last = ""
        while True:  # a page at a time: the cells are few, the tickets many
            page = tx.query(
                f"SELECT {', '.join(FACTS)} FROM {self.t('view_ticket_facts')} "
                "WHERE id > ? ORDER BY id LIMIT 10000",
                (last,),
            )
            if not page:
                break
            for fact in page:
                add(days, spread, fact, 1)
            last = page[-1]["id"]
        self._write_counts(tx, days, spread, fresh=True)
        tx.execute(f"DELETE FROM {self.t('view_ticket_deferred')}")

    def deferred(self, tx: Tx) -> bool:
        """Whether the statistics wait for ``settle`` (read them from the facts)."""
        return bool(tx.query(f"SELECT what FROM {self.t('view_ticket_deferred')}"))

    def _apply(self, tx: Tx, batch: Sequence[tuple[Any, int]], count: bool) -> None:
        ids = sorted({str(e.originator_id) for e, _ in batch if not isinstance(e, Ticket.Opened)})
        rows = rows_by_id(tx, self.t("view_tickets"), ids)
        work = _Batch(tx, rows, counted={i: facts(row) for i, row in rows.items()}, count=count)
        for event, position in batch:
            getattr(self, self.handlers[type(event)])(work, event, position)
        self._flush(work)

    def handle(self, tx: Tx, event: Any, position: int) -> None:
        self.apply(tx, [(event, position)])

    def opened(self, work: _Batch, e: Ticket.Opened, position: int) -> None:
        at = e.timestamp.isoformat()
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            id=str(e.originator_id),
            number=e.number,
            seq=position,
            client_id=str(e.client_id) if e.client_id else None,
            branch=e.branch,
            tier=e.tier,
            type=e.type.value,
            priority=e.priority.value,
            channel=e.channel.value,
            subject=e.subject,
            description=e.description,
            status=Status.NEW.value,
            group_name=e.group,
            created_at=at,
            updated_at=at,
            pauses="[]",
            breaches="[]",
            first_response_due_at=e.first_response_due_at.isoformat(),
            resolution_due_at=e.resolution_due_at.isoformat(),
            breach_at=min(e.first_response_due_at, e.resolution_due_at).isoformat(),
            breach_check_at=min(e.first_response_due_at, e.resolution_due_at).isoformat(),
            version=e.originator_version,
        )
        work.rows[row["id"]] = row
        work.new.add(row["id"])
        work.opened[row["id"]] = e
        self._history(work, e, position)

    def changed(self, work: _Batch, e: Any, position: int) -> None:
        """Replay the event on the ticket's state; its row follows before the flush."""
        ticket_id = str(e.originator_id)
        ticket = work.tickets.get(ticket_id)
        if ticket is None:
            opened = work.opened.pop(ticket_id, None)
            ticket = work.tickets[ticket_id] = (
                cast(Ticket, opened.mutate(None)) if opened else ticket_of(work.rows[ticket_id])
            )
        e.mutate(ticket)
        work.behind[ticket_id] = (e.timestamp, e.originator_version)
        if isinstance(e, Ticket.SatisfactionRated):
            work.rows[ticket_id]["satisfaction"] = e.score
        work.dirty.add(ticket_id)
        self._comments(work, e, ticket_id, position)
        self._history(work, e, position)

    def _catch_up_rows(self, work: _Batch) -> None:
        """Each changed ticket's row as its state stands after its latest event (the
        clocks as of that event's time, as if each event had written the row)."""
        for ticket_id, (at, version) in work.behind.items():
            ticket, row = work.tickets[ticket_id], work.rows[ticket_id]
            row.update(
                status=ticket.status.value,
                priority=ticket.priority.value,
                group_name=ticket.group,
                assignee=ticket.assignee,
                first_responded_at=iso(ticket.first_responded_at),
                resolved_at=iso(ticket.resolved_at),
                closed_at=iso(ticket.closed_at),
                pauses=json.dumps([p.model_dump(mode="json") for p in ticket.pauses]),
                breaches=json.dumps(ticket.breaches),
                merged_into=str(ticket.merged_into) if ticket.merged_into else None,
                updated_at=at.isoformat(),
                version=version,
            )
            self._clocks(row, ticket, at)
        work.behind = {}

    def _clocks(self, row: dict[str, Any], ticket: Ticket, at: datetime) -> None:
        """The row's due times, the stopped clocks' outcomes (for the statistics), when the
        ticket is (or will be, if nothing changes) in breach, and when the scheduler next
        has a breach to record."""
        created, dues, unrecorded = ticket.created_on, [], []
        clocks = ticket.clocks(self.policy, at)
        for kind, stop in (
            ("first_response", ticket.first_responded_at),
            ("resolution", ticket.resolved_at),
        ):
            state = clocks[kind]
            row[f"{kind}_due_at"] = iso(state.due_at)
            # A stopped clock no longer depends on the time: keep its outcome for the stats.
            row[f"{kind}_hours"] = (stop - created).total_seconds() / 3600 if stop else None
            row[f"{kind}_met"] = int(state.state == "met") if stop else None
            if stop is None and state.due_at is not None:
                dues.append(state.due_at)
                if kind not in ticket.breaches:
                    unrecorded.append(state.due_at)
        breached = bool(ticket.breaches) or overall(clocks.values()) == "breached"
        is_open = ticket.status in OPEN
        row["breach_at"] = (
            None if not is_open else BREACHED if breached else iso(min(dues, default=None))
        )
        row["breach_check_at"] = iso(min(unrecorded, default=None)) if is_open else None

    def _comments(self, work: _Batch, e: Any, ticket_id: str, position: int) -> None:
        """A comment's row; a merge links the merged ticket's comments to the target."""
        if isinstance(e, Ticket.Commented | Ticket.MacroApplied):
            work.comments.append(
                {
                    "comment_id": str(e.comment_id),
                    "ticket_id": ticket_id,
                    "linked_to": None,
                    "position": position,
                    "body": e.body,
                    "public": int(e.public),
                    "author": e.meta.actor,
                    "at": e.timestamp.isoformat(),
                }
            )
        if isinstance(e, Ticket.MergedInto):
            for comment in work.comments:
                if comment["ticket_id"] == ticket_id:
                    comment["linked_to"] = str(e.into_id)
            work.tx.execute(
                f"UPDATE {self.t('view_ticket_comments')} SET linked_to = ? WHERE ticket_id = ?",
                (str(e.into_id), ticket_id),
            )

    def client_erased(self, work: _Batch, e: Client.PersonalDataErased, _: int) -> None:
        """What the client wrote in their tickets reads as erased, here as in the events
        (sealed with their key, now destroyed)."""
        self._flush(work)
        work.written()
        client, tx = str(e.originator_id), work.tx
        for row in work.rows.values():
            if row["client_id"] == client:
                row["subject"] = row["description"] = ERASED
        theirs = f"SELECT id FROM {self.t('view_tickets')} WHERE client_id = ?"
        tx.execute(
            f"UPDATE {self.t('view_tickets')} SET subject = ?, description = ? WHERE client_id = ?",
            (ERASED, ERASED, client),
        )
        tx.execute(
            f"UPDATE {self.t('view_ticket_comments')} SET body = ? WHERE ticket_id IN ({theirs})",
            (ERASED, client),
        )
        history = self.t("view_ticket_history")
        entries = tx.query(
            f"SELECT position, data FROM {history} WHERE event IN ('Opened', 'Commented', "
            f"'MacroApplied') AND ticket_id IN ({theirs})",
            (client,),
        )
        tx.executemany(
            f"UPDATE {history} SET data = ? WHERE position = ?",
            [(json.dumps(erased_entry(json.loads(r["data"]))), r["position"]) for r in entries],
        )

    def _history(self, work: _Batch, e: Any, position: int) -> None:
        data = e.model_dump_json(  # JSON written by pydantic's own (compiled) serializer
            exclude={
                "originator_id",
                "originator_version",
                "timestamp",
                "meta",
                "originator_topic",
            },
        )
        work.history.append(
            (
                position,
                str(e.originator_id),
                type(e).__name__,
                e.meta.actor,
                e.timestamp.isoformat(),
                e.meta.correlation_id,
                e.originator_version,
                data,
            )
        )

    def _flush(self, work: _Batch) -> None:
        self._catch_up_rows(work)
        tx = work.tx
        touched = sorted(work.new | work.dirty)
        if touched:
            now = {i: facts(work.rows[i]) for i in touched}
            # the changed rows in place, then the new ones as plain rows (written behind
            # the batch, by COPY on PostgreSQL): a statement each
            for ids, replacing in (
                ([i for i in touched if i not in work.new], True),
                ([i for i in touched if i in work.new], False),
            ):
                tx.insert(
                    self.t("view_tickets"),
                    COLUMNS,
                    [tuple(work.rows[i][c] for c in COLUMNS) for i in ids],
                    then=_replacing(COLUMNS) if replacing else "",
                )
                tx.insert(
                    self.t("view_ticket_facts"),
                    FACTS,
                    [tuple(now[i][c] for c in FACTS) for i in ids],
                    then=_replacing(FACTS) if replacing else "",
                )
            if work.count:
                self._count(tx, work.counted, now)
        if work.comments:
            keys = tuple(work.comments[0])
            tx.insert(
                self.t("view_ticket_comments"),
                keys,
                [tuple(c[k] for k in keys) for c in work.comments],
            )
        tx.insert(self.t("view_ticket_history"), HISTORY, work.history)

    def _count(
        self, tx: Tx, counted: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]
    ) -> None:
        """The statistics' sums and histograms move by what changed: each touched ticket's
        figures as last counted are taken back and its new ones added."""
        days: dict[tuple[str, str, str, str], list[int]] = {}
        spread: dict[tuple[str, str, str, str, str, int], int] = {}
        for i, fact in now.items():
            if i in counted:
                add(days, spread, counted[i], -1)
            add(days, spread, fact, 1)
            counted[i] = fact
        self._write_counts(tx, days, spread)

    def _write_counts(
        self,
        tx: Tx,
        days: dict[tuple[str, str, str, str], list[int]],
        spread: dict[tuple[str, str, str, str, str, int], int],
        fresh: bool = False,
    ) -> None:
        """Move the cells by these changes; a cell left without tickets goes. ``fresh``:
        the tables are empty and the changes all additions (the cells are plain rows)."""
        changed_days = [(*k, *v) for k, v in sorted(days.items()) if any(v)]
        if changed_days:
            table = self.t("view_ticket_days")
            adding = "ON CONFLICT (dim, branch, day, key) DO UPDATE SET " + ", ".join(
                f"{s} = {table}.{s} + excluded.{s}" for s in SUMS
            )
            columns: tuple[str, ...] = ("dim", "branch", "day", "key", *SUMS)
            tx.insert(table, columns, changed_days, then="" if fresh else adding)
            # A cell left without tickets goes, as if it had never had any.
            tx.executemany(
                f"DELETE FROM {table} WHERE dim = ? AND branch = ? AND day = ? AND key = ? "
                "AND tickets = 0",
                [k for k, v in sorted(days.items()) if v[0] < 0],
            )
        changed_spread = [(*k, n) for k, n in sorted(spread.items()) if n]
        if changed_spread:
            table = self.t("view_ticket_spread")
            adding = (
                "ON CONFLICT (kind, dim, branch, month, key, bucket) "
                f"DO UPDATE SET n = {table}.n + excluded.n"
            )
            columns = ("kind", "dim", "branch", "month", "key", "bucket", "n")
            tx.insert(table, columns, changed_spread, then="" if fresh else adding)
            tx.executemany(
                f"DELETE FROM {table} WHERE kind = ? AND dim = ? AND branch = ? AND month = ? "
                "AND key = ? AND bucket = ? AND n = 0",
                [k for k, n in sorted(spread.items()) if n < 0],
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
        ticket = public(rows[0])
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
        condition, params = self._where(filters, now)
        order = {
            "priority": "priority ASC, created_at ASC",
            "due": "resolution_due_at ASC NULLS LAST, priority ASC",
            "created": "created_at DESC",
            "updated": "updated_at DESC",
        }[sort]
        offset = offset_of(cursor)
        table = self.t("view_tickets")
        with db.read() as tx:
            # The page's ids from the indexes alone, then only those rows.
            ids = [
                r["id"]
                for r in tx.query(
                    f"SELECT id FROM {table} WHERE {condition} "
                    f"ORDER BY {order}, number LIMIT ? OFFSET ?",
                    (*params, limit + 1, offset),
                )
            ]
            found = (
                {
                    r["id"]: r
                    for r in tx.query(
                        f"SELECT * FROM {table} WHERE id IN ({', '.join('?' * len(ids))})", ids
                    )
                }
                if ids
                else {}
            )
        rows = [found[i] for i in ids if i in found]
        more = len(rows) > limit
        next_cursor = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return [public(r) for r in rows[:limit]], next_cursor if more else None

    def _where(self, filters: dict[str, Any], now: datetime) -> tuple[str, list[Any]]:
        """The SQL condition of a queue's filters, and its parameters."""
        where, params = ["1 = 1"], []
        if filters.get("unassigned"):
            where.append("assignee IS NULL")
        if filters.get("open"):
            where.append(OPEN_SQL)
        for column in ("status", "type", "priority", "channel", "assignee", "client_id", "branch"):
            if filters.get(column) is not None:
                where.append(f"{column} = ?")
                params.append(str(filters[column]))
        if filters.get("group") is not None:
            where.append("group_name = ?")
            params.append(filters["group"])
        if filters.get("breached") is not None:
            # Open tickets whose breach moment has come (stored per row, partially indexed).
            overdue = f"{OPEN_SQL} AND breach_at IS NOT NULL AND breach_at <= ?"
            where.append(overdue if filters["breached"] else f"NOT ({overdue})")
            params.append(now.isoformat())
        if filters.get("due_soon"):
            soon, soon_params = self._due_soon(now)
            where.append(soon)
            params.extend(soon_params)
        return " AND ".join(where), params

    def _due_soon(self, now: datetime) -> tuple[str, list[str]]:
        """Open tickets not yet in breach whose next due time is within the policy's
        at-risk share of the running clock's budget (wall-clock, per priority and tier)."""
        cases, params = [], [now.isoformat()]
        for kind, column in (("first_response", "first_responded_at"), ("resolution", None)):
            whens = []
            for tier in (*self.policy.tiers, None):
                for priority in Priority:
                    share = self.policy.budget(kind, priority, tier) * self.policy.at_risk_fraction
                    if tier is None:
                        whens.append(f"WHEN priority = '{priority.value}' THEN ?")
                    else:
                        whens.append(f"WHEN priority = '{priority.value}' AND tier = ? THEN ?")
                        params.append(tier)
                    params.append((now + share).isoformat())
            case = f"CASE {' '.join(whens)} END"
            cases.append(f"WHEN {column} IS NULL THEN {case}" if column else f"ELSE {case}")
        return (
            f"{OPEN_SQL} AND breach_at IS NOT NULL AND breach_at > ? "
            f"AND breach_at <= CASE {' '.join(cases)} END",
            params,
        )

    def counts(
        self, db: ViewDatabase, views: dict[str, dict[str, Any]], branch: str | None, now: datetime
    ) -> dict[str, int]:
        """How many tickets each named filter (as ``queue`` takes them) finds, in one query
        over the open tickets (every filter counted here is of open tickets)."""
        sums, params = [], []
        for name, wanted in views.items():
            where, more = self._where({**wanted, "open": False}, now)
            sums.append(f"SUM(CASE WHEN {where} THEN 1 ELSE 0 END) AS n_{name}")
            params.extend(more)
        scope, scope_params = ("branch = ?", [branch]) if branch is not None else ("1 = 1", [])
        with db.read() as tx:
            rows = tx.query(
                f"SELECT {', '.join(sums)} FROM {self.t('view_tickets')} "
                f"WHERE {OPEN_SQL} AND {scope}",
                (*params, *scope_params),
            )
        return {name: int(rows[0][f"n_{name}"] or 0) for name in views}

    def by_number(self, db: ViewDatabase, number: str) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tickets')} WHERE number = ?", (number.strip(),)
            )
        return public(rows[0]) if rows else None

    def breaches_to_record(self, db: ViewDatabase, now: datetime, limit: int) -> list[UUID]:
        """Open tickets with a clock past due and not yet recorded (the scheduler's)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id FROM {self.t('view_tickets')} WHERE {OPEN_SQL} "
                "AND breach_check_at <= ? ORDER BY breach_check_at LIMIT ?",
                (now.isoformat(), limit),
            )
        return [UUID(r["id"]) for r in rows]

    def open_for_client(self, db: ViewDatabase, client_id: UUID) -> list[dict[str, Any]]:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tickets')} WHERE client_id = ? AND "
                "status NOT IN ('resolved', 'closed') ORDER BY created_at",
                (str(client_id),),
            )
        return [public(r) for r in rows]

    def complaints_since(
        self, db: ViewDatabase, since: datetime, client_id: str | None = None
    ) -> dict[str, int]:
        """How many complaints each client (or the one) opened from ``since`` on."""
        extra, params = ("AND client_id = ? ", (client_id,)) if client_id else ("", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT client_id, COUNT(*) AS n FROM {self.t('view_tickets')} "
                "WHERE created_at >= ? AND type = 'complaint' AND client_id IS NOT NULL "
                f"{extra}GROUP BY client_id",
                (since.astimezone(UTC).isoformat(), *params),
            )
        return {r["client_id"]: int(r["n"]) for r in rows}
