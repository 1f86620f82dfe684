"""File imports (NAV files, daily position files): each file's runs, how far each got, and
whether one finished, so that an import cut short (a crash, a lost connection) is visible
and the same file finishes it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Self
from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.keys import NAMESPACE


class ImportKind(StrEnum):
    NAV = "nav"  # code,date,unit_nav,accumulated_nav
    HOLDINGS = "holdings"  # client_id,fund_code,date,units


def import_id(kind: ImportKind, digest: str) -> UUID:
    """One record per kind and file content (its SHA-256): importing the same file again
    resumes it."""
    return uuid5(NAMESPACE, f"{kind.value}-import:{digest}")


class FileImport(Aggregate):
    """The imports of one file: ``applied`` rows of ``rows`` saved by the latest run."""

    kind: ImportKind = ImportKind.NAV  # snapshots taken before holdings imports lack it
    digest: str
    filename: str
    rows: int
    applied: int
    runs: int
    completed: bool

    class Started(Created):
        """Version 2 added the kind (every earlier import was of NAVs)."""

        class_version: ClassVar[int] = 2
        kind: ImportKind
        digest: str
        filename: str
        rows: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["kind"] = ImportKind.NAV.value

        def apply(self, aggregate: FileImport) -> None:
            aggregate.kind = self.kind
            aggregate.digest = self.digest
            aggregate.filename = self.filename
            aggregate.rows = self.rows
            aggregate.applied = 0
            aggregate.runs = 1
            aggregate.completed = False

    class Restarted(Event):
        """The same file imported again: after an interruption, this run finishes it."""

        filename: str
        interrupted_at: int | None  # rows the run before had applied, if it did not finish

        def apply(self, aggregate: FileImport) -> None:
            aggregate.filename = self.filename
            aggregate.applied = 0
            aggregate.runs += 1
            aggregate.completed = False

    class Progressed(Event):
        """Saved in the same transaction as the rows it counts."""

        applied: int

        def apply(self, aggregate: FileImport) -> None:
            aggregate.applied = self.applied

    class Completed(Event):
        """``published``: records new to the store (NAV points, days of positions);
        ``corrected``: records that changed; ``unchanged``: rows already recorded as given."""

        published: int
        corrected: int
        unchanged: int

        def apply(self, aggregate: FileImport) -> None:
            aggregate.applied = aggregate.rows
            aggregate.completed = True

    @classmethod
    def start(cls, ctx: Context, kind: ImportKind, digest: str, filename: str, rows: int) -> Self:
        """The first run of a file."""
        return cls._start(
            cls.Started,
            ctx,
            import_id(kind, digest),
            kind=kind,
            digest=digest,
            filename=filename,
            rows=rows,
        )

    def restart(self, ctx: Context, filename: str) -> None:
        """Another run of the same file (the rows are the same: the content is)."""
        interrupted = None if self.completed else self.applied
        self._record(self.Restarted, ctx, filename=filename, interrupted_at=interrupted)

    def progress(self, ctx: Context, applied: int) -> None:
        self._record(self.Progressed, ctx, applied=applied)

    def complete(self, ctx: Context, published: int, corrected: int, unchanged: int) -> None:
        self._record(
            self.Completed, ctx, published=published, corrected=corrected, unchanged=unchanged
        )
