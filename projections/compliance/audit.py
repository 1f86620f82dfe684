"""The audit log: every stored event's who/what/when, and the hash chain beside the store.

Both read the stored records (``raw``), not domain events: the log needs only the envelope,
and the chain must hash the exact bytes the store holds.

**The chain.** Each stored event is linked to its predecessor in position order:
``hash(n) = SHA-256(hash(n-1) || position | originator id | version | topic | state)``,
starting from 32 zero bytes. ``verify`` recomputes it from the store and reports the first
position whose record is not the one that was chained (altered, inserted or deleted).

What it proves: every event up to the chain's head is, byte for byte, the event that was
stored when the chain worker read it, in the same order, none added or removed since. What
it does not prove: that an event was true when recorded (the domain's job); anything about
events not yet chained (the worker's lag, reported as ``pending``); or integrity against
someone able to rewrite both the store *and* the chain table, who can recompute every hash
after a change. Against that, publish the head hash (``GET /api/v1/audit/verify`` returns
it) somewhere they cannot write - a daily report, a ticket, a write-once bucket - and check
later chains still pass through it. Erasing personal data (crypto-shredding) destroys a
key, not a record, so the chain still verifies afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from eventsourcing.persistence import Notification

from adapters.shared.sql import Tx, ViewDatabase
from adapters.shared.topics import current_topic
from domain.shared.errors import Conflict
from projections.shared.base import TIME_FORMAT, View, utc_text
from projections.shared.worker import EventSource

GENESIS = bytes(32)


def link(previous: bytes, n: Notification) -> bytes:
    """The chain's hash of one stored record after ``previous``."""
    head = f"{n.id}\x1f{n.originator_id}\x1f{n.originator_version}\x1f{n.topic}\x1f"
    return hashlib.sha256(previous + head.encode() + n.state).digest()


