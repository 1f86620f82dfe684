"""CSV exports of the console: UTF-8 with a byte-order mark, so that spreadsheet programs
show Chinese correctly; one header row of the columns' names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import Response

BOM = "\ufeff"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A value as a cell; text a spreadsheet would run as a formula is quoted as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def csv_file(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download named ``name`` (ASCII, without the extension)."""
    text = io.StringIO()
    text.write(BOM)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return Response(
        text.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
