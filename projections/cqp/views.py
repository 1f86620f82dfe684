"""Supplier views: the supplier list and detail, the approved vendor list, and CQP plans
with their milestone board. Both are document views over the aggregates' states."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.sql import ViewDatabase
from domain.cqp.milestones import MILESTONES
from domain.cqp.plan import CQPPlan
from projections.shared.documents import StateView, day_text
from projections.shared.paging import after, cut


class CQPPlansView(StateView):
    name = "cqp_plans"
    schema_version = 2
    aggregate = CQPPlan
    table = "view_cqp_plans"
    tables: ClassVar[dict[str, list[str]]] = {
        "view_cqp_plans": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
            "state TEXT NOT NULL, programme TEXT NOT NULL, component TEXT NOT NULL, "
            "supplier_id TEXT NOT NULL, phase TEXT NOT NULL, next_milestone TEXT, "
            "next_due TEXT, overdue_check_at TEXT, updated_at TEXT NOT NULL)",
            "CREATE INDEX {ix}_programme ON {t} (programme, component)",
            "CREATE INDEX {ix}_check ON {t} (overdue_check_at)",
            "CREATE INDEX {ix}_supplier ON {t} (supplier_id)",
        ],
    }

    def columns(self, p: CQPPlan) -> dict[str, Any]:
        nxt = p.next_milestone()
        return {
            "programme": p.programme,
            "component": p.component,
            "supplier_id": str(p.supplier_id),
            "phase": p.phase().value,
            "next_milestone": nxt.value if nxt else None,
            "next_due": p.milestone_plan[nxt].isoformat() if nxt else None,
            "overdue_check_at": day_text(p.overdue_check_at()),
            "updated_at": p.modified_on.isoformat(),
        }

    def overdue_to_flag(self, db: ViewDatabase, today: date, limit: int) -> list[UUID]:
        """Plans with a milestone newly overdue to flag (the scheduler's)."""
        return self.due(db, "overdue_check_at", today, limit)

    def plans(
        self,
        db: ViewDatabase,
        programme: str | None,
        supplier_id: UUID | None,
        phase: str | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> tuple[list[tuple[CQPPlan, dict[str, Any]]], str | None]:
        """Plans by programme and component, filtered, a page at a time."""
        where, params = ["1 = 1"], []
        for column, value in (
            ("programme", programme),
            ("supplier_id", str(supplier_id) if supplier_id else None),
            ("phase", phase),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        order = ("programme", "component", "id")
        later, more = after(order, cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t(self.table)} WHERE {' AND '.join([*where, later])} "
                "ORDER BY programme, component, id LIMIT ?",
                (*params, *more, limit + 1),
            )
        page, next_cursor = cut(rows, limit, order)
        return [(self.restore(r), r) for r in page], next_cursor


def board_row(plan: CQPPlan, today: date) -> dict[str, Any]:
    """One row of the CQP board: each milestone planned against passed, overdue marked."""
    passed = {p.milestone: p for p in plan.passed}
    late = set(plan.overdue(today))
    return {
        "id": str(plan.id),
        "programme": plan.programme,
        "component": plan.component,
        "supplier_id": str(plan.supplier_id),
        "phase": plan.phase().value,
        "milestones": {
            m.value: {
                "planned": plan.milestone_plan[m].isoformat(),
                "passed": passed[m].date.isoformat() if m in passed else None,
                "waived": bool(passed[m].waiver) if m in passed else False,
                "overdue": m in late,
            }
            for m in MILESTONES
        },
    }