class AuditView(View):
    """One row per stored event: position, aggregate, type, time, actor, correlation."""

    name = "audit"
    schema_version = 2  # 2: the types of events stored under an old topic read as today's
    raw = True
    tables: ClassVar[dict[str, list[str]]] = {
        "view_audit_events": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, aggregate_id TEXT NOT NULL, "
            "version BIGINT NOT NULL, kind TEXT NOT NULL, type TEXT NOT NULL, "
            "at TEXT NOT NULL, actor TEXT NOT NULL, correlation_id TEXT NOT NULL, "
            "causation_id TEXT)",
            "CREATE INDEX {ix}_aggregate ON {t} (aggregate_id, position)",
            "CREATE INDEX {ix}_actor ON {t} (actor, position)",
            "CREATE INDEX {ix}_correlation ON {t} (correlation_id, position)",
            "CREATE INDEX {ix}_type ON {t} (type, position)",
            "CREATE INDEX {ix}_at ON {t} (at, position)",
        ]
    }
    handlers: ClassVar[dict[type[Any], str]] = {}

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        rows = []
        for n, position in batch:
            state = orjson.loads(n.state)  # the store keeps plain JSON (no cipher)
            meta = state.get("meta", {})  # pragma: no mutate - every event has its meta
            topic = current_topic(n.topic)
            type_name = topic.rsplit(":", 1)[-1]  # pragma: no mutate - one colon a topic
            rows.append(
                (
                    position,
                    str(n.originator_id),
                    n.originator_version,
                    type_name.split(".", 1)[0],  # pragma: no mutate - one dot a type
                    type_name,
                    utc_text(datetime.fromisoformat(state["timestamp"])),
                    meta.get("actor", ""),  # pragma: no mutate - every event has one
                    meta.get("correlation_id", ""),  # pragma: no mutate - as above
                    meta.get("causation_id"),
                )
            )
        tx.executemany(
            f"INSERT INTO {self.t('view_audit_events')} (position, aggregate_id, version, "
            "kind, type, at, actor, correlation_id, causation_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def search(
        self,
        db: ViewDatabase,
        *,
        actor: str | None = None,
        aggregate_id: str | None = None,
        type: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        correlation_id: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Events in position order, filtered; the cursor is the last position shown."""
        where: list[str] = ["position > ?"]  # pragma: no mutate - SQL, case-insensitive
        params: list[int | str] = [int(cursor) if cursor else 0]
        # pragma: no mutate start - SQL column names, case-insensitive
        filters = (
            ("actor", actor),
            ("aggregate_id", aggregate_id),
            ("type", type),
            ("correlation_id", correlation_id),
        )
        # pragma: no mutate end
        for column, value in filters:
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if start is not None:
            where.append("at >= ?")  # pragma: no mutate - SQL, case-insensitive
            params.append(utc_text(start))
        if end is not None:
            where.append("at < ?")  # pragma: no mutate - SQL, case-insensitive
            params.append(utc_text(end))
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_audit_events')} WHERE {' AND '.join(where)} "
                "ORDER BY position LIMIT ?",
                (*params, limit + 1),  # pragma: no mutate - one more row only tells "more"
            )
        more = len(rows) > limit
        rows = rows[:limit]
        for row in rows:
            row["at"] = datetime.strptime(row["at"], TIME_FORMAT).replace(tzinfo=UTC)
        return rows, str(rows[-1]["position"]) if more else None


class ChainDropped(Conflict):
    """The chain is evidence: it is never dropped or rebuilt from the store it vouches for."""


class ChainView(View):
    """The hash chain, one row per stored event. Never rebuilt: a chain recomputed from the
    store would vouch for whatever the store holds now."""

    name = "audit_chain"
    raw = True
    tables: ClassVar[dict[str, list[str]]] = {
        "audit_chain": ["CREATE TABLE {t} (position BIGINT PRIMARY KEY, hash TEXT NOT NULL)"]
    }
    handlers: ClassVar[dict[type[Any], str]] = {}

    def drop(self, tx: Tx) -> None:
        if self.suffix:  # a shadow copy is what a rebuild would make: refused
            raise ChainDropped("the audit chain is never rebuilt: it vouches for the store")
        if tx.query(f"SELECT 1 FROM projection_schemas WHERE name = '{self.name}'"):
            raise ChainDropped("the audit chain's tables changed version: migrate, never drop")
        super().drop(tx)

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        if not batch:
            return
        last = tx.query(f"SELECT hash FROM {self.t('audit_chain')} ORDER BY position DESC LIMIT 1")
        previous = bytes.fromhex(last[0]["hash"]) if last else GENESIS
        rows = []
        for n, position in batch:
            previous = link(previous, n)
            rows.append((position, previous.hex()))
        tx.executemany(f"INSERT INTO {self.t('audit_chain')} (position, hash) VALUES (?, ?)", rows)


@dataclass(frozen=True)
class ChainReport:
    """What a verification found: how far the chain vouches for the store, or where the
    first break is."""

    ok: bool
    checked: int  # events compared
    verified_to: int  # the last position that verified
    head_hash: str | None  # the chain's hash at verified_to: publish it
    broken_at: int | None
    reason: str | None
    chain_head: int  # the last chained position
    store_head: int  # the last stored position: events after chain_head await chaining


def verify(
    source: EventSource,
    db: ViewDatabase,
    page: int = 5_000,  # pragma: no mutate - a page size: any gives the same report
) -> ChainReport:
    """Recompute the chain from the store and compare it with the one kept beside it."""
    table = ChainView().t("audit_chain")  # pragma: no mutate - SQL, case-insensitive
    with db.read() as tx:
        rows = tx.query(f"SELECT MAX(position) AS head FROM {table}")
    chain_head = int(rows[0]["head"] or 0)
    store_head = source.recorder.max_notification_id() or 0
    previous, checked, verified_to, after = GENESIS, 0, 0, 0

    def report(broken_at: int | None, reason: str | None) -> ChainReport:
        return ChainReport(
            ok=broken_at is None,
            checked=checked,
            verified_to=verified_to,
            head_hash=previous.hex() if verified_to else None,
            broken_at=broken_at,
            reason=reason,
            chain_head=chain_head,
            store_head=store_head,
        )

    while after < chain_head:
        notes = source.recorder.select_notifications(after + 1, page, stop=chain_head)
        upto = notes[-1].id if len(notes) == page else chain_head
        with db.read() as tx:
            chained = {
                int(r["position"]): bytes.fromhex(r["hash"])
                for r in tx.query(
                    f"SELECT position, hash FROM {table} WHERE position > ? AND position <= ?",
                    (after, upto),
                )
            }
        stored = {n.id: n for n in notes}
        for position in sorted(chained.keys() | stored.keys()):
            if position not in stored:
                return report(position, "a chained event is missing from the store")
            if position not in chained:
                return report(position, "a stored event is not in the chain")
            expected = link(previous, stored[position])
            if expected != chained[position]:
                return report(position, "the stored record differs from the one chained")
            previous, checked, verified_to = expected, checked + 1, position
        after = upto
    return report(None, None)
