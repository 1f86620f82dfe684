"""Commands of holdings: the daily position file from the back office."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

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
from domain.clients import Client
from domain.funds import check_code, fund_id
from domain.holdings import Portfolio, check_units, portfolio_id
from domain.shared.base import Aggregate, Context, DomainEvent
from domain.shared.calendar import latest_date
from domain.shared.errors import InvalidField, NotFound
from domain.shared.imports import ImportKind
from domain.shared.progress import Progress, quiet

HOLDINGS_COLUMNS = ["client_id", "fund_code", "date", "units"]


@dataclass(frozen=True)
class PositionRow:
    line: int
    client_id: UUID
    fund_code: str
    as_of: date
    units: Decimal


class HoldingsCommands(FileImports):
    def import_positions(
        self,
        ctx: Context,
        text: str,
        filename: str = "",
        batch_events: int = 1000,
        progress: Progress = quiet,
    ) -> ImportReport:
        """Import a daily position file: the rows of one client and date are that client's
        whole positions at the end of that day (a fund at zero units is sold out). Every row
        is checked first and any bad row imports nothing; then the portfolios are saved in
        batches of about ``batch_events`` events, each with the import's progress, so that
        an import cut short shows how far it got and the same file imported again finishes
        it (a day already recorded as given records nothing)."""
        rows, errors = parse_positions_csv(text)
        self._check_known(rows, errors)
        _check_rows(rows, latest_date(ctx.at), errors)
        refuse_if_any(errors)
        record = self.import_record(ctx, ImportKind.HOLDINGS, text, filename, len(rows))
        return self.save_imported(
            ctx,
            record,
            self._reported(ctx, rows),
            _counted,
            Batching(batch_events, progress, "position rows"),
        )

    def _check_known(self, rows: list[PositionRow], errors: list[RowError]) -> None:
        """Every client and fund named exists."""
        clients = {c: self._is(c, Client.Registered) for c in {r.client_id for r in rows}}
        codes = {c: self.exists(fund_id(c)) for c in {r.fund_code for r in rows}}
        for r in rows:
            if not clients[r.client_id]:
                errors.append({"line": r.line, "field": "client_id", "message": "no such client"})
            if not codes[r.fund_code]:
                message = f"no fund {r.fund_code}"
                errors.append({"line": r.line, "field": "fund_code", "message": message})

    def _is(self, aggregate_id: UUID, created: type[Any]) -> bool:
        first = self.store.events.get(aggregate_id, limit=1)  # pragma: no mutate - bounded read
        return any(isinstance(e, created) for e in first)

    def _reported(
        self, ctx: Context, rows: list[PositionRow]
    ) -> Iterator[tuple[Aggregate, int, int]]:
        """Each client's portfolio with the file's days reported on it: the portfolio, its
        rows, its days."""
        by_client: dict[UUID, dict[date, dict[str, Decimal]]] = {}
        counts: dict[UUID, int] = {}
        for r in rows:
            by_client.setdefault(r.client_id, {}).setdefault(r.as_of, {})[r.fund_code] = r.units
            counts[r.client_id] = counts.get(r.client_id, 0) + 1
        for client_id, days in by_client.items():
            portfolio = self._portfolio(ctx, client_id)
            for as_of in sorted(days):
                portfolio.report(ctx, as_of, days[as_of])
            yield portfolio, counts[client_id], len(days)

    def _portfolio(self, ctx: Context, client_id: UUID) -> Portfolio:
        try:
            return self.load(Portfolio, portfolio_id(client_id))
        except NotFound:
            return Portfolio.open(ctx, client_id)


def _counted(event: DomainEvent) -> str | None:
    if not isinstance(event, Portfolio.PositionsReported):
        return None
    return "corrected" if event.corrects else "published"


def _check_rows(rows: list[PositionRow], today: date, errors: list[RowError]) -> None:
    """No day in the future, and no fund given twice for a client's day with other units."""
    seen: dict[tuple[UUID, str, date], PositionRow] = {}
    for r in rows:
        if r.as_of > today:
            errors.append({"line": r.line, "field": "date", "message": "is in the future"})
        earlier = seen.setdefault((r.client_id, r.fund_code, r.as_of), r)
        if earlier is not r and earlier.units != r.units:
            message = f"line {earlier.line} gives other units"
            errors.append({"line": r.line, "field": "units", "message": message})


def parse_positions_csv(text: str) -> tuple[list[PositionRow], list[RowError]]:
    """Rows of ``client_id,fund_code,date,units`` (with that header), and every error found,
    each with its line number."""
    lines, errors = read_csv(text, HOLDINGS_COLUMNS)
    rows: list[PositionRow] = []
    for line, (client, code, day, units) in lines:
        try:
            rows.append(
                PositionRow(
                    line,
                    _client_id(client),
                    check_code(code, "fund_code"),
                    csv_date(day),
                    check_units(csv_decimal("units", units)),
                )
            )
        except InvalidField as e:
            errors.append({"line": line, "field": e.field, "message": e.reason})
    return rows, errors


def _client_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidField("client_id", f"{text[:40]!r} is not a client id (a UUID)") from None
