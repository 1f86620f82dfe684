"""Commands of the fund supermarket (DOMAIN.md §3)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from eventsourcing.persistence import IntegrityError

from application.shared.common import CommandResult, Commands, Idempotency
from domain.funds.fund import Fund, check_code, check_nav, fund_id
from domain.funds.imports import NavImport, import_id
from domain.shared.base import Aggregate, Context
from domain.shared.errors import (
    ConcurrentWrite,
    DuplicateFound,
    InvalidField,
    InvalidRows,
    NotFound,
)
from domain.shared.progress import Progress, quiet
from domain.shared.vocab import FundType, Horizon, RiskRating, Variety


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
                errors.append(
                    {
                        "line": row.line,
                        "field": "date",
                        "message": f"line {earlier.line} gives another value",
                    }
                )
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
        if errors:
            raise InvalidRows(sorted(errors, key=lambda e: int(str(e["line"]))))
        record = self._import_record(ctx, text, filename, len(rows))
        return self._save_imported(ctx, rows, funds, record, batch_events, progress)

    def _import_record(self, ctx: Context, text: str, filename: str, rows: int) -> NavImport:
        """The file's import record, saved at once: a new one, or the earlier one restarted."""
        digest = hashlib.sha256(text.encode()).hexdigest()
        try:
            record = self.load(NavImport, import_id(digest))
        except NotFound:
            record = NavImport.start(ctx, digest, filename, rows)
        else:
            record.restart(ctx, filename)
        try:
            self.store.save(record)
        except IntegrityError:
            raise ConcurrentWrite("this file is being imported: try again later") from None
        return record

    def _funds_of(self, rows: list[NavRow], errors: list[dict[str, object]]) -> dict[str, Fund]:
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

    def _save_imported(
        self,
        ctx: Context,
        rows: list[NavRow],
        funds: dict[str, Fund],
        record: NavImport,
        batch_events: int,
        progress: Progress,
    ) -> ImportReport:
        counts = {"NavPublished": 0, "NavCorrected": 0}
        position = self.store.head()
        pending: list[Fund] = []
        waiting = applied = 0
        by_fund: dict[str, list[NavRow]] = {}
        for row in rows:
            by_fund.setdefault(row.code, []).append(row)
        for code, fund_rows in by_fund.items():
            fund = funds[code]
            for row in fund_rows:
                fund.publish_nav(ctx, row.nav_date, row.unit_nav, row.accumulated_nav)
            for event in fund.pending_events:
                counts[type(event).__name__] += 1
            waiting += len(fund.pending_events)
            applied += len(fund_rows)
            pending.append(fund)
            if waiting >= batch_events:
                record.progress(ctx, applied)
                position = self._save_batch([*pending, record]) or position
                pending, waiting = [], 0
                progress("NAV rows", applied, len(rows))
        changed = counts["NavPublished"] + counts["NavCorrected"]
        unchanged = len(rows) - changed
        record.complete(ctx, counts["NavPublished"], counts["NavCorrected"], unchanged)
        position = self._save_batch([*pending, record]) or position
        progress("NAV rows", len(rows), len(rows))
        return ImportReport(
            rows=len(rows),
            published=counts["NavPublished"],
            corrected=counts["NavCorrected"],
            unchanged=unchanged,
            position=position,
        )

    def _save_batch(self, batch: list[Aggregate]) -> int | None:
        try:
            recordings = self.store.save(*batch)
        except IntegrityError:
            raise ConcurrentWrite("a fund changed during the import: import again") from None
        return recordings[-1].notification.id if recordings else None

    def _change(
        self, ctx: Context, code: str, action: Callable[[Fund], None], idem: Idempotency | None
    ) -> CommandResult:
        try:
            return self.update(ctx, Fund, fund_id(check_code(code)), action, idem=idem)
        except NotFound:
            raise NotFound(f"fund {code} not found") from None


@dataclass(frozen=True)
class NavRow:
    line: int
    code: str
    nav_date: date
    unit_nav: Decimal
    accumulated_nav: Decimal


@dataclass(frozen=True)
class ImportReport:
    rows: int
    published: int
    corrected: int
    unchanged: int
    position: int


NAV_COLUMNS = ["code", "date", "unit_nav", "accumulated_nav"]


def parse_nav_csv(text: str) -> tuple[list[NavRow], list[dict[str, object]]]:
    """Rows of ``code,date,unit_nav,accumulated_nav`` (with that header), and every error
    found, each with its line number."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or [h.strip().lower() for h in header] != NAV_COLUMNS:
        return [], [
            {
                "line": 1,
                "field": "header",
                "message": f"the first line must be {','.join(NAV_COLUMNS)}",
            }
        ]
    rows: list[NavRow] = []
    errors: list[dict[str, object]] = []
    for line, cells in _lines(reader, errors):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(NAV_COLUMNS):
            errors.append(
                {
                    "line": line,
                    "field": "row",
                    "message": f"expected {len(NAV_COLUMNS)} values, got {len(cells)}",
                }
            )
            continue
        code, day, unit, accumulated = (c.strip() for c in cells)
        try:
            rows.append(
                NavRow(
                    line,
                    check_code(code),
                    _date(day),
                    _decimal("unit_nav", unit),
                    _decimal("accumulated_nav", accumulated),
                )
            )
        except InvalidField as e:
            errors.append({"line": line, "field": e.field, "message": e.reason})
    return rows, errors


def _lines(
    reader: Iterator[list[str]], errors: list[dict[str, object]]
) -> Iterator[tuple[int, list[str]]]:
    """Each line's number and cells; a line the csv module cannot read (a NUL, a value over
    its field limit) ends the file with that line's error."""
    line = 1
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            reason = "a value is too long" if "field larger" in str(e) else "not readable CSV"
            errors.append({"line": line, "field": "row", "message": reason})
            return
        yield line, cells


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField("date", f"{text!r} is not a date (YYYY-MM-DD)") from None


def _decimal(field: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidField(field, f"{text[:20]!r} is not a number") from None
    if not value.is_finite():
        raise InvalidField(field, "must be a finite number")
    return value
