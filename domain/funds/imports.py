"""NAV file imports: each file's runs, how far each got, and whether one finished, so that
an import cut short (a crash, a lost connection) is visible and the same file finishes it."""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.keys import NAMESPACE


def import_id(digest: str) -> UUID:
    """One record per file content (its SHA-256): importing the same file again resumes it."""
    return uuid5(NAMESPACE, f"nav-import:{digest}")


class NavImport(Aggregate):
    """The imports of one NAV file: ``applied`` rows of ``rows`` saved by the latest run."""

    digest: str
    filename: str
    rows: int
    applied: int
    runs: int
    completed: bool

    class Started(Created):
        digest: str
        filename: str
        rows: int

        def apply(self, aggregate: NavImport) -> None:
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

        def apply(self, aggregate: NavImport) -> None:
            aggregate.filename = self.filename
            aggregate.applied = 0
            aggregate.runs += 1
            aggregate.completed = False

    class Progressed(Event):
        """Saved in the same transaction as the rows it counts."""

        applied: int

        def apply(self, aggregate: NavImport) -> None:
            aggregate.applied = self.applied

    class Completed(Event):
        published: int
        corrected: int
        unchanged: int

        def apply(self, aggregate: NavImport) -> None:
            aggregate.applied = aggregate.rows
            aggregate.completed = True

    @classmethod
    def start(cls, ctx: Context, digest: str, filename: str, rows: int) -> NavImport:
        """The first run of a file."""
        return cls._start(
            cls.Started, ctx, import_id(digest), digest=digest, filename=filename, rows=rows
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
