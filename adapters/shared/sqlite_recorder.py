"""The library's SQLite recorder, with the personal data keys beside the events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from adapters.shared.chain import CHAIN_TABLE, GENESIS, links
from adapters.shared.personal import KEYS_TABLE, KeyRing


class KeyedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, storing new personal data keys in the same
    transaction as the events first sealed with them."""

    keyring: KeyRing | None = None

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (subject_id TEXT PRIMARY KEY, key BLOB, "
            "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, destroyed_at TEXT)",
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} "
            "(position INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
        ]

    def create_table(self) -> None:
        """The tables; a store written before the chain moved into it is chained now, once:
        when its chain table is created."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (CHAIN_TABLE,)
            )
            existed = c.fetchone() is not None
        super().create_table()
        if not existed:
            self.adopt_chain()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        keys = self.keyring.take_pending() if self.keyring else {}
        wrapped = self.keyring.for_storage(keys) if self.keyring and keys else {}
        ids = super().insert_events(stored_events, new_keys=wrapped, **kwargs)
        if keys and self.keyring:
            self.keyring.stored(keys)
        return ids

    def _insert_events(
        self,
        c: Any,
        stored_events: Sequence[StoredEvent],
        *,
        new_keys: dict[UUID, bytes] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if new_keys:
            c.executemany(
                f"INSERT INTO {KEYS_TABLE} (subject_id, key) VALUES (?, ?)",
                [(subject.hex, key) for subject, key in new_keys.items()],
            )
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:  # chained in the same transaction: a stored record is a chained one
            self._chain(c, list(zip(ids, stored_events, strict=True)))
        return ids

    def _chain(self, c: Any, records: list[tuple[int, Any]]) -> None:
        c.execute(f"SELECT hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
        row = c.fetchone()
        c.executemany(
            f"INSERT INTO {CHAIN_TABLE} (position, hash) VALUES (?, ?)",
            links(bytes(row[0]) if row else GENESIS, records),
        )

    def chain_head(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT MAX(position) FROM {CHAIN_TABLE}")
            row = c.fetchone()
        return int(row[0] or 0)

    def select_chain(self, after: int, upto: int) -> dict[int, bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT position, hash FROM {CHAIN_TABLE} WHERE position > ? AND position <= ?",
                (after, upto),
            )
            return {int(r[0]): bytes(r[1]) for r in c.fetchall()}

    def adopt_chain(self, page: int = 5_000) -> int:
        """Chain every stored record of a store whose chain is empty (written before the
        chain moved into the store); 0 when the chain has begun."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"SELECT 1 FROM {CHAIN_TABLE} LIMIT 1")
            if c.fetchone():
                return 0
            chained, after = 0, 0
            while True:
                c.execute(
                    f"SELECT rowid, originator_id, originator_version, topic, state "
                    f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (after, page),
                )
                rows = c.fetchall()
                if not rows:
                    return chained
                records = [(int(r[0]), _Stored(UUID(r[1]), r[2], r[3], bytes(r[4]))) for r in rows]
                self._chain(c, records)
                chained, after = chained + len(records), records[-1][0]

    def destroy_key(self, subject: UUID, at: datetime) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {KEYS_TABLE} SET key = NULL, destroyed_at = ? "
                "WHERE subject_id = ? AND key IS NOT NULL",
                (at.isoformat(), subject.hex),
            )
            return bool(c.sqlite_cursor.rowcount > 0)

    def key_rows(self, after: UUID | None, limit: int) -> list[tuple[UUID, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT subject_id, key FROM {KEYS_TABLE} WHERE key IS NOT NULL "
                "AND subject_id > ? ORDER BY subject_id LIMIT ?",
                (after.hex if after else "", limit),
            )
            return [(UUID(r[0]), bytes(r[1])) for r in c.fetchall()]

    def replace_keys(self, rows: dict[UUID, bytes]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                f"UPDATE {KEYS_TABLE} SET key = ? WHERE subject_id = ? AND key IS NOT NULL",
                [(key, subject.hex) for subject, key in rows.items()],
            )

    def select_keys(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        marks = ", ".join("?" for _ in subjects)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT subject_id, key FROM {KEYS_TABLE} WHERE subject_id IN ({marks})",
                [s.hex for s in subjects],
            )
            return {UUID(row[0]): row[1] for row in c.fetchall()}


class _Stored(NamedTuple):
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
