"""What the ``assure`` command prints: aligned tables and plain sentences for people (times in
the machine's own zone), JSON for machines (``--json``), progress bars on standard error."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from domain.shared.progress import Progress as Tracker
from domain.shared.progress import quiet


def out() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def local(moment: datetime | str | None) -> str:
    """An instant in this machine's time zone, to the minute ("" for none)."""
    if moment is None or moment == "":
        return ""
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return at.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """Rows under their column names, aligned (numbers to the right)."""
    grid = Table(title=title, title_justify="left", header_style="bold", box=None)
    for n, column in enumerate(columns):
        numeric = bool(rows) and all(isinstance(r[n], int | float) for r in rows)
        grid.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    out().print(grid)


def say(text: str) -> None:
    out().print(text, markup=False)


def as_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


@contextmanager
def progress(shown: bool = True) -> Iterator[Tracker]:
    """A progress tracker drawing one bar per task on standard error (count, rate and time),
    or none (``shown`` false: ``--json``, or when standard error is not a terminal)."""
    if not shown or not sys.stderr.isatty():
        yield quiet
        return
    bars = Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>10}"),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    )
    tasks: dict[str, tuple[TaskID, float]] = {}

    def track(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = (bars.add_task(what, total=total, rate=""), time.monotonic())
        task, started = tasks[what]
        elapsed = time.monotonic() - started
        rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 and total > 1 else ""
        bars.update(task, completed=done, total=total, rate=rate)

    with bars:
        yield track
