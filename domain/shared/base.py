"""Building blocks shared by every aggregate: context, event base, aggregate base, snapshots.

Events are frozen pydantic models mixing in the library's mutation protocol. A public
command method checks the rules and computes every value; the event's ``apply`` only
assigns state, so replay never recomputes anything.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any, ClassVar, Self, cast, get_origin, get_type_hints
from uuid import UUID

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate, CanSnapshotAggregate
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel, ConfigDict, Field, create_model

ERASED = "[erased]"  # what a personal value reads as once its person's key is destroyed


class EventMeta(BaseModel):
    """Who caused an event and within which request or job."""

    model_config = ConfigDict(frozen=True)

    actor: str
    correlation_id: str
    causation_id: str | None = None


class Context(BaseModel):
    """What a command is given from outside: the acting user, the time, the trace ids."""

    model_config = ConfigDict(frozen=True)

    actor: str
    at: datetime
    correlation_id: str
    causation_id: str | None = None

    @property
    def meta(self) -> EventMeta:
        return EventMeta(
            actor=self.actor, correlation_id=self.correlation_id, causation_id=self.causation_id
        )


class DomainEvent(BaseModel):
    """Base of every stored event: identity, version, time and metadata."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    meta: EventMeta
    class_version: ClassVar[int] = 1
    # Fields holding personal data: stored sealed with the key of the aggregate's person,
    # or, when ``personal_subject`` names a field holding a person's id (a ticket's client),
    # with that person's key (none set: the fields stay as they are).
    personal_fields: ClassVar[tuple[str, ...]] = ()
    personal_subject: ClassVar[str | None] = None


class Event(DomainEvent, CanMutateAggregate[UUID]):
    """An event that changes an existing aggregate."""


class Created(DomainEvent, CanInitAggregate[UUID]):
    """The first event of an aggregate."""

    originator_topic: str


class SnapshotState(BaseModel):
    """Base of every aggregate's typed snapshot state."""

    created_on: datetime
    modified_on: datetime


class Aggregate:
    """Aggregate base, without the library's declarative metaclass.

    It meets the library's aggregate protocol (``__base_init__``, ``id``, ``version``,
    ``modified_on``, ``collect_events``) so its repository and snapshots work unchanged.
    Commands record events through ``_start`` and ``_record`` with a context.
    """

    # The state a snapshot keeps: made from the fields the aggregate's class declares (their
    # types and defaults), so they are written once and snapshots stay typed.
    State: ClassVar[type[SnapshotState]]
    # Fields of ``State`` holding personal data: sealed in snapshots like event fields.
    personal_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.State = _state_of(cls)

    def __base_init__(
        self, originator_id: UUID, originator_version: int, timestamp: datetime
    ) -> None:
        self._id = originator_id
        self._version = originator_version
        self._created_on = timestamp
        self._modified_on = timestamp
        self._pending_events: list[DomainEvent] = []

    @property
    def id(self) -> UUID:
        return self._id

    @property
    def version(self) -> int:
        return self._version

    @version.setter
    def version(self, version: int) -> None:
        self._version = version

    @property
    def created_on(self) -> datetime:
        return self._created_on

    @property
    def modified_on(self) -> datetime:
        return self._modified_on

    @modified_on.setter
    def modified_on(self, modified_on: datetime) -> None:
        self._modified_on = modified_on

    @property
    def pending_events(self) -> list[DomainEvent]:
        return self._pending_events

    @classmethod
    def restore(cls, aggregate_id: UUID, version: int, state: SnapshotState) -> Self:
        """The aggregate as its ``State`` describes it: how snapshots and views that apply
        an aggregate's rules rebuild one, without its events."""
        aggregate = object.__new__(cls)
        for name in type(state).model_fields:
            if name not in ("created_on", "modified_on"):
                setattr(aggregate, name, getattr(state, name))
        aggregate.__base_init__(aggregate_id, version, state.created_on)
        aggregate.modified_on = state.modified_on
        return aggregate

    def collect_events(self) -> list[DomainEvent]:
        collected, self._pending_events = self._pending_events, []
        return collected

    @classmethod
    def _start(
        cls, event_class: type[Created], ctx: Context, aggregate_id: UUID, **fields: Any
    ) -> Self:
        created = event_class(
            originator_id=aggregate_id,
            originator_version=1,
            timestamp=ctx.at,
            meta=ctx.meta,
            originator_topic=get_topic(cls),
            **fields,
        )
        aggregate: Self = cast(Any, created).mutate(None)
        aggregate.pending_events.append(created)
        return aggregate

    def _record(self, event_class: type[Event], ctx: Context, **fields: Any) -> None:
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=ctx.at,
            meta=ctx.meta,
            **fields,
        )
        event.mutate(cast(Any, self))
        self._pending_events.append(event)


class Snapshot(DomainEvent, CanSnapshotAggregate[UUID]):
    """A typed snapshot: the aggregate's ``State`` model, dumped to JSON-able values."""

    meta: EventMeta = Field(
        default_factory=lambda: EventMeta(actor="system:snapshot", correlation_id="snapshot")
    )
    topic: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: Any) -> Self:
        state_model: type[BaseModel] = aggregate.State
        values = {name: getattr(aggregate, name) for name in state_model.model_fields}
        values["created_on"] = aggregate.created_on
        values["modified_on"] = aggregate.modified_on
        state = state_model.model_validate(values).model_dump(mode="json")
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=aggregate.modified_on,
            topic=get_topic(type(aggregate)),
            state=state,
        )

    def mutate(self, _: None) -> Any:
        cls = resolve_topic(self.topic)
        state = cls.State.model_validate(self.state)
        return cls.restore(self.originator_id, self.originator_version, state)


def _state_of(cls: type[Aggregate]) -> type[SnapshotState]:
    """The snapshot state model of an aggregate class: one field per field it declares (not
    its class variables), with the default it gives, if any."""
    hints = get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {
        name: (hints[name], cls.__dict__.get(name, ...))
        for name in inspect.get_annotations(cls)
        if get_origin(hints[name]) is not ClassVar
    }
    return create_model(
        f"{cls.__name__}State", __base__=SnapshotState, __module__=cls.__module__, **fields
    )
