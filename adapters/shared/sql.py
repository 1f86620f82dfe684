"""The view database: the same small SQL dialect on SQLite and PostgreSQL.

Statements are written with ``?`` placeholders; on PostgreSQL they become ``%s``.
A transaction is the unit in which a projection writes its rows and its position.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import psycopg
from eventsourcing.persistence import InterfaceError as LibraryInterfaceError
from eventsourcing.persistence import OperationalError as LibraryOperationalError
from psycopg import pq, sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from adapters.shared.settings import Settings

Row = dict[str, Any]
Params = Sequence[Any]


class Tx(Protocol):
    """An open transaction on the view database."""

    dialect: str

    def execute(self, statement: str, params: Params = ()) -> int: ...

    def executemany(self, statement: str, rows: Sequence[Params]) -> None: ...

    def query(self, statement: str, params: Params = ()) -> list[Row]: ...

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], then: str = ""
    ) -> None:
        """Rows into ``table``; ``then`` may be an ``ON CONFLICT`` clause (the rows' keys
        then unique among them). On PostgreSQL one statement whatever the count: each
        column one array, sent in binary and unnested."""
        ...

    def pipelined(self) -> contextlib.AbstractContextManager[None]:
        """Send writes without waiting for each answer (errors surface on exit)."""
        ...


class WriteBehind:
    """A batch's transaction whose plain inserts (``insert`` without ``then``) wait, each
    table's rows together, until a statement names their table or the batch ends
    (``flush``): a view whose handlers insert a row an event writes a table's rows of a
    whole batch in one statement. A statement that reads or changes the table sees them:
    it is sent after them. ``memo`` holds what a view's handlers read once for the whole
    batch (a client's branch), for the batch only."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.dialect = tx.dialect
        self.memo: dict[tuple[str, str], Any] = {}
        self._waiting: dict[tuple[str, tuple[str, ...]], list[Params]] = {}

    def execute(self, statement: str, params: Params = ()) -> int:
        self.flush(statement)
        return self.tx.execute(statement, params)

    def executemany(self, statement: str, rows: Sequence[Params]) -> None:
        self.flush(statement)
        self.tx.executemany(statement, rows)

    def query(self, statement: str, params: Params = ()) -> list[Row]:
        self.flush(statement)
        return self.tx.query(statement, params)

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], then: str = ""
    ) -> None:
        if not rows:
            return
        key = (table, tuple(columns))
        if then or any(k[0] == table and k != key for k in self._waiting):
            self.flush(table)  # the table's rows keep their order
        if then:
            self.tx.insert(table, columns, rows, then)
        else:
            self._waiting.setdefault(key, []).extend(rows)

    def pipelined(self) -> contextlib.AbstractContextManager[None]:
        return self.tx.pipelined()

    def flush(self, statement: str | None = None) -> None:
        """Send the rows waiting for the tables ``statement`` names (all without one)."""
        for key in [k for k in self._waiting if statement is None or k[0] in statement]:
            self.tx.insert(*key, self._waiting.pop(key))


class ViewDatabase(Protocol):
    dialect: str

    def transaction(self) -> contextlib.AbstractContextManager[Tx]: ...

    def read(self) -> contextlib.AbstractContextManager[Tx]: ...

    def table_exists(self, name: str) -> bool: ...

    def tidy(self, tables: Sequence[str]) -> None:
        """After many rows changed at once: give the planner the tables' new statistics
        and, on PostgreSQL, clear their dead rows and mark their pages all-visible (index-
        only scans), whether or not the server's autovacuum is on."""
        ...

    def close(self) -> None: ...


MMAP_BYTES = 256 * 1024 * 1024


