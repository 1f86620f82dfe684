"""How far a long task got, for whoever shows it: ``progress(what, done, total)``."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def quiet(what: str, done: int, total: int) -> None:
    """Shows nothing: the default of every long task."""
