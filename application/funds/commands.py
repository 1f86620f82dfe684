"""Commands of the fund supermarket (DOMAIN.md §3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from application.shared.common import CommandResult, Idempotency
from application.shared.imports import (
    Batching,
    FileImports,
    ImportReport,
    RowError,
    csv_date,
    csv_decimal,
    read_csv,
    refuse_if_any,
)
from domain.funds.fund import Fund, check_code, check_nav, fund_id
from domain.shared.base import Aggregate, Context, DomainEvent
from domain.shared.errors import ConcurrentWrite, DuplicateFound, InvalidField, NotFound
from domain.shared.imports import ImportKind
from domain.shared.progress import Progress, quiet
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety


class FundCommands(FileImports):
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

    def import_navs(
        self,
        ctx: Context,
        text: str,
        filename: str = "",
        batch_events: int = 1000,
        progress: Progress = quiet,
    ) -> ImportReport:
        """Import a NAV file: every row is checked first and any bad row imports nothing;
        then the funds are saved in batches of about ``batch_events`` events.

        The file's import record (by content) is saved first, and each batch with the count
        of rows applied so far, in the batch's transaction: an import cut short by a crash
        shows how far it got. Re-importing a file records nothing new for rows already
        applied (same values are no-ops), so importing the same file again finishes it.
        """
        rows, errors = parse_nav_csv(text)
        funds = self._funds_of(rows, errors)
        seen: dict[tuple[str, date], NavRow] = {}
        for row in rows:
            fund = funds.get(row.code)
            if fund is None:
                continue
            earlier = seen.setdefault((row.code, row.nav_date), row)
            if earlier is not row and (earlier.unit_nav, earlier.accumulated_nav) != (
                row.unit_nav,
                row.accumulated_nav,
            ):
                message = f"line {earlier.line} gives another value"
                errors.append({"line": row.line, "field": "date", "message": message})
                continue
            try:
                check_nav(
                    row.nav_date,
                    row.unit_nav,
                    row.accumulated_nav,
                    fund.inception_date,
                    ctx.at.date(),
                )
            except InvalidField as e:
                errors.append({"line": row.line, "field": e.field, "message": e.reason})
        refuse_if_any(errors)
        record = self.import_record(ctx, ImportKind.NAV, text, filename, len(rows))
        return self.save_imported(
            ctx,
            record,
            self._published(ctx, rows, funds),
            _counted,
            Batching(batch_events, progress, "NAV rows"),
        )

    def _funds_of(self, rows: list[NavRow], errors: list[RowError]) -> dict[str, Fund]:
        funds: dict[str, Fund] = {}
        missing: set[str] = set()
        for row in rows:
            if row.code in funds or row.code in missing:
                continue
            try:
                funds[row.code] = self.load(Fund, fund_id(row.code))
            except NotFound:
                missing.add(row.code)
        errors.extend(
            {"line": row.line, "field": "code", "message": f"no fund {row.code}"}
            for row in rows
            if row.code in missing
        )
        return funds

    @staticmethod
    def _published(
        ctx: Context, rows: list[NavRow], funds: dict[str, Fund]
    ) -> Iterator[tuple[Aggregate, int, int]]:
        """Each fund with its rows applied: the fund, its rows, the NAV points they give."""
        by_fund: dict[str, list[NavRow]] = {}
        for row in rows:
            by_fund.setdefault(row.code, []).append(row)
        for code, fund_rows in by_fund.items():
            fund = funds[code]
            for row in fund_rows:
                fund.publish_nav(ctx, row.nav_date, row.unit_nav, row.accumulated_nav)
            yield fund, len(fund_rows), len(fund_rows)

    def _change(
        self, ctx: Context, code: str, action: Callable[[Fund], None], idem: Idempotency | None
    ) -> CommandResult:
        try:
            return self.update(ctx, Fund, fund_id(check_code(code)), action, idem=idem)
        except NotFound:
            raise NotFound(f"fund {code} not found") from None


def _counted(event: DomainEvent) -> str | None:
    return "corrected" if isinstance(event, Fund.NavCorrected) else "published"


@dataclass(frozen=True)
class NavRow:
    line: int
    code: str
    nav_date: date
    unit_nav: Decimal
    accumulated_nav: Decimal


NAV_COLUMNS = ["code", "date", "unit_nav", "accumulated_nav"]


def parse_nav_csv(text: str) -> tuple[list[NavRow], list[RowError]]:
    """Rows of ``code,date,unit_nav,accumulated_nav`` (with that header), and every error
    found, each with its line number."""
    lines, errors = read_csv(text, NAV_COLUMNS)
    rows: list[NavRow] = []
    for line, (code, day, unit, accumulated) in lines:
        try:
            rows.append(
                NavRow(
                    line,
                    check_code(code),
                    csv_date(day),
                    csv_decimal("unit_nav", unit),
                    csv_decimal("accumulated_nav", accumulated),
                )
            )
        except InvalidField as e:
            errors.append({"line": line, "field": e.field, "message": e.reason})
    return rows, errors
