"""The event store's configuration for the library, on SQLite or PostgreSQL."""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import orjson
import psycopg
import psycopg_pool
from eventsourcing.persistence import (
    ApplicationRecorder,
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg import sql

from adapters.shared.chain import CHAIN_TABLE, GENESIS, ChainTable, links
from adapters.shared.personal import KEYS_TABLE, KeyRing, KeyTable
from adapters.shared.serialization import OrjsonTranscoder, PydanticMapper
from adapters.shared.settings import Settings
from adapters.shared.sql import ensure_postgres_schema, is_disconnect
from adapters.shared.sqlite_recorder import KeyedSQLiteApplicationRecorder


class LifoConnectionPool(psycopg_pool.ConnectionPool[Any]):
    """A pool that hands out the connection returned last.

    psycopg's pool is FIFO: a single writer then cycles through every idle connection,
    each with its own server process to wake, which here costs about a third of a
    single-event command. Taking the most recent one keeps one hot connection busy.
    """

    def _get_ready_connection(self, timeout: float | None) -> Any:
        self._pool.rotate(1)  # the most recently returned connection comes first
        return super()._get_ready_connection(timeout)


class OrderedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Inserts a command's events with one database function call, in commit order.

    The library's own function skips the table lock, so with concurrent writers a later
    notification id could commit before an earlier one and a follower would pass over the
    earlier for good. This function takes the same ``EXCLUSIVE`` lock as the library's
    default path, keeping ids in commit order, in one round trip. It takes four plain
    arrays rather than an array of a composite type, which psycopg adapts much faster.
    """

    keyring: KeyRing | None = None

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = sql.Identifier(self.datastore.schema)
        function = sql.Identifier("assure_insert_events")
        keys = sql.Identifier(KEYS_TABLE)
        chain = sql.Identifier(CHAIN_TABLE)
        # Composed once: psycopg would compose an ``sql.SQL`` again on every write.
        self.sql_assure_insert = (
            sql.SQL("SELECT * FROM {schema}.{function}(%s::jsonb, %s::jsonb)")
            .format(schema=schema, function=function)
            .as_bytes(None)
        )
        self.sql_create_statements.insert(
            self.create_insert_function_statement_index,
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{keys} (subject_id uuid PRIMARY KEY, "
                "key bytea, created_at timestamptz NOT NULL DEFAULT now(), "
                "destroyed_at timestamptz)"
            ).format(schema=schema, keys=keys),
        )
        self.create_insert_function_statement_index += 1
        self.sql_create_statements.insert(
            self.create_insert_function_statement_index,
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{chain} "
                "(position bigint PRIMARY KEY, hash bytea NOT NULL)"
            ).format(schema=schema, chain=chain),
        )
        self.create_insert_function_statement_index += 1
        # The events, their keys and their chain rows in one statement: the chain link is
        # the SQL twin of ``adapters.shared.chain.link``.
        self.sql_create_statements[self.create_insert_function_statement_index] = sql.SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events jsonb, keys jsonb) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
            "DECLARE previous bytea; r record; positions bigint[]; hashes bytea[]; BEGIN "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "INSERT INTO {schema}.{keys} (subject_id, key) "
            "SELECT (k->>0)::uuid, decode(k->>1, 'base64') FROM jsonb_array_elements(keys) k; "
            "SELECT c.hash INTO previous FROM {schema}.{chain} c "
            "ORDER BY c.position DESC LIMIT 1; "
            "IF previous IS NULL THEN previous := decode(repeat('00', 32), 'hex'); END IF; "
            "FOR r IN WITH inserted AS (INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state) "
            "SELECT (x.e->>0)::uuid, (x.e->>1)::bigint, x.e->>2, decode(x.e->>3, 'base64') "
            "FROM jsonb_array_elements(events) WITH ORDINALITY AS x(e, n) ORDER BY x.n "
            "RETURNING t.notification_id, t.originator_id, t.originator_version, t.topic, "
            "t.state) SELECT * FROM inserted ORDER BY notification_id LOOP "
            "previous := sha256(previous || convert_to(r.notification_id::text || chr(31) || "
            "r.originator_id::text || chr(31) || r.originator_version::text || chr(31) || "
            "r.topic || chr(31), 'UTF8') || r.state); "
            "positions := positions || r.notification_id; hashes := hashes || previous; "
            "RETURN NEXT r.notification_id; END LOOP; "
            "INSERT INTO {schema}.{chain} (position, hash) "
            "SELECT * FROM unnest(positions, hashes); "
            "END; $BODY$"
        ).format(
            schema=schema,
            function=function,
            table=sql.Identifier(self.events_table_name),
            channel=sql.Identifier(self.channel_name),
            keys=keys,
            chain=chain,
        )
        self.sql_chain_head = sql.SQL("SELECT MAX(position) AS head FROM {}.{}").format(
            schema, chain
        )
        self.sql_select_chain = sql.SQL(
            "SELECT position, hash FROM {}.{} WHERE position > %s AND position <= %s"
        ).format(schema, chain)
        self.sql_destroy_key = sql.SQL(
            "UPDATE {}.{} SET key = NULL, destroyed_at = %s "
            "WHERE subject_id = %s AND key IS NOT NULL"
        ).format(schema, keys)
        self.sql_key_rows = sql.SQL(
            "SELECT subject_id, key FROM {}.{} WHERE key IS NOT NULL AND subject_id > %s "
            "ORDER BY subject_id LIMIT %s"
        ).format(schema, keys)
        self.sql_replace_key = sql.SQL(
            "UPDATE {}.{} SET key = %s WHERE subject_id = %s AND key IS NOT NULL"
        ).format(schema, keys)
        self.sql_select_keys = sql.SQL(
            "SELECT subject_id, key FROM {}.{} WHERE subject_id = ANY(%s)"
        ).format(schema, keys)
        library_pool = self.datastore.pool
        self.writers = LifoConnectionPool(
            library_pool.conninfo,
            kwargs=library_pool.kwargs,
            min_size=1,
            max_size=library_pool.max_size,
            configure=_writer_session(self.datastore.lock_timeout),
            open=False,
        )

    def create_table(self) -> None:
        """The tables; a store written before the chain moved into it is chained now, once:
        when its chain table is created."""
        name = f"{self.datastore.schema}.{CHAIN_TABLE}"
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT to_regclass(%s) IS NOT NULL AS existed", (name,))
            row = curs.fetchone()
        super().create_table()
        if not (row and row["existed"]):
            self.adopt_chain()

    def insert_events(self, stored_events: Sequence[StoredEvent], **_: Any) -> list[int]:
        keys = self.keyring.take_pending() if self.keyring else {}
        # JSON parameters: psycopg adapts them far faster than arrays.
        params = (
            orjson.dumps(
                [
                    (
                        str(e.originator_id),
                        e.originator_version,
                        e.topic,
                        base64.b64encode(e.state).decode(),
                    )
                    for e in stored_events
                ]
            ).decode(),
            orjson.dumps(
                [
                    (str(k), base64.b64encode(v).decode())
                    for k, v in (self.keyring.for_storage(keys) if self.keyring else {}).items()
                ]
            ).decode(),
        )
        if self.writers.closed:
            self.writers.open(wait=True)
        try:
            try:
                ids = self._insert(params)
            except psycopg.Error as e:
                if not is_disconnect(e):
                    raise
                # The server ended the session (a restart, a failover): the insert is one
                # statement, so it either committed or not. Once more on a new connection;
                # a duplicate then means the first one did commit. The idle connections
                # went with it: the pool checks them first.
                self.writers.check()
                try:
                    ids = self._insert(params)
                except psycopg.IntegrityError:
                    ids = self._already_stored(stored_events)
        except psycopg.Error as e:
            raise persistence_error(e) from e
        if keys and self.keyring:
            self.keyring.stored(keys)
        return ids

    def _insert(self, params: tuple[str, str]) -> list[int]:
        with self.writers.connection() as conn, conn.cursor() as cursor:
            cursor.execute(self.sql_assure_insert, params, prepare=True)
            return [row["assure_insert_events"] for row in cursor.fetchall()]

    def _already_stored(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        """The positions of these very records if they are stored, else IntegrityError."""
        table = sql.Identifier(self.datastore.schema, self.events_table_name)
        ids = []
        with self.writers.connection() as conn, conn.cursor() as cursor:
            for e in stored_events:
                row = cursor.execute(
                    sql.SQL(
                        "SELECT notification_id, topic, state FROM {} "
                        "WHERE originator_id = %s AND originator_version = %s"
                    ).format(table),
                    (e.originator_id, e.originator_version),
                ).fetchone()
                if row is None or (row["topic"], bytes(row["state"])) != (e.topic, e.state):
                    msg = f"{e.originator_id}@{e.originator_version} is stored already"
                    raise psycopg.IntegrityError(msg)
                ids.append(int(row["notification_id"]))
        return ids

    def chain_head(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.sql_chain_head)
            row = curs.fetchone()
        return int(row["head"] or 0) if row else 0

    def select_chain(self, after: int, upto: int) -> dict[int, bytes]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.sql_select_chain, (after, upto))
            return {int(r["position"]): bytes(r["hash"]) for r in curs.fetchall()}

    def adopt_chain(self, page: int = 5_000) -> int:
        """Chain every stored record of a store whose chain is empty (written before the
        chain moved into the store); 0 when the chain has begun."""
        schema = sql.Identifier(self.datastore.schema)
        table, chain = sql.Identifier(self.events_table_name), sql.Identifier(CHAIN_TABLE)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(schema, table))
            curs.execute(sql.SQL("SELECT 1 AS x FROM {}.{} LIMIT 1").format(schema, chain))
            if curs.fetchone():
                return 0
            previous, chained, after = GENESIS, 0, 0
            while True:
                curs.execute(
                    sql.SQL(
                        "SELECT notification_id, originator_id, originator_version, topic, "
                        "state FROM {}.{} WHERE notification_id > %s "
                        "ORDER BY notification_id LIMIT %s"
                    ).format(schema, table),
                    (after, page),
                )
                rows = curs.fetchall()
                if not rows:
                    return chained
                records = [(int(r["notification_id"]), _record(r)) for r in rows]
                hashed = links(previous, records)
                curs.executemany(
                    sql.SQL("INSERT INTO {}.{} (position, hash) VALUES (%s, %s)").format(
                        schema, chain
                    ),
                    hashed,
                )
                previous, chained, after = hashed[-1][1], chained + len(rows), records[-1][0]

    def limit_writers(self, count: int) -> None:
        """At most ``count`` connections insert at once (the process's budget)."""
        self.writers.resize(1, count)

    def destroy_key(self, subject: UUID, at: datetime) -> bool:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql_destroy_key, (at, subject))
            return curs.rowcount > 0

    def key_rows(self, after: UUID | None, limit: int) -> list[tuple[UUID, bytes]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.sql_key_rows, (after or UUID(int=0), limit))
            return [(r["subject_id"], bytes(r["key"])) for r in curs.fetchall()]

    def replace_keys(self, rows: dict[UUID, bytes]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(
                self.sql_replace_key, [(key, subject) for subject, key in rows.items()]
            )

    def select_keys(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.sql_select_keys, (subjects,))
            return {row["subject_id"]: row["key"] for row in curs.fetchall()}

    def close(self) -> None:
        self.writers.close()


# psycopg's errors as the library's own family, whose names they share (PEP 249).
LIBRARY_ERRORS: list[tuple[type[psycopg.Error], type[PersistenceError]]] = [
    (psycopg.IntegrityError, IntegrityError),
    (psycopg.DataError, DataError),
    (psycopg.OperationalError, OperationalError),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.InternalError, InternalError),
    (psycopg.NotSupportedError, NotSupportedError),
    (psycopg.InterfaceError, InterfaceError),
    (psycopg.DatabaseError, DatabaseError),
]


def persistence_error(error: psycopg.Error) -> PersistenceError:
    """The library's error for a psycopg one (its type and SQLSTATE; never a value)."""
    kind = next((ours for theirs, ours in LIBRARY_ERRORS if isinstance(error, theirs)), None)
    return (kind or PersistenceError)(f"{type(error).__name__} (SQLSTATE {error.sqlstate})")


class _Record(NamedTuple):
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def _record(row: dict[str, Any]) -> _Record:
    return _Record(
        row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
    )


def chain_table(recorder: ApplicationRecorder) -> ChainTable:
    """The store's audit chain: our recorders keep it beside the events."""
    if isinstance(recorder, OrderedPostgresApplicationRecorder | KeyedSQLiteApplicationRecorder):
        return recorder
    msg = f"{type(recorder).__name__} keeps no audit chain"
    raise TypeError(msg)


def key_table(recorder: ApplicationRecorder) -> KeyTable:
    """The store's personal data key table: our recorders hold it beside the events."""
    if isinstance(recorder, OrderedPostgresApplicationRecorder | KeyedSQLiteApplicationRecorder):
        return recorder
    msg = f"{type(recorder).__name__} keeps no personal data keys"
    raise TypeError(msg)


def _writer_session(lock_timeout: int) -> Callable[[psycopg.Connection[Any]], None]:
    def configure(conn: psycopg.Connection[Any]) -> None:
        conn.autocommit = True
        conn.execute(sql.SQL("SET lock_timeout = {}").format(f"{lock_timeout}s"))

    return configure


def event_store_env(settings: Settings, *, snapshotting: bool = True) -> dict[str, str]:
    """The library's environment for our one event store."""
    env = {
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    }
    if snapshotting:
        env["IS_SNAPSHOTTING_ENABLED"] = "y"
    if settings.is_postgres:
        ensure_postgres_schema(settings)
        params = settings.postgres_params()
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=params["dbname"],
            POSTGRES_HOST=params["host"],
            POSTGRES_PORT=params["port"],
            POSTGRES_USER=params["user"],
            POSTGRES_PASSWORD=params["password"],
            POSTGRES_SCHEMA=settings.database_schema,
            POSTGRES_POOL_SIZE="1",
            POSTGRES_MAX_OVERFLOW=str(settings.connections.readers - 1),
            POSTGRES_LOCK_TIMEOUT="10",
            APPLICATION_RECORDER_TOPIC=get_topic(OrderedPostgresApplicationRecorder),
        )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=str(settings.events_path),
            SQLITE_LOCK_TIMEOUT="10",
            APPLICATION_RECORDER_TOPIC=get_topic(KeyedSQLiteApplicationRecorder),
        )
    return env


