"""A bounded context's one declaration, and the registry built from the list of them.

Each context declares once its aggregates (with their snapshot interval and history kind),
its views, its command handlers, its routers and its scheduler jobs (``api/<context>/
context.py``); the engine, the app, the CLI, history and the snapshot settings are built from
``api.contexts.CONTEXTS``. Nothing else keys them by a string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fastapi import APIRouter

from api.shared.console.menu import MenuItem
from domain.shared.base import Aggregate, Context
from domain.shared.errors import InvalidField, NotFound
from projections.shared.base import View

if TYPE_CHECKING:
    from api.engine import Engine


def by_uuid(ref: str) -> UUID:
    """An aggregate named in a path by its id."""
    try:
        return UUID(ref)
    except ValueError:
        raise InvalidField("id", "must be a UUID") from None


@dataclass(frozen=True)
class Aggregated:
    """An aggregate type of a context.

    ``history`` is the path segment compliance reads its history and ``as_of`` under
    (``/api/v1/{history}/{ref}/history``); ``None`` only for an index aggregate that guards
    others (a counter), which has no history of its own. ``snapshot_every`` is the default
    snapshot interval (``ASSURE_SNAPSHOT_INTERVALS`` overrides it by class name); ``ref``
    turns the path's reference into the aggregate's id.
    """

    cls: type[Aggregate]
    history: str | None
    snapshot_every: int | None = None
    ref: Callable[[str], UUID] = by_uuid


@dataclass(frozen=True)
class Job:
    """A scheduler job: it finds what is due in a view and issues idempotent commands;
    it answers how many commands recorded something. ``every``: a job that reads every
    client (the segment job) runs at most that often, not at each tick."""

    name: str
    run: Callable[[Engine, Context], int]
    every: timedelta | None = None


class Deferred(Exception):
    """A job that cannot run yet (the views it reads are behind the store): it has not
    run, and runs at a later tick."""


RouterSource = APIRouter | Callable[["Registry"], APIRouter]


@dataclass(frozen=True)
class BoundedContext:
    """Everything one context adds to the engine and the app.

    ``handlers`` build the context's command (and query) handlers from the engine; the
    engine hands them out by class (``engine.handler(ClientCommands)``). A router may be
    given as a function of the registry when it spans every context (history). ``uploads``
    are the paths taking files, up to the upload limit rather than the body limit. ``pages``
    are the console's routers, ``menu`` its modules in the navigation.
    """

    name: str
    aggregates: tuple[Aggregated, ...] = ()
    views: tuple[type[View], ...] = ()
    handlers: tuple[Callable[[Engine], object], ...] = ()
    routers: tuple[RouterSource, ...] = ()
    jobs: tuple[Job, ...] = ()
    uploads: tuple[str, ...] = ()
    pages: tuple[APIRouter, ...] = ()
    menu: tuple[MenuItem, ...] = ()


class Registry:
    """What the list of contexts declares, looked up by class or by history kind."""

    def __init__(self, contexts: Sequence[BoundedContext]) -> None:
        self.contexts = tuple(contexts)
        self.aggregates = [a for c in self.contexts for a in c.aggregates]
        self.views = [v for c in self.contexts for v in c.views]
        self.jobs = [j for c in self.contexts for j in c.jobs]
        self.uploads = frozenset(u for c in self.contexts for u in c.uploads)
        self.pages = [p for c in self.contexts for p in c.pages]
        self.menu = tuple(sorted((m for c in self.contexts for m in c.menu), key=_ordered))
        self.by_kind = {a.history: a for a in self.aggregates if a.history is not None}
        self._by_class = {a.cls: a for a in self.aggregates}
        _unique("context", [c.name for c in self.contexts])
        _unique("aggregate", [a.cls.__name__ for a in self.aggregates])
        _unique("history kind", [a.history for a in self.aggregates if a.history])
        _unique("view", [v.name for v in self.views])
        _unique("job", [j.name for j in self.jobs])

    def of(self, cls: type[Aggregate]) -> Aggregated:
        try:
            return self._by_class[cls]
        except KeyError:
            raise NotFound(f"{cls.__name__} is not declared by any context") from None

    def snapshot_intervals(self, overrides: Mapping[str, int]) -> dict[type[Any], int]:
        """Each aggregate's snapshot interval: its declared default, or the setting's (0: none)."""
        known = {a.cls.__name__: a for a in self.aggregates}
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            msg = f"snapshot_intervals names no declared aggregate: {', '.join(unknown)}"
            raise ValueError(msg)
        intervals = {a.cls: a.snapshot_every for a in self.aggregates if a.snapshot_every}
        intervals.update({known[name].cls: n for name, n in overrides.items()})
        return {cls: n for cls, n in intervals.items() if n > 0}

    def routers(self) -> Iterator[APIRouter]:
        for context in self.contexts:
            for source in context.routers:
                yield source if isinstance(source, APIRouter) else source(self)


def _ordered(item: MenuItem) -> tuple[int, str]:
    return item.order, item.href


def _unique(what: str, names: Sequence[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        msg = f"{what} declared twice: {', '.join(twice)}"
        raise ValueError(msg)
