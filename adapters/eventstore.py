"""The event store's configuration for the library, on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg import sql

from adapters.serialization import OrjsonTranscoder, PydanticMapper
from adapters.settings import Settings
from adapters.sql import ensure_postgres_schema


class OrderedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Inserts events with one database function call, in commit order.

    The library's own function skips the table lock, so with concurrent writers a later
    notification id could commit before an earlier one and a follower would pass over the
    earlier for good. This function takes the same ``EXCLUSIVE`` lock as the library's
    default path, keeping ids in commit order, in one round trip.
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = sql.Identifier(self.datastore.schema)
        self.pg_function_name_insert_events = (
            f"assure_insert_events_{self.datastore.originator_id_type}"
        )
        function = sql.Identifier(self.pg_function_name_insert_events)
        self.sql_invoke_pg_function_insert_events = sql.SQL(
            "SELECT * FROM {schema}.{function}((%s))"
        ).format(schema=schema, function=function)
        self.sql_create_statements[self.create_insert_function_statement_index] = sql.SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN "
            "SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state FROM unnest(events) "
            "RETURNING notification_id; END; $BODY$"
        ).format(
            schema=schema,
            function=function,
            event=sql.Identifier(self.stored_event_type_name),
            lock_timeout=self.datastore.lock_timeout,
            table=sql.Identifier(self.events_table_name),
            channel=sql.Identifier(self.channel_name),
        )


def event_store_env(settings: Settings) -> dict[str, str]:
    """The library's environment for our one event store."""
    env = {
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    }
    if settings.snapshot_intervals:
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
            POSTGRES_POOL_SIZE=str(settings.pool_size),
            POSTGRES_MAX_OVERFLOW=str(settings.pool_max_overflow),
            POSTGRES_LOCK_TIMEOUT="10",
            POSTGRES_ENABLE_DB_FUNCTIONS="y",
            APPLICATION_RECORDER_TOPIC=get_topic(OrderedPostgresApplicationRecorder),
        )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=str(settings.events_path),
            SQLITE_LOCK_TIMEOUT="10",
        )
    return env


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
