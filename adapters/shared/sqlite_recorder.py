"""The library's SQLite recorder, with the personal data keys beside the events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

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
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        keys = self.keyring.take_pending() if self.keyring else {}
        ids = super().insert_events(stored_events, new_keys=keys, **kwargs)
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
        return super()._insert_events(c, stored_events, **kwargs)

    def destroy_key(self, subject: UUID, at: datetime) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {KEYS_TABLE} SET key = NULL, destroyed_at = ? "
                "WHERE subject_id = ? AND key IS NOT NULL",
                (at.isoformat(), subject.hex),
            )
            return bool(c.sqlite_cursor.rowcount > 0)

    def select_keys(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        marks = ", ".join("?" for _ in subjects)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT subject_id, key FROM {KEYS_TABLE} WHERE subject_id IN ({marks})",
                [s.hex for s in subjects],
            )
            return {UUID(row[0]): row[1] for row in c.fetchall()}
