"""Supplier views: the supplier list and detail, the approved vendor list, and CQP plans
with their milestone board. Both are document views over the aggregates' states."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.settings import Settings
from adapters.shared.sql import Tx, ViewDatabase
from domain.suppliers.avl import AvlStatus
from domain.suppliers.policy import SupplierPolicy, reaudit_overdue
from domain.suppliers.supplier import Supplier
from projections.shared.base import fragment
from projections.shared.documents import StateView, day_text
from projections.shared.paging import after, cut

LISTED = (AvlStatus.APPROVED.value, AvlStatus.CONDITIONAL.value)


class SuppliersView(StateView):
    name = "suppliers"
    schema_version = 3  # 3: corrective actions with who opened them
    aggregate = Supplier
    table = "view_suppliers"
    tables: ClassVar[dict[str, list[str]]] = {
        "view_suppliers": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
            "state TEXT NOT NULL, name TEXT NOT NULL, stage TEXT NOT NULL, "
            "status TEXT NOT NULL, strategic INTEGER NOT NULL, reaudit_due_at TEXT, "
            "open_actions INTEGER NOT NULL, last_audit_mean REAL, reaudit_check_at TEXT, "
            "updated_at TEXT NOT NULL)",
            "CREATE INDEX {ix}_name ON {t} (name)",
            "CREATE INDEX {ix}_check ON {t} (reaudit_check_at)",
            "CREATE INDEX {ix}_stage ON {t} (stage, name)",
            "CREATE INDEX {ix}_reaudit ON {t} (reaudit_due_at)",
        ],
        # One row per supplier and category, with the category's AVL status (if decided).
        "view_supplier_categories": [
            "CREATE TABLE {t} (supplier_id TEXT NOT NULL, category TEXT NOT NULL, "
            "supplier_name TEXT NOT NULL, avl_status TEXT, reason TEXT, decided_at TEXT, "
            "decided_by TEXT, audit_mean REAL, strategic INTEGER NOT NULL, "
            "PRIMARY KEY (supplier_id, category))",
            "CREATE INDEX {ix}_category ON {t} (category, avl_status)",
        ],
        # One row per open corrective action: the "my open actions" list.
        "view_supplier_actions": [
            "CREATE TABLE {t} (action_id TEXT PRIMARY KEY, supplier_id TEXT NOT NULL, "
            "supplier_name TEXT NOT NULL, problem TEXT NOT NULL, part TEXT, "
            "severity TEXT NOT NULL, step TEXT NOT NULL, opened_at TEXT NOT NULL, "
            "opened_by TEXT)",
            "CREATE INDEX {ix}_supplier ON {t} (supplier_id)",
            "CREATE INDEX {ix}_opened_by ON {t} (opened_by, opened_at)",
            "CREATE INDEX {ix}_opened ON {t} (opened_at)",
        ],
    }

    def columns(self, s: Supplier) -> dict[str, Any]:
        audit = s.last_onsite()
        return {
            "name": s.name,
            "stage": s.stage.value,
            "status": s.status.value,
            "strategic": int(s.strategic),
            "reaudit_due_at": s.reaudit_due_at.isoformat() if s.reaudit_due_at else None,
            "open_actions": len(s.open_actions()),
            "last_audit_mean": audit.mean if audit else None,
            "reaudit_check_at": day_text(s.reaudit_check_at(self.policy)),
            "updated_at": s.modified_on.isoformat(),
        }

    def side_rows(self, tx: Tx, s: Supplier) -> None:
        table = self.t("view_supplier_categories")
        tx.execute(f"DELETE FROM {table} WHERE supplier_id = ?", (str(s.id),))
        audit = s.last_onsite()
        rows = []
        for category in s.categories:
            entry = s.avl.get(category)
            rows.append(
                (
                    str(s.id),
                    category,
                    s.name,
                    entry.status.value if entry else None,
                    entry.reason if entry else None,
                    entry.decided_at.isoformat() if entry else None,
                    entry.decided_by if entry else None,
                    audit.mean if audit else None,
                    int(s.strategic),
                )
            )
        tx.executemany(
            f"INSERT INTO {table} (supplier_id, category, supplier_name, avl_status, reason, "
            "decided_at, decided_by, audit_mean, strategic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

        actions = self.t("view_supplier_actions")
        tx.execute(f"DELETE FROM {actions} WHERE supplier_id = ?", (str(s.id),))
        tx.executemany(
            f"INSERT INTO {actions} (action_id, supplier_id, supplier_name, problem, part, "
            "severity, step, opened_at, opened_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    str(a.id),
                    str(s.id),
                    s.name,
                    a.problem,
                    a.part,
                    a.severity.value,
                    a.step.value,
                    a.opened_at.isoformat(),
                    a.opened_by,
                )
                for a in s.open_actions()
            ],
        )

    def __init__(self, suffix: str = "", policy: SupplierPolicy | None = None) -> None:
        super().__init__(suffix)
        self.policy = policy or SupplierPolicy()

    @classmethod
    def configured(cls, settings: Settings) -> SuppliersView:
        return cls(policy=settings.supplier_policy)

    def with_suffix(self, suffix: str) -> SuppliersView:
        return SuppliersView(suffix, self.policy)

    def reaudits_to_flag(self, db: ViewDatabase, today: date, limit: int) -> list[UUID]:
        """Suppliers with a re-audit coming due or overdue to flag (the scheduler's)."""
        return self.due(db, "reaudit_check_at", today, limit)

    def search(
        self,
        db: ViewDatabase,
        *,
        stage: str | None,
        category: str | None,
        avl: str | None,
        overdue: bool | None,
        today: date,
        limit: int,
        cursor: str | None = None,
        q: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Suppliers by name, filtered, a page at a time."""
        where, params = ["1 = 1"], []
        if q:
            where.append("LOWER(s.name) LIKE ?")
            params.append(f"%{fragment(q.lower())}%")
        if stage is not None:
            where.append("s.stage = ?")
            params.append(stage)
        if category is not None or avl is not None:
            inner, inner_params = ["c.supplier_id = s.id"], []
            if category is not None:
                inner.append("c.category = ?")
                inner_params.append(category)
            if avl is not None:
                inner.append("c.avl_status = ?" if avl != "none" else "c.avl_status IS NULL")
                if avl != "none":
                    inner_params.append(avl)
            where.append(
                f"EXISTS (SELECT 1 FROM {self.t('view_supplier_categories')} c "
                f"WHERE {' AND '.join(inner)})"
            )
            params += inner_params
        if overdue is not None:
            # ``reaudit_overdue`` in SQL: due before today
            late = "(s.reaudit_due_at IS NOT NULL AND s.reaudit_due_at < ?)"
            where.append(late if overdue else f"NOT {late}")
            params.append(today.isoformat())
        later, more = after(("s.name", "s.id"), cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT s.* FROM {self.t('view_suppliers')} s "
                f"WHERE {' AND '.join([*where, later])} ORDER BY s.name, s.id LIMIT ?",
                (*params, *more, limit + 1),
            )
            page, next_cursor = cut(rows, limit, ("name", "id"))
            categories = self._categories(tx, [r["id"] for r in page])
        return [_summary(r, categories.get(r["id"], []), today) for r in page], next_cursor

    def names(self, db: ViewDatabase, ids: list[str]) -> dict[str, str]:
        """Supplier names by id, for what lists suppliers' plans or decisions."""
        unique = sorted(set(ids))
        if not unique:
            return {}
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id, name FROM {self.t('view_suppliers')} "
                f"WHERE id IN ({', '.join('?' * len(unique))})",
                unique,
            )
        return {r["id"]: r["name"] for r in rows}

    def _categories(self, tx: Tx, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        if not ids:
            return found
        for row in tx.query(
            f"SELECT supplier_id, category, avl_status FROM {self.t('view_supplier_categories')} "
            f"WHERE supplier_id IN ({', '.join('?' * len(ids))}) ORDER BY category",
            ids,
        ):
            found.setdefault(row["supplier_id"], []).append(
                {"category": row["category"], "avl_status": row["avl_status"]}
            )
        return found

    def avl(
        self, db: ViewDatabase, category: str | None, limit: int, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The approved vendor list: approved and conditionally approved entries, by
        category and supplier name, a page at a time."""
        where, params = ["avl_status IN (?, ?)"], list(LISTED)
        if category is not None:
            where.append("category = ?")
            params.append(category)
        order = ("category", "supplier_name", "supplier_id")
        later, more = after(order, cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_supplier_categories')} "
                f"WHERE {' AND '.join([*where, later])} "
                "ORDER BY category, supplier_name, supplier_id LIMIT ?",
                (*params, *more, limit + 1),
            )
        page, next_cursor = cut(rows, limit, order)
        return [{**r, "strategic": bool(r["strategic"])} for r in page], next_cursor

    def open_actions(
        self, db: ViewDatabase, opened_by: str | None, limit: int, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Open corrective actions, oldest first (those one account opened, if given)."""
        where, params = ["1 = 1"], []
        if opened_by is not None:
            where.append("opened_by = ?")
            params.append(opened_by)
        order = ("opened_at", "action_id")
        later, more = after(order, cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_supplier_actions')} "
                f"WHERE {' AND '.join([*where, later])} ORDER BY opened_at, action_id LIMIT ?",
                (*params, *more, limit + 1),
            )
        return cut(rows, limit, order)


def _summary(row: dict[str, Any], categories: list[dict[str, Any]], today: date) -> dict[str, Any]:
    due = row["reaudit_due_at"]
    return {
        "id": row["id"],
        "version": row["version"],
        "name": row["name"],
        "stage": row["stage"],
        "status": row["status"],
        "strategic": bool(row["strategic"]),
        "categories": categories,
        "reaudit_due_at": due,
        "reaudit_overdue": reaudit_overdue(date.fromisoformat(due) if due else None, today),
        "open_corrective_actions": row["open_actions"],
        "last_audit_mean": row["last_audit_mean"],
    }
