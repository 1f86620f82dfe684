"""Reads waiting for the views to reach a position (``?min_position=``), without a thread."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence


class TooManyWaiting(Exception):
    """More reads wait than the policy allows (503 with Retry-After)."""


class BeyondHead(Exception):
    """The position asked for is past the store's last one: no write has reached it."""

    def __init__(self, head: int) -> None:
        super().__init__(f"the store's last position is {head}")
        self.head = head


class PositionWaits:
    """Every waiting read of one app: none holds a thread while it waits, one query of the
    positions table (at most every ``interval`` seconds) serves all of them, and at most
    ``limit`` wait at once. A position past the store's head is refused at once (no write
    answered it, so waiting could only time out)."""

    def __init__(
        self,
        read: Callable[[], dict[str, int]],
        limit: int,
        interval: float = 0.02,
        head: Callable[[], int] | None = None,
    ) -> None:
        self._read = read
        self._head = head
        self.limit = limit
        self.interval = interval
        self.waiting = 0
        self._known: dict[str, int] = {}
        self._read_at = -math.inf
        self._reading: asyncio.Future[None] | None = None

    async def reached(self, position: int, names: Sequence[str], timeout: float) -> bool:
        """Whether the named views reach ``position`` within ``timeout`` seconds."""
        if self.waiting >= self.limit:
            raise TooManyWaiting
        self.waiting += 1
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            checked = self._head is None
            while True:
                known = await self._positions(loop)
                if all(known.get(name, 0) >= position for name in names):
                    return True
                if not checked and self._head is not None:
                    checked = True
                    head = await asyncio.to_thread(self._head)
                    if position > head:
                        raise BeyondHead(head)
                left = deadline - loop.time()
                if left <= 0:
                    return False
                await asyncio.sleep(min(self.interval, left))
        finally:
            self.waiting -= 1

    async def _positions(self, loop: asyncio.AbstractEventLoop) -> dict[str, int]:
        if self._reading is None and loop.time() - self._read_at >= self.interval:
            self._reading = asyncio.ensure_future(self._refresh(loop))
        if self._reading is not None:
            await asyncio.shield(self._reading)  # one read for every waiter
        return self._known

    async def _refresh(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            self._known = await asyncio.to_thread(self._read)
            self._read_at = loop.time()
        finally:
            self._reading = None
