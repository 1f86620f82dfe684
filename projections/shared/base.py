"""The base of every view, and the positions and dead letters every view shares."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.utils import get_topic

from adapters.shared.clock import system_clock
from adapters.shared.sql import Tx, ViewDatabase
from adapters.shared.topics import old_topics

if TYPE_CHECKING:
    from adapters.shared.settings import Settings

POSITIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_positions ("
    "name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT NOT NULL)"
)
DEAD_LETTERS_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_dead_letters ("
    "projection TEXT NOT NULL, position BIGINT NOT NULL, topic TEXT NOT NULL, "
    "originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
    "error TEXT NOT NULL, attempts INTEGER NOT NULL, parked_at TEXT NOT NULL, "
    "PRIMARY KEY (projection, position))"
)

SCHEMAS_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_schemas ("
    "name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)


TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_text(at: datetime) -> str:
    """A fixed-width UTC text that sorts as the instants do."""
    return at.astimezone(UTC).strftime(TIME_FORMAT)


def now_iso() -> str:
    """When a view's bookkeeping row was written (operations data, not a business instant)."""
    return system_clock().isoformat()


class View:
    """One view: its tables, the events it reads, and how each changes its rows.

    ``tables`` maps a base table name to its DDL statements, where ``{t}`` stands for the
    table's real name (a rebuild writes to suffixed copies) and ``{ix}`` for a unique
    index-name prefix. ``handlers`` maps an event class to the method applying it.

    Which style fits which view:

    - **A handler per event** (this class as it is): each handler writes the few columns
      its event changes. For views whose rows are a handful of columns set by a few events
      and no rule of the domain: clients, staff, funds, purchases, reviews. Where one kind
      of event is most of the stream, ``apply`` may write a run of them at once (the
      clients view's interactions).
    - **A batch in memory** (override ``apply``): the rows a batch touches are read once,
      each aggregate is rebuilt from its row once (``Aggregate.restore``), the batch's
      events replay on it, and each row is written once. For a view with many events per
      aggregate and rules to apply as they arrive (the tickets view and its SLA clocks).
    - **A document** (``projections.shared.documents.StateView``): the aggregate's whole
      state in a row, events replaying on it. For views that show nearly all of an
      aggregate with many rules (suppliers, CQP plans): the view cannot disagree with it.
    - **Raw records** (``raw = True``): every stored record, undecoded. For the audit log
      and its hash chain, which must read what was stored, byte for byte.
    """

    name: ClassVar[str]
    schema_version: ClassVar[int] = 1  # raise it when the tables change: the view rebuilds
    tables: ClassVar[dict[str, list[str]]]
    handlers: ClassVar[dict[type[Any], str]]
    raw: ClassVar[bool] = False  # True: apply gets the stored records, every topic
    # False: the view reads no personal field (a client's name, a ticket's subject): its
    # events' personal fields read as ERASED, never decrypted (one decryption a field a
    # view saved, a registration's five in every view that counts clients).
    personal: ClassVar[bool] = True
    # True: ``apply_bulk`` leaves work for ``settle`` (the worker then settles the view).
    defers: ClassVar[bool] = False
    # True: a rebuild makes its non-unique indexes after filling its tables (one sort
    # each, not an index entry at every row), but for those its writes read, named in
    # ``write_indexes`` as "table:suffix" (the ``{ix}_suffix`` of the statement).
    late_indexes: ClassVar[bool] = False
    write_indexes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self._dispatch: dict[str, Callable[[Tx, Any, int], None]] = {
            get_topic(cls): getattr(self, method) for cls, method in self.handlers.items()
        }
        self._topics = [t for topic in self._dispatch for t in (topic, *old_topics(topic))]

    @classmethod
    def configured(cls, settings: Settings) -> View:
        """The view as the settings configure it (a view with a policy overrides this)."""
        del settings
        return cls()

    def with_suffix(self, suffix: str) -> View:
        """The same view over other tables (a rebuild's shadow copy)."""
        return type(self)(suffix)

    @property
    def position_name(self) -> str:
        return self.name + self.suffix

    @property
    def topics(self) -> list[str]:
        """The topics of the events it reads, with the ones they had in earlier layouts."""
        return self._topics

    def t(self, base: str) -> str:
        """The real name of one of this view's tables."""
        return base + self.suffix

    def handle(self, tx: Tx, event: Any, position: int) -> None:
        self._dispatch[get_topic(type(event))](tx, event, position)

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """Apply a batch of (event, position) in order; a view may override it to read and
        write its rows once per batch."""
        for event, position in batch:
            self.handle(tx, event, position)

    def apply_runs(
        self,
        tx: Tx,
        batch: Sequence[tuple[Any, int]],
        kind: type[Any],
        write: Callable[[Tx, list[tuple[Any, int]]], None],
        commutes: tuple[type[Any], ...] = (),
    ) -> None:
        """Apply a batch in order, each run of ``kind`` events (most of a stream, where
        one kind is) handed to ``write`` at once, the others to their handlers. Events of
        the ``commutes`` kinds, which neither read nor write what ``write`` does, are
        handled as they come without ending the run."""
        run: list[tuple[Any, int]] = []
        for event, position in batch:
            if isinstance(event, kind):
                run.append((event, position))
                continue
            if run and not isinstance(event, commutes):
                write(tx, run)
                run = []
            self.handle(tx, event, position)
        if run:
            write(tx, run)

    def apply_bulk(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """Apply a batch far behind the head (a catch-up, a rebuild). A view whose
        aggregates cost more kept up event by event than computed once (the ticket
        statistics) may leave them for ``settle``, recording in its tables that it did, so
        its reads know and a crash leaves the mark for the next worker to settle."""
        self.apply(tx, batch)

    def settle(self, tx: Tx) -> None:
        """Compute what ``apply_bulk`` left, in the transaction that holds the position."""
        del tx

    def create(self, db: ViewDatabase, indexes: bool = True) -> None:
        """Create the tables that are missing, and the position row, in one transaction
        (a service starts with a round trip or two per view, not one per table); without
        their non-unique indexes if ``indexes`` is false (``create_indexes`` makes them).

        Tables of another schema version are dropped first, so the view is rebuilt from
        the events by its worker.
        """
        with db.transaction() as tx:
            tx.execute(POSITIONS_DDL)
            tx.execute(DEAD_LETTERS_DDL)
            tx.execute(SCHEMAS_DDL)
            rows = tx.query(
                "SELECT version FROM projection_schemas WHERE name = ?", (self.position_name,)
            )
            if (rows[0]["version"] if rows else None) != self.schema_version:
                self.drop(tx)
                tx.execute(
                    "INSERT INTO projection_schemas (name, version) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (self.position_name, self.schema_version),
                )
            existing = _existing(tx, [self.t(base) for base in self.tables])
            for base, statements in self.tables.items():
                if self.t(base) in existing:
                    continue
                token = secrets.token_hex(3)  # pragma: no mutate - only tells index names apart
                for statement in statements:
                    if indexes or not self._late(base, statement):
                        tx.execute(statement.format(t=self.t(base), ix=f"ix_{base}_{token}"))
            tx.execute(
                "INSERT INTO projection_positions (name, position, updated_at) VALUES (?, 0, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (self.position_name, now_iso()),
            )

    def create_indexes(self, db: ViewDatabase) -> None:
        """The non-unique indexes ``create`` left out."""
        with db.transaction() as tx:
            for base, statements in self.tables.items():
                token = secrets.token_hex(3)  # pragma: no mutate - only tells index names apart
                for statement in statements:
                    if self._late(base, statement):
                        tx.execute(statement.format(t=self.t(base), ix=f"ix_{base}_late_{token}"))

    def _late(self, base: str, statement: str) -> bool:
        """A non-unique index its writes do not read (a unique one is a rule the writes
        rely on: it is made with its table)."""
        if not statement.startswith("CREATE INDEX"):
            return False
        suffix = statement.removeprefix("CREATE INDEX {ix}_").split(" ", 1)[0]
        return f"{base}:{suffix}" not in self.write_indexes

    def drop(self, tx: Tx) -> None:
        for base in self.tables:
            tx.execute(f"DROP TABLE IF EXISTS {self.t(base)}")
        tx.execute("DELETE FROM projection_positions WHERE name = ?", (self.position_name,))
        tx.execute(
            "DELETE FROM projection_dead_letters WHERE projection = ?", (self.position_name,)
        )


def rows_by_id(
    tx: Tx,
    table: str,
    ids: Sequence[str],
    columns: str = "*",
    chunk: int = 500,  # pragma: no mutate - a page size
    key: str = "id",
) -> dict[str, dict[str, Any]]:
    """The rows of ``table`` whose ``key`` is one of ``ids``, by it: one query per
    ``chunk`` ids (views that apply a batch at once read every row it touches this way)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), chunk):  # pragma: no mutate - overlapping pages read the same
        part = list(ids[start : start + chunk])
        marks = ", ".join("?" * len(part))
        for row in tx.query(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})", part):
            found[row[key]] = dict(row)
    return found


def read_position(tx: Tx, name: str) -> int:
    rows = tx.query("SELECT position FROM projection_positions WHERE name = ?", (name,))
    return int(rows[0]["position"]) if rows else 0


def advance(tx: Tx, name: str, expected: int, new: int) -> bool:
    """Move a view's position from ``expected`` to ``new``; False if another moved it.

    Run first in each batch transaction: it locks the position row, so two workers (or a
    worker and a rebuild's swap) can never both apply the same events.
    """
    return (
        tx.execute(
            "UPDATE projection_positions SET position = ?, updated_at = ? "
            "WHERE name = ? AND position = ?",
            (new, now_iso(), name, expected),
        )
        == 1
    )


def park(
    tx: Tx,
    name: str,
    position: int,
    topic: str,
    originator_id: str,
    version: int,
    error: str,
    attempts: int,
) -> None:
    tx.execute(
        "INSERT INTO projection_dead_letters (projection, position, topic, originator_id, "
        "originator_version, error, attempts, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (projection, position) DO UPDATE SET error = excluded.error, "
        "attempts = excluded.attempts, parked_at = excluded.parked_at",
        (name, position, topic, originator_id, version, error[:2000], attempts, now_iso()),
    )


def positions(db: ViewDatabase) -> dict[str, int]:
    with db.read() as tx:
        rows = tx.query("SELECT name, position FROM projection_positions")
    return {r["name"]: int(r["position"]) for r in rows}


def dead_letters(db: ViewDatabase, name: str | None = None) -> list[dict[str, Any]]:
    query = "SELECT * FROM projection_dead_letters"
    params: tuple[Any, ...] = ()
    if name is not None:
        query += " WHERE projection = ?"
        params = (name,)
    with db.read() as tx:
        return tx.query(query + " ORDER BY projection, position", params)


def fragment(text: str) -> str:
    """A search fragment for ``LIKE '%…%'``, its wildcards taken out."""
    return text.replace("\\", "").replace("%", "").replace("_", "")


def _existing(tx: Tx, names: list[str]) -> set[str]:
    """Which of these tables exist (in the connection's schema)."""
    marks = ", ".join("?" for _ in names)
    if tx.dialect == "sqlite":
        query = f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})"
    else:
        query = (
            "SELECT table_name AS name FROM information_schema.tables "
            f"WHERE table_schema = current_schema() AND table_name IN ({marks})"
        )
    return {row["name"] for row in tx.query(query, names)} if names else set()
