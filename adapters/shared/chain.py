"""The audit hash chain, kept in the event store and written in the transaction that stores
the events it links, so every stored record is chained from the moment it exists.

``hash(n) = SHA-256(hash(n-1) || "position|originator id|version|topic|" || state)`` (the
separators are U+001F), from 32 zero bytes. The PostgreSQL insert function computes the
same in SQL (``adapters/shared/eventstore.py``); ``link`` is the one definition in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Protocol
from uuid import UUID

CHAIN_TABLE = "assure_chain"
GENESIS = bytes(32)
SEPARATOR = "\x1f"


def link(
    previous: bytes,
    position: int,
    originator_id: UUID | str,
    version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The chain's hash of one stored record after ``previous``."""
    head = SEPARATOR.join((str(position), str(originator_id), str(version), topic)) + SEPARATOR
    return hashlib.sha256(previous + head.encode() + state).digest()


def links(previous: bytes, records: Iterable[tuple[int, Any]]) -> list[tuple[int, bytes]]:
    """The chain rows of ``(position, stored event)`` pairs after ``previous``, in order."""
    rows = []
    for position, e in records:
        previous = link(previous, position, e.originator_id, e.originator_version, e.topic, e.state)
        rows.append((position, previous))
    return rows


class ChainTable(Protocol):
    """Where the store keeps its chain."""

    def chain_head(self) -> int:
        """The last chained position (0: none)."""
        ...

    def select_chain(self, after: int, upto: int) -> dict[int, bytes]:
        """The chain's hashes of the positions in ``(after, upto]``."""
        ...
