"""What every file import shares: the file's record, saving in batches with its progress,
and reading CSV lines with their numbers (NAV files, daily position files)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from eventsourcing.persistence import IntegrityError

from application.shared.common import Commands
from domain.shared.base import Aggregate, Context, DomainEvent
from domain.shared.errors import ConcurrentWrite, InvalidField, InvalidRows, NotFound
from domain.shared.imports import FileImport, ImportKind, import_id
from domain.shared.progress import Progress

RowError = dict[str, object]


@dataclass(frozen=True)
class ImportReport:
    """``published``: records new to the store; ``corrected``: records that changed;
    ``unchanged``: records already stored as the file gives them."""

    rows: int
    published: int
    corrected: int
    unchanged: int
    position: int


@dataclass(frozen=True)
class Batching:
    """How an import saves: about ``events`` events a transaction; ``progress`` shows it."""

    events: int
    progress: Progress
    label: str


class FileImports(Commands):
    """Commands that import files: a record per file content, saved in batches."""

    def import_record(
        self, ctx: Context, kind: ImportKind, text: str, filename: str, rows: int
    ) -> FileImport:
        """The file's import record, saved at once: a new one, or the earlier one restarted."""
        digest = hashlib.sha256(text.encode()).hexdigest()
        try:
            record = self.load(FileImport, import_id(kind, digest))
        except NotFound:
            record = FileImport.start(ctx, kind, digest, filename, rows)
        else:
            record.restart(ctx, filename)
        try:
            self.store.save(record)
        except IntegrityError:
            raise ConcurrentWrite("this file is being imported: try again later") from None
        return record

    def save_imported(
        self,
        ctx: Context,
        record: FileImport,
        changes: Iterable[tuple[Aggregate, int, int]],
        counted: Callable[[DomainEvent], str | None],
        batching: Batching,
    ) -> ImportReport:
        """Save each changed aggregate of ``changes`` (the aggregate, the rows it took, the
        records those rows make) in batches, each with the count of rows applied so far in
        the same transaction, so that an import cut short shows how far it got. ``counted``
        tells a new record's event (``"published"``) from a correction's (``"corrected"``),
        and None for any other."""
        counts = {"published": 0, "corrected": 0, "records": 0}
        position = self.store.head()
        pending: list[Aggregate] = []
        waiting = applied = 0
        for aggregate, rows, records in changes:
            for event in aggregate.pending_events:
                if (kind := counted(event)) is not None:
                    counts[kind] += 1
            counts["records"] += records
            waiting += len(aggregate.pending_events)
            applied += rows
            pending.append(aggregate)
            if waiting >= batching.events:
                record.progress(ctx, applied)
                position = self._save_batch([*pending, record]) or position
                pending, waiting = [], 0
                batching.progress(batching.label, applied, record.rows)
        unchanged = counts["records"] - counts["published"] - counts["corrected"]
        record.complete(ctx, counts["published"], counts["corrected"], unchanged)
        position = self._save_batch([*pending, record]) or position
        batching.progress(batching.label, record.rows, record.rows)
        return ImportReport(
            rows=record.rows,
            published=counts["published"],
            corrected=counts["corrected"],
            unchanged=unchanged,
            position=position,
        )

    def _save_batch(self, batch: list[Aggregate]) -> int | None:
        try:
            recordings = self.store.save(*batch)
        except IntegrityError:
            raise ConcurrentWrite("a record changed during the import: import again") from None
        return recordings[-1].notification.id if recordings else None


def read_csv(text: str, columns: list[str]) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    """The non-blank lines of a CSV with exactly this header, each with its line number and
    stripped cells, and every error found (a wrong header, a wrong count of values)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or [h.strip().lower() for h in header] != columns:
        message = f"the first line must be {','.join(columns)}"
        return [], [{"line": 1, "field": "header", "message": message}]
    lines: list[tuple[int, list[str]]] = []
    errors: list[RowError] = []
    for line, cells in _lines(reader, errors):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            message = f"expected {len(columns)} values, got {len(cells)}"
            errors.append({"line": line, "field": "row", "message": message})
            continue
        lines.append((line, [c.strip() for c in cells]))
    return lines, errors


def refuse_if_any(errors: list[RowError]) -> None:
    """Any bad row imports nothing: every error, by line."""
    if errors:
        raise InvalidRows(sorted(errors, key=lambda e: int(str(e["line"]))))


def _lines(reader: Iterator[list[str]], errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
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


def csv_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField("date", f"{text!r} is not a date (YYYY-MM-DD)") from None


def csv_decimal(field: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidField(field, f"{text[:20]!r} is not a number") from None
    if not value.is_finite():
        raise InvalidField(field, "must be a finite number")
    return value