def positions_of(recorder: ApplicationRecorder, originator_id: UUID) -> dict[int, int]:
    """The notification id (position) of each stored event of one aggregate, by version."""
    rows: list[Any]
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = sql.SQL(
            "SELECT originator_version, notification_id FROM {}.{} WHERE originator_id = %s"
        ).format(
            sql.Identifier(recorder.datastore.schema),
            sql.Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (originator_id,))
            rows = [(r["originator_version"], r["notification_id"]) for r in curs.fetchall()]
    else:
        assert isinstance(recorder, SQLiteApplicationRecorder)
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT originator_version, rowid FROM {recorder.events_table_name} "
                "WHERE originator_id = ?",
                (originator_id.hex,),
            )
            rows = [tuple(r) for r in cursor.fetchall()]
    return {int(version): int(position) for version, position in rows}


def position_of(recorder: ApplicationRecorder, originator_id: UUID, version: int) -> int:
    """The notification id (position) of one stored event."""
    row: Any
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = sql.SQL(
            "SELECT notification_id FROM {}.{} WHERE originator_id = %s AND originator_version = %s"
        ).format(
            sql.Identifier(recorder.datastore.schema),
            sql.Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (originator_id, version))
            row = curs.fetchone()
            return int(row["notification_id"]) if row else 0
    assert isinstance(recorder, SQLiteApplicationRecorder)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT rowid FROM {recorder.events_table_name} "
            "WHERE originator_id = ? AND originator_version = ?",
            (originator_id.hex, version),
        )
        row = cursor.fetchone()
        return int(row[0]) if row else 0


