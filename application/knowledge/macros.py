"""Commands of macros: save (an unknown placeholder refused), change, retire."""

from __future__ import annotations

from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from domain.knowledge import Macro, MacroText
from domain.shared.base import Context


class MacroCommands(Commands):
    def save(self, ctx: Context, text: MacroText, idem: Idempotency | None = None) -> CommandResult:
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        return self.commit(ctx, Macro.save(ctx, uuid4(), text), idem=idem)

    def change(self, ctx: Context, macro_id: UUID, text: MacroText) -> CommandResult:
        return self.update(ctx, Macro, macro_id, lambda m: m.change(ctx, text), idem=None)

    def retire(self, ctx: Context, macro_id: UUID) -> CommandResult:
        return self.update(ctx, Macro, macro_id, lambda m: m.retire(ctx), idem=None)
