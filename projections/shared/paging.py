"""Cursor paging, one way for every list: a page ends with an opaque cursor naming its last
item's sort key; the next page starts after that key (keyset paging), so rows added or
removed meanwhile never shift an item into two pages or out of both.

``after`` and ``cut`` page a query in SQL; ``paged`` pages a list already in memory (the
short reference lists). A cursor that is not one of the list's is a 422 naming ``cursor``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from domain.shared.errors import InvalidField

T = TypeVar("T")
Key = tuple[str | int | float, ...]


def encode(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode(cursor: str, size: int | None) -> list[Any]:
    """The key a cursor names, of ``size`` scalars (any number if None)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        key = None
    if (
        not isinstance(key, list)
        or (size is not None and len(key) != size)
        or not all(isinstance(k, str | int | float) and not isinstance(k, bool) for k in key)
    ):
        raise InvalidField("cursor", "not a cursor from this list")
    return key


def after(
    columns: Sequence[str], cursor: str | None, descending: bool = False
) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) for rows after the cursor in the order of
    ``columns`` (all ascending, or all descending); ``1 = 1`` without a cursor."""
    if cursor is None:
        return "1 = 1", []
    key = decode(cursor, len(columns))
    op = "<" if descending else ">"
    clauses, params = [], []
    for i, column in enumerate(columns):
        equal = [f"{c} = ?" for c in columns[:i]]
        clauses.append("(" + " AND ".join([*equal, f"{column} {op} ?"]) + ")")
        params += [*key[:i], key[i]]
    return "(" + " OR ".join(clauses) + ")", params


def cut(
    rows: list[dict[str, Any]], limit: int, columns: Sequence[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of rows fetched with ``LIMIT limit + 1``, and the cursor after it (None on
    the last page)."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode([page[-1][c] for c in columns])


def paged(
    items: Sequence[T], key: Callable[[T], Key], limit: int, cursor: str | None
) -> tuple[list[T], str | None]:
    """A page of a list held in memory, in the order of ``key`` (unique per item)."""
    ordered = sorted(items, key=key)
    if cursor is not None:
        start = tuple(decode(cursor, len(key(ordered[0])) if ordered else None))
        try:
            ordered = [i for i in ordered if key(i) > start]
        except TypeError:
            raise InvalidField("cursor", "not a cursor from this list") from None
    if len(ordered) <= limit:
        return ordered, None
    page = ordered[:limit]
    return page, encode(key(page[-1]))