def latest_of(
    recorder: ApplicationRecorder, snapshots: Any, originator_id: UUID
) -> tuple[StoredEvent | None, list[StoredEvent]] | None:
    """An aggregate's latest snapshot and the events after it, in one query: on
    PostgreSQL one round trip instead of the library's two. None where the library's own
    way is as good (SQLite reads in process)."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        return None
    statement = _latest_statement(
        recorder.datastore.schema, snapshots.events_table_name, recorder.events_table_name
    )
    # in binary: a snapshot's state comes as its bytes, not as hex twice their size
    with recorder.datastore.get_connection() as conn, conn.cursor(binary=True) as curs:
        curs.execute(statement, {"id": originator_id}, prepare=True)
        rows = curs.fetchall()
    stored = [
        (
            row["snapshot"],
            StoredEvent(
                originator_id=originator_id,
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            ),
        )
        for row in rows
    ]
    snapshot = next((s for flag, s in stored if flag), None)
    events = sorted((s for flag, s in stored if not flag), key=lambda e: e.originator_version)
    return snapshot, events


@functools.lru_cache(maxsize=8)  # pragma: no mutate - a cache's bound
def _latest_statement(schema: str, snapshots: str, events: str) -> sql.Composed:
    """``latest_of``'s query, composed once per store (every load on PostgreSQL runs it)."""
    return sql.SQL(
        "WITH s AS (SELECT originator_version, topic, state FROM {schema}.{snapshots} "
        "WHERE originator_id = %(id)s ORDER BY originator_version DESC LIMIT 1) "
        "SELECT 1 AS snapshot, originator_version, topic, state FROM s UNION ALL "
        "(SELECT 0, originator_version, topic, state FROM {schema}.{events} "
        "WHERE originator_id = %(id)s "
        "AND originator_version > COALESCE((SELECT originator_version FROM s), 0) "
        "ORDER BY originator_version)"
    ).format(
        schema=sql.Identifier(schema),
        snapshots=sql.Identifier(snapshots),
        events=sql.Identifier(events),
    )
