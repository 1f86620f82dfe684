"""Commands of purchases with suitability matching and recorded overrides (DOMAIN.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.clients import Client, RiskAssessment
from domain.funds import Fund, fund_id
from domain.shared.base import Context
from domain.shared.errors import InvalidField, NotFound
from domain.suitability.purchases import ConfirmationChannel, Purchase, SuitabilityPolicy
from domain.suitability.rules import AssessmentInput, FundInput, Inputs


@dataclass(frozen=True)
class PurchaseRequested:
    result: CommandResult
    requested: Purchase.Requested


class PurchaseCommands(Commands):
    def __init__(self, store: Store, policy: SuitabilityPolicy) -> None:
        super().__init__(store)
        self.policy = policy

    def request(
        self,
        ctx: Context,
        client_id: UUID,
        fund_code: str,
        amount: Decimal,
        idem: Idempotency | None = None,
    ) -> PurchaseRequested:
        """Decide suitability on the client's current assessment and the fund as they are
        now, and record the request with every input of the decision."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return PurchaseRequested(earlier, self.first_event(earlier.id, Purchase.Requested))
        client = self.load(Client, client_id)
        client.check_not_erased()
        inputs = self.inputs(ctx, client, fund_code)
        purchase = Purchase.request(
            ctx, uuid4(), client.id, client.branch, amount, inputs, self.policy.confirmation_hours
        )
        requested = purchase.pending_events[0]
        assert isinstance(requested, Purchase.Requested)
        return PurchaseRequested(self.commit(ctx, purchase, idem=idem), requested)

    def inputs(self, ctx: Context, client: Client, fund_code: str) -> Inputs:
        try:
            fund = self.load(Fund, fund_id(fund_code))
        except NotFound:
            raise InvalidField("fund_code", f"no fund {fund_code}") from None
        assessment = None
        if client.assessment_id is not None:
            a = self.load(RiskAssessment, client.assessment_id)
            assessment = AssessmentInput(
                id=a.id,
                version=a.version,
                level=a.level,
                horizon=a.horizon,
                varieties=a.varieties,
                lowest_category=a.lowest_category,
                expires_at=a.expires_at,
            )
        return Inputs(
            investor_type=client.investor_type.value,
            exempt=client.exempt,
            assessment=assessment,
            fund=FundInput(
                code=fund.code,
                version=fund.version,
                risk_rating=fund.risk_rating,
                horizon=fund.horizon,
                variety=fund.variety,
            ),
            at=ctx.at,
            client_version=client.version,
        )

    def confirm(
        self,
        ctx: Context,
        purchase_id: UUID,
        acknowledgement: str,
        channel: ConfirmationChannel,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Record the client's confirmation of the warning shown (the override)."""
        return self.update(
            ctx,
            Purchase,
            purchase_id,
            lambda p: p.confirm(ctx, acknowledgement, channel),
            idem=idem,
        )

    def cancel(
        self, ctx: Context, purchase_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        """Cancel a purchase awaiting confirmation, or accepted."""
        return self.update(ctx, Purchase, purchase_id, lambda p: p.cancel(ctx, reason), idem=idem)

    def warn_lapse(self, ctx: Context, purchase_id: UUID) -> CommandResult:
        """Warn that an unconfirmed purchase lapses soon (for the scheduler): once."""
        return self.update(
            ctx, Purchase, purchase_id, lambda p: p.warn_lapse(ctx, self.policy), idem=None
        )

    def lapse(self, ctx: Context, purchase_id: UUID) -> CommandResult:
        """Lapse a purchase left unconfirmed past its deadline (for the scheduler): once."""
        return self.update(ctx, Purchase, purchase_id, lambda p: p.lapse(ctx), idem=None)
