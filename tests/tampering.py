"""What an insider with write access to the database could do behind the engine's back:
rewrite or delete a stored record, or a row of a view table. For the tests that prove the
engine notices (the hash chain, decision replay)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any
from uuid import UUID, uuid4

import orjson
import psycopg
from psycopg import sql

from api.engine import Engine
from tests.conftest import PG_URL


def _events_table(engine: Engine) -> str:
    return str(getattr(engine.store.recorder, "events_table_name", "stored_events"))


def _key(engine: Engine) -> str:
    return "notification_id" if engine.settings.is_postgres else "rowid"


def execute(engine: Engine, statement: str, params: tuple[Any, ...], *, views: bool) -> Any:
    """Run one statement (``{table}`` marks unquoted names, ``?`` the parameters) on the
    events store or the views database; the rows it returns, if any."""
    s = engine.settings
    if s.is_postgres:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(s.database_schema)))
            cursor = conn.execute(statement.replace("?", "%s").encode(), params)
            return cursor.fetchall() if cursor.description else None
    path = s.views_path if views else s.events_path
    with closing(sqlite3.connect(path)) as lite, lite:
        return lite.execute(statement, params).fetchall()


def record(engine: Engine, position: int) -> dict[str, Any]:
    """The stored record at ``position``: originator_id, originator_version, topic, state."""
    columns = ("originator_id", "originator_version", "topic", "state")
    [row] = execute(
        engine,
        f"SELECT {', '.join(columns)} FROM {_events_table(engine)} WHERE {_key(engine)} = ?",
        (position,),
        views=False,
    )
    found = dict(zip(columns, row, strict=True))
    found["state"] = bytes(found["state"])
    return found


def rewrite_record(engine: Engine, position: int, **columns: Any) -> None:
    """Overwrite some columns of the stored record at ``position``."""
    sets = ", ".join(f"{name} = ?" for name in columns)
    values = [
        str(v) if isinstance(v, UUID) and not engine.settings.is_postgres else v
        for v in columns.values()
    ]
    execute(
        engine,
        f"UPDATE {_events_table(engine)} SET {sets} WHERE {_key(engine)} = ?",
        (*values, position),
        views=False,
    )


def forge_record(engine: Engine) -> int:
    """Append a copy of the last stored record as a new aggregate's first event, straight
    into the events table (as with the server down); its position."""
    last = engine.store.recorder.max_notification_id() or 0
    forged = record(engine, last)
    originator = uuid4()
    execute(
        engine,
        f"INSERT INTO {_events_table(engine)} (originator_id, originator_version, topic, state) "
        "VALUES (?, 1, ?, ?)",
        (
            originator if engine.settings.is_postgres else originator.hex,
            forged["topic"],
            forged["state"],
        ),
        views=False,
    )
    return int(engine.store.recorder.max_notification_id() or 0)


def delete_record(engine: Engine, position: int) -> None:
    execute(
        engine,
        f"DELETE FROM {_events_table(engine)} WHERE {_key(engine)} = ?",
        (position,),
        views=False,
    )


def position_of(engine: Engine, aggregate_id: UUID, version: int) -> int:
    """Where one event of an aggregate is stored."""
    [found] = [
        n.id
        for n in engine.store.recorder.select_notifications(1, 100_000)
        if n.originator_id == aggregate_id and n.originator_version == version
    ]
    return found


def replace_bytes(engine: Engine, aggregate_id: UUID, version: int, old: bytes, new: bytes) -> None:
    """Replace bytes (which must be there) in the stored state of one event."""
    position = position_of(engine, aggregate_id, version)
    state = record(engine, position)["state"]
    assert old in state
    rewrite_record(engine, position, state=state.replace(old, new))


def edit_state(
    engine: Engine, aggregate_id: UUID, version: int, change: Callable[[dict[str, Any]], object]
) -> None:
    """Rewrite the stored JSON state of one event through ``change`` (which edits it)."""
    position = position_of(engine, aggregate_id, version)
    state = orjson.loads(record(engine, position)["state"])
    change(state)
    rewrite_record(engine, position, state=orjson.dumps(state))
