"""Commands of the fund supermarket (DOMAIN.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from application.common import CommandResult, Commands, Idempotency
from domain.base import Context
from domain.errors import ConcurrentWrite, DuplicateFound, NotFound
from domain.funds import Fund, check_code, fund_id
from domain.vocab import FundType, Horizon, RiskRating, Variety


class FundCommands(Commands):
    def fund(self, code: str) -> Fund:
        try:
            return self.load(Fund, fund_id(check_code(code)))
        except NotFound:
            raise NotFound(f"fund {code} not found") from None

    def list_fund(
        self,
        ctx: Context,
        *,
        code: str,
        name: str,
        fund_type: FundType,
        manager: str,
        inception_date: date,
        risk_rating: RiskRating,
        horizon: Horizon,
        variety: Variety,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Add a fund to the catalogue; its code must be new."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        fund = Fund.list_in_catalogue(
            ctx,
            code=code,
            name=name,
            fund_type=fund_type,
            manager=manager,
            inception_date=inception_date,
            risk_rating=risk_rating,
            horizon=horizon,
            variety=variety,
        )
        try:
            return self.commit(ctx, fund, idem=idem)
        except ConcurrentWrite:
            raise DuplicateFound(f"fund {code} is listed already") from None

    def rate_risk(
        self,
        ctx: Context,
        code: str,
        rating: RiskRating,
        reason: str,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Change a fund's product risk rating."""
        return self._change(ctx, code, lambda f: f.rate_risk(ctx, rating, reason), idem)

    def rate_house(
        self, ctx: Context, code: str, stars: int, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        """Change a fund's house rating."""
        return self._change(ctx, code, lambda f: f.rate_house(ctx, stars, reason), idem)

    def publish_nav(
        self,
        ctx: Context,
        code: str,
        nav_date: date,
        unit_nav: Decimal,
        accumulated_nav: Decimal,
        idem: Idempotency | None = None,
    ) -> CommandResult:
        """Record one daily NAV (or correct it)."""
        return self._change(
            ctx, code, lambda f: f.publish_nav(ctx, nav_date, unit_nav, accumulated_nav), idem
        )

    def _change(
        self, ctx: Context, code: str, action: Callable[[Fund], None], idem: Idempotency | None
    ) -> CommandResult:
        try:
            return self.update(ctx, Fund, fund_id(check_code(code)), action, idem=idem)
        except NotFound:
            raise NotFound(f"fund {code} not found") from None
