"""Macros (canned replies): a reply with placeholders, and what applying it does to the
ticket (status, priority, group). A placeholder the desk cannot fill is refused when the
macro is saved, not when an agent applies it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from domain.service_desk import Priority, Status
from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import Conflict, InvalidField

PLACEHOLDERS = (
    "client.name",
    "client.branch",
    "ticket.number",
    "ticket.subject",
    "ticket.type",
    "agent.name",
)
PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


class Actions(BaseModel):
    """What applying the macro sets on the ticket besides its reply (None: left as is)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status | None = None
    priority: Priority | None = None
    group: str | None = None


class MacroText(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    public: bool = True  # a reply to the client, or an internal note
    actions: Actions = Actions()


def placeholders_of(body: str) -> list[str]:
    return PLACEHOLDER.findall(body)


def render(body: str, values: Mapping[str, str]) -> str:
    """The body with each placeholder filled in."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


class MacroRetired(Conflict):
    """A retired macro is not applied."""


class Macro(Aggregate):
    text: MacroText
    retired: bool

    class Saved(Created):
        text: MacroText

        def apply(self, m: Macro) -> None:
            m.text, m.retired = self.text, False

    class Changed(Event):
        text: MacroText

        def apply(self, m: Macro) -> None:
            m.text = self.text

    class Retired(Event):
        def apply(self, m: Macro) -> None:
            m.retired = True

    @classmethod
    def save(cls, ctx: Context, macro_id: UUID, text: MacroText) -> Macro:
        _check(text)
        return cls._start(cls.Saved, ctx, macro_id, text=text)

    def change(self, ctx: Context, text: MacroText) -> None:
        _check(text)
        if text != self.text:
            self._record(self.Changed, ctx, text=text)

    def retire(self, ctx: Context) -> None:
        if not self.retired:
            self._record(self.Retired, ctx)

    def usable(self) -> MacroText:
        if self.retired:
            raise MacroRetired(f"the macro {self.text.name!r} is retired")
        return self.text


def _check(text: MacroText) -> None:
    unknown = sorted({p for p in placeholders_of(text.body) if p not in PLACEHOLDERS})
    if unknown:
        raise InvalidField(
            "body", f"unknown placeholder {{{unknown[0]}}}: use {', '.join(PLACEHOLDERS)}"
        )
