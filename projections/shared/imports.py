"""The file imports view: each file's latest run, who started it, how far it got (NAV
files, daily position files)."""

from __future__ import annotations

from typing import Any, ClassVar

from adapters.shared.sql import Tx, ViewDatabase
from domain.shared.imports import FileImport, ImportKind
from projections.shared.base import View, utc_text
from projections.shared.paging import after, cut


class ImportsView(View):
    name = "imports"
    tables: ClassVar[dict[str, list[str]]] = {
        "view_imports": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, digest TEXT NOT NULL, "
            "filename TEXT NOT NULL, rows_total INTEGER NOT NULL, applied INTEGER NOT NULL, "
            "runs INTEGER NOT NULL, completed INTEGER NOT NULL, started_by TEXT NOT NULL, "
            "started_at TEXT NOT NULL, progressed_at TEXT NOT NULL, "
            "interrupted_at INTEGER, published INTEGER, corrected INTEGER, unchanged INTEGER)",
            "CREATE INDEX {ix}_started ON {t} (kind, started_at)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        FileImport.Started: "started",
        FileImport.Restarted: "restarted",
        FileImport.Progressed: "progressed",
        FileImport.Completed: "completed",
    }

    def started(self, tx: Tx, e: FileImport.Started, _: int) -> None:
        at = utc_text(e.timestamp)
        tx.execute(
            f"INSERT INTO {self.t('view_imports')} (id, kind, digest, filename, rows_total, "
            "applied, runs, completed, started_by, started_at, progressed_at) "
            "VALUES (?, ?, ?, ?, ?, 0, 1, 0, ?, ?, ?)",
            (
                str(e.originator_id),
                e.kind.value,
                e.digest,
                e.filename,
                e.rows,
                e.meta.actor,
                at,
                at,
            ),
        )

    def restarted(self, tx: Tx, e: FileImport.Restarted, _: int) -> None:
        at = utc_text(e.timestamp)
        tx.execute(
            f"UPDATE {self.t('view_imports')} SET filename = ?, applied = 0, "
            "runs = runs + 1, completed = 0, started_by = ?, started_at = ?, "
            "progressed_at = ?, interrupted_at = ?, published = NULL, corrected = NULL, "
            "unchanged = NULL WHERE id = ?",
            (e.filename, e.meta.actor, at, at, e.interrupted_at, str(e.originator_id)),
        )

    def progressed(self, tx: Tx, e: FileImport.Progressed, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_imports')} SET applied = ?, progressed_at = ? WHERE id = ?",
            (e.applied, utc_text(e.timestamp), str(e.originator_id)),
        )

    def completed(self, tx: Tx, e: FileImport.Completed, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_imports')} SET applied = rows_total, completed = 1, "
            "progressed_at = ?, published = ?, corrected = ?, unchanged = ? WHERE id = ?",
            (
                utc_text(e.timestamp),
                e.published,
                e.corrected,
                e.unchanged,
                str(e.originator_id),
            ),
        )

    def recent(
        self, db: ViewDatabase, kind: ImportKind, limit: int, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The latest runs of one kind of file first, a page at a time."""
        order = ("started_at", "id")
        where, params = after(order, cursor, descending=True)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_imports')} WHERE kind = ? AND {where} "
                "ORDER BY started_at DESC, id DESC LIMIT ?",
                (kind.value, *params, limit + 1),
            )
        page, next_cursor = cut(rows, limit, order)
        return [{**r, "completed": bool(r["completed"])} for r in page], next_cursor
