"""The audit log (every stored event's who/what/when) and the verification of the hash chain.

The log reads the stored records (``raw``), not domain events: it needs only the envelope.

**The chain** (``adapters/shared/chain.py``): each stored event is linked to its
predecessor in position order,
``hash(n) = SHA-256(hash(n-1) || position | originator id | version | topic | state)``,
starting from 32 zero bytes, and written by the store in the transaction that stores the
event. ``verify`` recomputes it from the store and reports the first position whose record
is not the one that was chained (altered, inserted, deleted, or stored without a link).

What it proves: every stored event is, byte for byte, the event the engine stored, in the
same order, none added or removed since. What it does not prove: that an event was true
when recorded (the domain's job); or integrity against someone able to rewrite both the
store's events *and* its chain table, who can recompute every hash after a change.
Against that, publish the head hash (``GET /api/v1/audit/verify`` returns it) somewhere
they cannot write - a daily report, a ticket, a write-once bucket - and check later
chains still pass through it. Erasing personal data (crypto-shredding) destroys a
key, not a record, so the chain still verifies afterwards.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson

from adapters.shared.chain import GENESIS, link
from adapters.shared.eventstore import chain_table
from adapters.shared.sql import Tx, ViewDatabase
from adapters.shared.topics import current_topic
from domain.shared.progress import Progress, quiet
from projections.shared.base import TIME_FORMAT, View, utc_text
from projections.shared.worker import EventSource


class AuditView(View):
    """One row per stored event: position, aggregate, type, time, actor, correlation."""

    name = "audit"
    schema_version = 2  # 2: the types of events stored under an old topic read as today's
    raw = True
    late_indexes = True  # its writes read rows by their keys only
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
        tx.insert(
            self.t("view_audit_events"),
            (
                "position",
                "aggregate_id",
                "version",
                "kind",
                "type",
                "at",
                "actor",
                "correlation_id",
                "causation_id",
            ),
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


def chain_heads(source: EventSource) -> tuple[int, int]:
    """The last chained position and the last stored one (events between them await
    chaining), read without verifying anything."""
    return chain_table(source.recorder).chain_head(), source.recorder.max_notification_id() or 0


def verify(
    source: EventSource,
    page: int = 5_000,  # pragma: no mutate - a page size: any gives the same report
    progress: Progress = quiet,
) -> ChainReport:
    """Recompute the chain from the store and compare it with the one the store keeps; a
    stored record without a chain entry (one written behind the engine's back) is a break.
    It only reads: it never extends the chain."""
    recorder = source.recorder
    chain = chain_table(recorder)
    chain_head = chain.chain_head()
    store_head = recorder.max_notification_id() or 0
    last = max(chain_head, store_head)
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

    while after < last:
        notes = recorder.select_notifications(after + 1, page, stop=last)
        upto = notes[-1].id if len(notes) == page else last
        chained = chain.select_chain(after, upto)
        stored = {n.id: n for n in notes}
        for position in sorted(chained.keys() | stored.keys()):
            if position not in stored:
                return report(position, "a chained event is missing from the store")
            if position not in chained:
                return report(position, "a stored record is not chained")
            n = stored[position]
            expected = link(previous, n.id, n.originator_id, n.originator_version, n.topic, n.state)
            if expected != chained[position]:
                return report(position, "the stored record differs from the one chained")
            previous, checked, verified_to = expected, checked + 1, position
        after = upto
        progress("events", after, last)
    return report(None, None)
