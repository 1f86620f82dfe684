"""The login record compliance reads: every failed login and every start of a wait."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from adapters.shared.sql import Tx, ViewDatabase
from domain.staff.logins import LoginAttempt
from projections.shared.base import View, utc_text
from projections.shared.paging import after, cut


class LoginsView(View):
    name = "logins"
    tables: ClassVar[dict[str, list[str]]] = {
        "view_logins": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, at TEXT NOT NULL, "
            "username TEXT NOT NULL, address TEXT NOT NULL, outcome TEXT NOT NULL, "
            "reason TEXT, retry_after INTEGER)",
            "CREATE INDEX {ix}_at ON {t} (at)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        LoginAttempt.Failed: "failed",
        LoginAttempt.Throttled: "throttled",
    }

    def _insert(self, tx: Tx, e: Any, position: int, outcome: str, **more: Any) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_logins')} (position, at, username, address, outcome, "
            "reason, retry_after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                utc_text(e.timestamp),
                e.username,
                e.address,
                outcome,
                more.get("reason"),
                more.get("retry_after"),
            ),
        )

    def failed(self, tx: Tx, e: LoginAttempt.Failed, position: int) -> None:
        self._insert(tx, e, position, "failed", reason=e.reason)

    def throttled(self, tx: Tx, e: LoginAttempt.Throttled, position: int) -> None:
        self._insert(tx, e, position, "throttled", retry_after=e.retry_after)

    def search(
        self,
        db: ViewDatabase,
        username: str | None,
        address: str | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The newest first, a page at a time."""
        clauses, params = [], []
        for clause, value in (
            ("username = ?", username.strip().lower() if username else None),
            ("address = ?", address),
            ("at >= ?", utc_text(start) if start else None),
            ("at < ?", utc_text(end) if end else None),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        later, more = after(("position",), cursor, descending=True)
        where = " AND ".join([*clauses, later])
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_logins')} WHERE {where} "
                "ORDER BY position DESC LIMIT ?",
                (*params, *more, limit + 1),
            )
        return cut(rows, limit, ("position",))
