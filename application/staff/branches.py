"""Commands on branches, the firm's reference data."""

from __future__ import annotations

from collections.abc import Iterable

from application.shared.common import CommandResult, Commands, Idempotency
from domain.shared.base import Context
from domain.shared.errors import ConcurrentWrite, DuplicateFound
from domain.staff.branches import Branch, branch_id


class BranchCommands(Commands):
    def open(
        self, ctx: Context, code: str, name: str, idem: Idempotency | None = None
    ) -> CommandResult:
        """Register a branch; its code must be free."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        branch = Branch.open(ctx, code, name)
        try:
            return self.commit(ctx, branch, idem=idem)
        except ConcurrentWrite:
            raise DuplicateFound(f"branch {code!r} exists already") from None

    def known(self, code: str) -> bool:
        return self.exists(branch_id(code))

    def register_missing(self, ctx: Context, codes: Iterable[str]) -> int:
        """Register every code not yet a branch, named by its code (a store written before
        branches were reference data names them in its clients and accounts)."""
        opened = 0
        for code in codes:
            if not self.known(code):
                try:
                    self.open(ctx, code, code)
                except DuplicateFound:
                    continue  # another process registered it meanwhile
                opened += 1
        return opened
