"""Purchases and their suitability decisions; overrides are recorded confirmations.

A purchase's decision is a regulatory record: it is never deleted or rewritten. A later
cancel or lapse is a new event beside it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import Conflict, InvalidField
from domain.suitability.rules import Decision, Inputs, Outcome, decide


class SuitabilityPolicy(BaseModel):
    """Purchases (DOMAIN.md §4): a purchase awaiting confirmation lapses after 24 hours."""

    model_config = ConfigDict(frozen=True)

    confirmation_hours: int = Field(default=24, ge=1)
    # The requesting advisor is warned this long before an unconfirmed purchase lapses.
    lapse_warning_hours: int = Field(default=4, ge=0)


class PurchaseStatus(StrEnum):
    ACCEPTED = "accepted"
    CONFIRMATION_REQUIRED = "confirmation_required"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"


class ConfirmationChannel(StrEnum):
    BRANCH_COUNTER = "branch_counter"
    PHONE = "phone"
    ONLINE = "online"
    MOBILE_APP = "mobile_app"


class NotAwaitingConfirmation(Conflict):
    """Only a purchase that waits for confirmation can be confirmed."""


class NotCancellable(Conflict):
    """A rejected, cancelled or lapsed purchase cannot be cancelled."""


STATUS_OF = {
    Outcome.MATCH: PurchaseStatus.ACCEPTED,
    Outcome.EXEMPT: PurchaseStatus.ACCEPTED,
    Outcome.WARN: PurchaseStatus.CONFIRMATION_REQUIRED,
    Outcome.BLOCK: PurchaseStatus.REJECTED,
}


class Purchase(Aggregate):
    client_id: UUID
    status: PurchaseStatus
    warning_text: str | None
    confirm_by: datetime
    lapse_warned: bool = False  # older snapshots lack it

    class Requested(Created):
        """A purchase request and its suitability decision, with every input."""

        client_id: UUID
        branch: str
        fund_code: str
        amount: Decimal
        inputs: Inputs
        decision: Decision
        status: PurchaseStatus
        confirm_by: datetime

        def apply(self, aggregate: Purchase) -> None:
            aggregate.client_id = self.client_id
            aggregate.status = self.status
            aggregate.warning_text = self.decision.warning_text
            aggregate.confirm_by = self.confirm_by

    class OverrideConfirmed(Event):
        """The client confirmed the exact warning shown: the override."""

        acknowledgement: str
        channel: ConfirmationChannel
        confirmed_at: datetime

        def apply(self, aggregate: Purchase) -> None:
            aggregate.status = PurchaseStatus.ACCEPTED

    class Cancelled(Event):
        reason: str

        def apply(self, aggregate: Purchase) -> None:
            aggregate.status = PurchaseStatus.CANCELLED

    class Lapsed(Event):
        def apply(self, aggregate: Purchase) -> None:
            aggregate.status = PurchaseStatus.LAPSED

    class LapseNear(Event):
        """The scheduler found the purchase unconfirmed close to its deadline (once)."""

        confirm_by: datetime

        def apply(self, aggregate: Purchase) -> None:
            aggregate.lapse_warned = True

    @classmethod
    def request(
        cls,
        ctx: Context,
        purchase_id: UUID,
        client_id: UUID,
        branch: str,
        amount: Decimal,
        inputs: Inputs,
        confirmation_hours: int,
    ) -> Purchase:
        """Decide suitability on the given inputs and record the request with it."""
        if amount <= 0:
            raise InvalidField("amount", "must be positive")
        decision = decide(inputs)
        return cls._start(
            cls.Requested,
            ctx,
            purchase_id,
            client_id=client_id,
            branch=branch,
            fund_code=inputs.fund.code,
            amount=amount,
            inputs=inputs,
            decision=decision,
            status=STATUS_OF[decision.outcome],
            confirm_by=ctx.at + timedelta(hours=confirmation_hours),
        )

    def confirm(self, ctx: Context, acknowledgement: str, channel: ConfirmationChannel) -> None:
        """Record the override: the acknowledgement must repeat the warning exactly."""
        if self.status is not PurchaseStatus.CONFIRMATION_REQUIRED:
            raise NotAwaitingConfirmation(f"the purchase is {self.status.value}")
        if lapsed(self.status, self.confirm_by, ctx.at):
            raise NotAwaitingConfirmation("the purchase lapsed without confirmation")
        if acknowledgement != self.warning_text:
            raise InvalidField("acknowledgement", "must repeat the warning text exactly")
        self._record(
            self.OverrideConfirmed,
            ctx,
            acknowledgement=acknowledgement,
            channel=channel,
            confirmed_at=ctx.at,
        )

    def lapse(self, ctx: Context) -> bool:
        """Lapse a purchase still awaiting confirmation past its deadline (for the
        scheduler); False when there is nothing to do."""
        if not lapsed(self.status, self.confirm_by, ctx.at):
            return False
        self._record(self.Lapsed, ctx)
        return True

    def warn_lapse(self, ctx: Context, policy: SuitabilityPolicy) -> bool:
        """Warn, once, that a purchase still awaiting confirmation lapses within the
        policy's warning hours (for the scheduler); False when there is nothing to do."""
        near = self.confirm_by - timedelta(hours=policy.lapse_warning_hours)
        waiting = self.status is PurchaseStatus.CONFIRMATION_REQUIRED
        if not waiting or self.lapse_warned or not near <= ctx.at < self.confirm_by:
            return False
        self._record(self.LapseNear, ctx, confirm_by=self.confirm_by)
        return True

    def cancel(self, ctx: Context, reason: str) -> None:
        """Cancel a purchase that is waiting for confirmation or accepted."""
        if self.status not in (PurchaseStatus.CONFIRMATION_REQUIRED, PurchaseStatus.ACCEPTED):
            raise NotCancellable(f"the purchase is {self.status.value}")
        self._record(self.Cancelled, ctx, reason=reason)


def lapsed(status: PurchaseStatus, confirm_by: datetime | None, now: datetime) -> bool:
    """A purchase waiting for confirmation has lapsed once its deadline is reached (the
    scheduler records it; a read says so before)."""
    return (
        status is PurchaseStatus.CONFIRMATION_REQUIRED
        and confirm_by is not None
        and now >= confirm_by
    )
