"""Leadership: which process runs a projection (or the scheduler) right now."""

from __future__ import annotations

import contextlib
import threading
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


class SessionLocks:
    """PostgreSQL session advisory locks, every one of a process on one connection.

    A lock lives as long as the session: when the leading process dies, the server ends
    its session and a standby's next ``acquire`` wins. When the connection is lost, every
    lock is (the server released them): the next ``acquire`` reconnects and tries again.
    """

    def __init__(self, connect: Callable[[], psycopg.Connection[Any]]) -> None:
        self._connect = connect
        self._conn: psycopg.Connection[Any] | None = None
        self._held: set[str] = set()
        self._mutex = threading.Lock()

    def lock(self, key: str) -> AdvisoryLock:
        return AdvisoryLock(self, key)

    def acquire(self, key: str) -> bool:
        with self._mutex:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = self._connect()
                    self._held.clear()
                if key in self._held:
                    self._conn.execute("SELECT 1")
                    return True
                row = self._conn.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS got", (key,)
                ).fetchone()
                if row and (row["got"] if isinstance(row, dict) else row[0]):
                    self._held.add(key)
            except psycopg.Error:
                self._drop()
            return key in self._held

    def release(self, key: str) -> None:
        with self._mutex:
            if key not in self._held or self._conn is None:
                return
            self._held.discard(key)
            try:
                self._conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
            except psycopg.Error:
                self._drop()
                return
            if not self._held:
                self._drop()

    def _drop(self) -> None:
        self._held.clear()
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None


class AdvisoryLock:
    """One leadership: a key among a process's session locks."""

    def __init__(self, locks: SessionLocks, key: str) -> None:
        self._locks = locks
        self.key = key

    def acquire(self) -> bool:
        return self._locks.acquire(self.key)

    def release(self) -> None:
        self._locks.release(self.key)
