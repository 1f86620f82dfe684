"""Failed logins: the throttle's rule, and the record compliance reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.shared.base import Aggregate, Context, Created


class LoginPolicy(BaseModel):
    """After ``max_failures`` failed logins for one username, or from one address, within
    ``window_minutes``, further attempts wait: ``first_wait_seconds`` after the latest
    failure, doubling with each further failure, never longer than the window."""

    model_config = ConfigDict(frozen=True)

    max_failures: int = Field(default=5, ge=1)
    window_minutes: int = Field(default=15, ge=1)
    first_wait_seconds: int = Field(default=60, ge=1)


def wait_after(failures: Sequence[datetime], now: datetime, policy: LoginPolicy) -> timedelta:
    """How long a further attempt must wait after these failures (zero: it may go on)."""
    window = timedelta(minutes=policy.window_minutes)
    recent = sorted(f for f in failures if now - f < window)
    if len(recent) < policy.max_failures:
        return timedelta(0)
    doublings = len(recent) - policy.max_failures
    wait = min(timedelta(seconds=policy.first_wait_seconds * 2**doublings), window)
    return max(recent[-1] + wait - now, timedelta(0))


class LoginAttempt(Aggregate):
    """A login that failed or was throttled; never the password that was tried."""

    username: str
    address: str
    outcome: str

    class Failed(Created):
        username: str
        address: str
        reason: str  # unknown user, wrong password, account disabled

        def apply(self, aggregate: LoginAttempt) -> None:
            aggregate.username = self.username
            aggregate.address = self.address
            aggregate.outcome = "failed"

    class Throttled(Created):
        username: str
        address: str
        retry_after: int  # seconds

        def apply(self, aggregate: LoginAttempt) -> None:
            aggregate.username = self.username
            aggregate.address = self.address
            aggregate.outcome = "throttled"

    @classmethod
    def failed(
        cls, ctx: Context, attempt_id: UUID, username: str, address: str, reason: str
    ) -> LoginAttempt:
        """Record a login refused for a wrong username or password, or a disabled account."""
        return cls._start(
            cls.Failed, ctx, attempt_id, username=username, address=address, reason=reason
        )

    @classmethod
    def throttled(
        cls, ctx: Context, attempt_id: UUID, username: str, address: str, retry_after: int
    ) -> LoginAttempt:
        """Record that logins for this username or from this address began to wait."""
        return cls._start(
            cls.Throttled,
            ctx,
            attempt_id,
            username=username,
            address=address,
            retry_after=retry_after,
        )
