"""The branches view: the firm's offices, by code."""

from __future__ import annotations

from typing import Any, ClassVar

from adapters.shared.sql import Tx, ViewDatabase
from domain.staff.branches import Branch
from projections.shared.base import View


class BranchesView(View):
    name = "branches"
    tables: ClassVar[dict[str, list[str]]] = {
        "view_branches": [
            "CREATE TABLE {t} (code TEXT PRIMARY KEY, name TEXT NOT NULL, opened_at TEXT NOT NULL)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {Branch.Opened: "opened"}

    def opened(self, tx: Tx, e: Branch.Opened, _: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_branches')} (code, name, opened_at) VALUES (?, ?, ?)",
            (e.code, e.name, e.timestamp.isoformat()),
        )

    def all(self, db: ViewDatabase) -> list[dict[str, Any]]:
        with db.read() as tx:
            return tx.query(f"SELECT * FROM {self.t('view_branches')} ORDER BY code")
