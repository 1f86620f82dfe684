"""Leadership: which process runs a projection (or the scheduler) right now."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Protocol

import psycopg


class Leadership(Protocol):
    def acquire(self) -> bool:
        """True when this process leads (it may have led already)."""
        ...

    def release(self) -> None: ...


class SoleLeader:
    """The embedded store has one process: it always leads."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None


class AdvisoryLock:
    """A PostgreSQL session advisory lock on a dedicated connection.

    The lock lives as long as the connection: when the leading process dies, the server
    ends its session and a standby's next ``acquire`` wins.
    """

    def __init__(self, connect: Callable[[], psycopg.Connection[Any]], key: str) -> None:
        self._connect = connect
        self.key = key
        self._conn: psycopg.Connection[Any] | None = None
        self._held = False

    def acquire(self) -> bool:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
                self._held = False
            if self._held:
                self._conn.execute("SELECT 1")
                return True
            row = self._conn.execute(
                "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS got", (self.key,)
            ).fetchone()
            self._held = bool(row and (row["got"] if isinstance(row, dict) else row[0]))
        except psycopg.Error:
            self._drop()
        return self._held

    def release(self) -> None:
        self._drop()

    def _drop(self) -> None:
        self._held = False
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None