class _SQLiteTx:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, statement: str, params: Params = ()) -> int:
        return self.conn.execute(statement, tuple(params)).rowcount

    def executemany(self, statement: str, rows: Sequence[Params]) -> None:
        self.conn.executemany(statement, [tuple(r) for r in rows])

    def query(self, statement: str, params: Params = ()) -> list[Row]:
        cursor = self.conn.execute(statement, tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], then: str = ""
    ) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {then}",
            [tuple(r) for r in rows],
        )

    def pipelined(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # in-process: there is no round trip to save


class SQLiteViews:
    """Views in one SQLite file (WAL), one connection per thread."""

    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            # Reads through a memory map: the views are read far more than written.
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SQLiteTx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield _SQLiteTx(conn)
        finally:
            conn.execute("ROLLBACK")

    def table_exists(self, name: str) -> bool:
        with self.read() as tx:
            rows = tx.query(
                "SELECT 1 AS x FROM sqlite_master WHERE type='table' AND name=?", (name,)
            )
        return bool(rows)

    def tidy(self, tables: Sequence[str]) -> None:
        with self.transaction() as tx:
            for table in tables:
                tx.execute(f"ANALYZE {table}")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class _PostgresTx:
    dialect = "postgres"

    def __init__(self, conn: psycopg.Connection[Row], types: dict[str, dict[str, str]]) -> None:
        self.conn = conn
        self.types = types  # the column types of each table written by ``insert``

    def execute(self, statement: str, params: Params = ()) -> int:
        cursor = self.conn.execute(_pg(statement), tuple(params))
        return cursor.rowcount

    def executemany(self, statement: str, rows: Sequence[Params]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(_pg(statement), [tuple(r) for r in rows])

    def query(self, statement: str, params: Params = ()) -> list[Row]:
        return self.conn.execute(_pg(statement), tuple(params)).fetchall()

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], then: str = ""
    ) -> None:
        if not rows:
            return
        types = self._types_of(table)
        kinds = [types[c] for c in columns]
        columns_of_rows = zip(*rows, strict=True)
        arrays = [_typed(kind, values) for kind, values in zip(kinds, columns_of_rows, strict=True)]
        if not then and self.conn.pgconn.pipeline_status == pq.PipelineStatus.OFF:
            # Outside a pipeline (where COPY cannot run), COPY: its rows are formatted in
            # C, four times as fast as the arrays are dumped.
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in zip(*arrays, strict=True):
                    copy.write_row(row)
            return
        self.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT * FROM unnest({', '.join(f'%b::{kind}[]' for kind in kinds)}) {then}",
            arrays,
        )

    def _types_of(self, table: str) -> dict[str, str]:
        """A table's column types, read from the catalogue once (a view's tables keep
        their columns for the life of a process: a new layout is a new schema version,
        created as a service starts)."""
        found = self.types.get(table)
        if found is None:
            rows = self.conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) AS kind FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (table,),
            ).fetchall()
            found = self.types[table] = {r["attname"]: r["kind"] for r in rows}
        return found

    @contextlib.contextmanager
    def pipelined(self) -> Iterator[None]:
        with self.conn.pipeline():
            yield


def _pg(statement: str) -> Any:
    return statement.replace("?", "%s")


def _typed(kind: str, values: Sequence[Any]) -> list[Any]:
    """A column's values as one array of its type: psycopg dumps a list of one Python
    type only (an int among floats, a bool among ints are made the column's type)."""
    if kind == "double precision":
        return [None if v is None else float(v) for v in values]
    if kind in ("integer", "bigint", "smallint"):
        return [None if v is None else int(v) for v in values]
    return list(values)


class PostgresViews:
    """Views in the configured PostgreSQL schema, through a connection pool."""

    dialect = "postgres"

    def __init__(self, settings: Settings) -> None:
        self.schema = settings.database_schema
        self.conninfo = conninfo(settings)
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            self.conninfo,
            min_size=1,
            max_size=settings.connections.views,
            # JIT compiling pays off for long analytical queries; a view's queries take
            # milliseconds, and a stale plan's estimate would have them compiled (20-40 ms).
            kwargs={
                "row_factory": dict_row,
                "options": f"-c search_path={self.schema} -c jit=off",
            },
            # A connection the server ended (restart, failover) is replaced on use.
            check=ConnectionPool.check_connection,
            open=True,
        )
        self._types: dict[str, dict[str, str]] = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.pool.connection() as conn, conn.transaction():
            yield _PostgresTx(conn, self._types)

    @contextlib.contextmanager
    def read(self) -> Iterator[Tx]:
        with self.pool.connection() as conn, conn.transaction(force_rollback=True):
            yield _PostgresTx(conn, self._types)

    def table_exists(self, name: str) -> bool:
        with self.read() as tx:
            rows = tx.query(
                "SELECT 1 AS x FROM information_schema.tables "
                "WHERE table_schema = ? AND table_name = ?",
                (self.schema, name),
            )
        return bool(rows)

    def tidy(self, tables: Sequence[str]) -> None:
        with self.connect() as conn:  # VACUUM runs outside a transaction
            for table in tables:
                conn.execute(
                    sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(self.schema, table))
                )

    def connect(self) -> psycopg.Connection[Row]:
        """A dedicated connection (advisory locks, LISTEN), outside the pool."""
        return psycopg.connect(self.conninfo, autocommit=True, row_factory=dict_row)

    def close(self) -> None:
        self.pool.close()


def is_disconnect(error: BaseException) -> bool:
    """Whether the database went away (a restart, a failover, a network cut) rather than
    refusing the statement: the same work may succeed on a new connection."""
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        state = error.sqlstate or ""
        return state == "" or state.startswith(("08", "57P"))
    return isinstance(error, LibraryOperationalError | LibraryInterfaceError)


def conninfo(settings: Settings) -> str:
    return psycopg.conninfo.make_conninfo("", **settings.postgres_params())


def ensure_postgres_schema(settings: Settings) -> None:
    """Create the configured schema if it is missing (tests use one schema each)."""
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(settings.database_schema)
            )
        )


@contextlib.contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Serialise table and function creation between processes starting together.

    PostgreSQL fails concurrent ``CREATE OR REPLACE FUNCTION`` or ``CREATE TABLE IF NOT
    EXISTS`` of the same object ("tuple concurrently updated"), so start-up takes a lock.
    """
    if not settings.is_postgres:
        yield
        return
    ensure_postgres_schema(settings)
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        key = f"assure-schema:{settings.database_schema}"
        conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))


def open_views(settings: Settings) -> SQLiteViews | PostgresViews:
    if settings.is_postgres:
        ensure_postgres_schema(settings)
        return PostgresViews(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLiteViews(settings.views_path)
