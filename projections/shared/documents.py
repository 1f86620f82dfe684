"""Document views: each aggregate's latest state kept in a row, beside the columns that
filter and sort it. Events replay on the stored state, so the view says exactly what the
aggregate would, without a second copy of the rules.

A batch reads the rows it touches in one query and writes each touched row once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.sql import Tx, ViewDatabase
from domain.shared.base import Aggregate, Created, DomainEvent, Snapshot
from projections.shared.base import View, rows_by_id


def event_classes(aggregate: type[Aggregate]) -> list[type[DomainEvent]]:
    """The events an aggregate class declares (its nested event classes)."""
    return [
        cls
        for cls in vars(aggregate).values()
        if isinstance(cls, type) and issubclass(cls, DomainEvent) and cls is not Snapshot
    ]


class StateView(View):
    """One row per aggregate: ``id``, ``version``, ``state`` (JSON) and ``columns()``.

    ``tables`` must hold ``table`` with at least those columns; ``columns`` derives the
    others from the aggregate; ``side_rows`` may rewrite rows of side tables for it.
    """

    aggregate: ClassVar[type[Aggregate]]
    table: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "aggregate" in vars(cls):
            cls.handlers = dict.fromkeys(event_classes(cls.aggregate), "handle")

    def due(self, db: ViewDatabase, column: str, today: date, limit: int) -> list[UUID]:
        """The ids whose day in ``column`` is on or before ``today``, soonest first."""
        table = self.t(self.table)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id FROM {table} WHERE {column} <= ? ORDER BY {column} LIMIT ?",
                (today.isoformat(), limit),
            )
        return [UUID(r["id"]) for r in rows]

    def columns(self, aggregate: Any) -> dict[str, Any]:  # noqa: ARG002 - none by default
        return {}

    def side_rows(self, tx: Tx, aggregate: Any) -> None:
        """Rewrite side-table rows of one touched aggregate."""

    def handle(self, tx: Tx, event: Any, position: int) -> None:
        self.apply(tx, [(event, position)])

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        ids = sorted({str(e.originator_id) for e, _ in batch})
        rows = rows_by_id(tx, self.t(self.table), ids, "id, version, state")
        known: dict[str, Any] = {key: self.restore(row) for key, row in rows.items()}
        fresh: set[str] = set()
        touched: dict[str, Any] = {}
        for event, _ in batch:
            key = str(event.originator_id)
            if isinstance(event, Created):
                known[key] = event.mutate(None)
                fresh.add(key)
            else:
                known[key] = event.mutate(known[key])
            touched[key] = known[key]
        for key, aggregate in touched.items():
            values = {
                "id": key,
                "version": aggregate.version,
                "state": json.dumps(Snapshot.take(aggregate).state),
                **self.columns(aggregate),
            }
            names = list(values)
            if key in fresh:
                tx.execute(
                    f"INSERT INTO {self.t(self.table)} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' * len(names))})",
                    tuple(values.values()),
                )
            else:
                tx.execute(
                    f"UPDATE {self.t(self.table)} SET "
                    f"{', '.join(f'{n} = ?' for n in names[1:])} WHERE id = ?",
                    (*list(values.values())[1:], key),
                )
            self.side_rows(tx, aggregate)

    def restore(self, row: dict[str, Any]) -> Any:
        """The aggregate the row holds, rebuilt from its state."""
        state = self.aggregate.State.model_validate_json(row["state"])
        return self.aggregate.restore(UUID(str(row["id"])), row["version"], state)

    def load(self, db: ViewDatabase, aggregate_id: str) -> tuple[Any, dict[str, Any]] | None:
        """The aggregate as the view holds it, and its row."""
        with db.read() as tx:
            rows = tx.query(f"SELECT * FROM {self.t(self.table)} WHERE id = ?", (aggregate_id,))
        return (self.restore(rows[0]), rows[0]) if rows else None


def day_text(day: date | None) -> str | None:
    """A day as a view column holds it."""
    return day.isoformat() if day else None
