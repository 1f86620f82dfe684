"""A batch's plain inserts waiting for one statement a table (``WriteBehind``), on each
store: a statement that names the table sees the rows, a table's rows keep their order,
an insert with a conflict clause goes after the rows before it, and nothing is lost at the
batch's end."""

from __future__ import annotations

from adapters.shared.sql import WriteBehind
from api.engine import Engine

TABLE = "wb_rows"


def rows(engine: Engine) -> list[tuple[int, str]]:
    with engine.db.read() as tx:
        found = tx.query(f"SELECT n, label FROM {TABLE} ORDER BY seq")
    return [(r["n"], r["label"]) for r in found]


def table(engine: Engine) -> None:
    with engine.db.transaction() as tx:
        tx.execute(f"DROP TABLE IF EXISTS {TABLE}")
        seq = "BIGSERIAL" if engine.db.dialect == "postgres" else "INTEGER"
        tx.execute(
            f"CREATE TABLE {TABLE} (seq {seq} PRIMARY KEY, n INTEGER NOT NULL UNIQUE, label TEXT)"
        )


def test_given_waiting_rows_when_a_statement_names_their_table_then_it_sees_them(
    engine: Engine,
) -> None:
    table(engine)
    # given two rows waiting
    with engine.db.transaction() as tx, tx.pipelined():
        writes = WriteBehind(tx)
        writes.insert(TABLE, ("n", "label"), [(1, "a")])
        writes.insert(TABLE, ("n", "label"), [(2, None)])
        # when a query names the table, then it sees both
        assert [r["n"] for r in writes.query(f"SELECT n FROM {TABLE} ORDER BY n")] == [1, 2]
        # and a change to the table applies to them
        writes.insert(TABLE, ("n", "label"), [(3, "c")])
        writes.execute(f"UPDATE {TABLE} SET label = 'x' WHERE n >= 2")
        writes.flush()
    assert rows(engine) == [(1, "a"), (2, "x"), (3, "x")]


def test_given_rows_of_other_columns_or_a_conflict_clause_then_the_tables_order_is_kept(
    engine: Engine,
) -> None:
    table(engine)
    with engine.db.transaction() as tx, tx.pipelined():
        writes = WriteBehind(tx)
        writes.insert(TABLE, ("n", "label"), [(1, "a"), (2, "b")])
        writes.insert(TABLE, ("n",), [(3,)])  # other columns: the rows before go first
        writes.insert(TABLE, ("n", "label"), [(4, "d")])
        # an upsert of a waiting row's key goes after it, so it updates it
        writes.insert(
            TABLE, ("n", "label"), [(4, "D")], then="ON CONFLICT (n) DO UPDATE SET label = 'D'"
        )
        writes.insert(TABLE, ("n", "label"), [(5, "e")])
        assert rows_in(writes) == 5  # the count reads the table: they are sent first
        writes.insert(TABLE, ("n", "label"), [(6, "f")])
        writes.flush()  # the batch's end: the last row is written too
    assert rows(engine) == [(1, "a"), (2, "b"), (3, None), (4, "D"), (5, "e"), (6, "f")]


def rows_in(writes: WriteBehind) -> int:
    [row] = writes.query(f"SELECT COUNT(*) AS n FROM {TABLE}")
    return int(row["n"])
