"""The one clock: everything that asks "what time is it" asks this, so tests fix time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC, from the system clock."""
    return datetime.now(UTC)
