"""The staff accounts view: who exists, with which role, enabled or not."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.sql import Tx, ViewDatabase
from domain.staff.users import StaffUser
from projections.shared.base import View


class StaffView(View):
    name = "staff"
    schema_version = 2
    tables: ClassVar[dict[str, list[str]]] = {
        "view_staff_users": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, username TEXT NOT NULL, "
            "role TEXT NOT NULL, enabled INTEGER NOT NULL, version INTEGER NOT NULL, "
            "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, branch TEXT)",
            "CREATE UNIQUE INDEX {ix}_username ON {t} (username)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        StaffUser.Registered: "registered",
        StaffUser.PasswordChanged: "changed",
        StaffUser.Disabled: "disabled",
        StaffUser.Enabled: "enabled",
    }

    def registered(self, tx: Tx, e: StaffUser.Registered, _: int) -> None:
        at = e.timestamp.isoformat()
        tx.execute(
            f"INSERT INTO {self.t('view_staff_users')} (id, username, role, enabled, version, "
            "created_at, updated_at, branch) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                e.username,
                e.role.value,
                e.originator_version,
                at,
                at,
                e.branch,
            ),
        )

    def _set(self, tx: Tx, e: Any, sets: str = "", params: tuple[Any, ...] = ()) -> None:
        tx.execute(
            f"UPDATE {self.t('view_staff_users')} SET {sets}version = ?, updated_at = ? "
            "WHERE id = ?",
            (*params, e.originator_version, e.timestamp.isoformat(), str(e.originator_id)),
        )

    def changed(self, tx: Tx, e: StaffUser.PasswordChanged, _: int) -> None:
        self._set(tx, e)

    def disabled(self, tx: Tx, e: StaffUser.Disabled, _: int) -> None:
        self._set(tx, e, "enabled = 0, ")

    def enabled(self, tx: Tx, e: StaffUser.Enabled, _: int) -> None:
        self._set(tx, e, "enabled = 1, ")

    def get(self, db: ViewDatabase, user_id: UUID) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_staff_users')} WHERE id = ?", (str(user_id),)
            )
        return _user(rows[0]) if rows else None

    def branches(self, db: ViewDatabase) -> list[str]:
        """Every branch some account works for."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT DISTINCT branch FROM {self.t('view_staff_users')} WHERE branch IS NOT NULL"
            )
        return sorted(r["branch"] for r in rows)

    def all(self, db: ViewDatabase) -> list[dict[str, Any]]:
        with db.read() as tx:
            rows = tx.query(f"SELECT * FROM {self.t('view_staff_users')} ORDER BY username")
        return [_user(r) for r in rows]


def _user(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "enabled": bool(row["enabled"])}
