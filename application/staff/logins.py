"""The login throttle, and the record of failed and throttled logins."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta
from math import ceil
from uuid import uuid4

from application.shared.common import Commands
from application.shared.store import Store
from domain.shared.base import Context
from domain.shared.errors import Throttled
from domain.staff.logins import LoginAttempt, LoginPolicy, wait_after

MAX_KEYS = 100_000


class LoginCommands(Commands):
    """Counts failed logins per username and per address in this process (a lost count on
    restart only gives an attacker one more window), refuses attempts that must wait without
    hashing anything, and records each failure and each start of a wait as an event."""

    def __init__(self, store: Store, policy: LoginPolicy) -> None:
        super().__init__(store)
        self.policy = policy
        self._failures: defaultdict[str, deque[datetime]] = defaultdict(deque)
        self._in_flight: defaultdict[str, int] = defaultdict(int)
        self._waiting: dict[str, datetime] = {}  # until when each throttled key waits
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().casefold()}", f"address:{address}"

    @staticmethod
    def shown(username: str) -> str:
        """A tried username as it is counted and recorded: printable, at most 64 characters
        (whatever was typed into the field, a password by mistake included, goes no
        further)."""
        return "".join(c for c in username if c.isprintable())[:64]

    def admit(self, ctx: Context, username: str, address: str) -> None:
        """Let the attempt go on, or raise Throttled. Attempts still being checked count as
        failures, so parallel guesses cannot all slip in before the first one fails."""
        username = self.shown(username)
        keys = self._keys(username, address)
        with self._lock:
            wait = max(self._wait(key, ctx.at) for key in keys)
            if wait <= 0:
                for key in keys:
                    self._in_flight[key] += 1
                return
            starts = [k for k in keys if self._waiting.get(k, ctx.at) <= ctx.at]
            for key in keys:
                self._waiting[key] = ctx.at + timedelta(seconds=wait)
        if starts:
            self.save(LoginAttempt.throttled(ctx, uuid4(), username, address, wait))
        raise Throttled(f"too many failed logins: try again in {wait} s", retry_after=wait)

    def settle(self, ctx: Context, username: str, address: str, failed: str | None) -> None:
        """Count the attempt's outcome: ``failed`` is why it failed, None on success."""
        username = self.shown(username)
        keys = self._keys(username, address)
        with self._lock:
            for key in keys:
                self._in_flight[key] -= 1
                if self._in_flight[key] <= 0:
                    del self._in_flight[key]
            if failed is None:
                self._failures.pop(keys[0], None)  # the user is back; the address is not
            else:
                for key in keys:
                    self._failures[key].append(ctx.at)
        if failed is not None:
            self.save(LoginAttempt.failed(ctx, uuid4(), username, address, failed))

    def _wait(self, key: str, now: datetime) -> int:
        if len(self._failures) > MAX_KEYS:  # pragma: no mutate - a memory bound, not a rule
            self._forget_old(now)
        failures = self._failures.get(key, deque())
        window = timedelta(minutes=self.policy.window_minutes)
        while failures and now - failures[0] >= window:
            failures.popleft()
        pending = [now] * self._in_flight.get(key, 0)
        seconds = wait_after([*failures, *pending], now, self.policy).total_seconds()
        return ceil(seconds)

    def _forget_old(self, now: datetime) -> None:
        window = timedelta(minutes=self.policy.window_minutes)
        for key in [k for k, f in self._failures.items() if not f or now - f[-1] >= window]:
            del self._failures[key]
            self._waiting.pop(key, None)

    def save(self, attempt: LoginAttempt) -> None:
        self.store.save(attempt)
