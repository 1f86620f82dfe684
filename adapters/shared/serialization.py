"""One mapper and one transcoder for every event: pydantic models as JSON via orjson.

The mapper also runs the upcasters declared on event classes (``class_version`` and
``upcast_vN_vN+1``), which the library's own mapper would do but a custom one must.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    ProgrammingError,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from adapters.shared.topics import register_moved_topics

SEALED = "$sealed"  # the key of a sealed value: {"$sealed": "<nonce, ciphertext, tag>"}
SEALED_MARK = f'"{SEALED}"'.encode()  # in a stored state only where data was sealed


class OrjsonTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)

    def register(self, _: Transcoding) -> None:
        msg = "Events are pydantic models: no transcodings to register"
        raise ProgrammingError(msg)


def as_uuid(value: Any) -> UUID:
    """An id as a UUID (the recorders give UUIDs already; a string is parsed)."""
    return value if isinstance(value, UUID) else UUID(str(value))


class PydanticMapper(Mapper[UUID]):
    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        register_moved_topics()  # a store written by an earlier layout reads the same

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        model = cast(BaseModel, domain_event)
        state = model.model_dump(mode="json", exclude={"originator_id", "originator_version"})
        class_version = getattr(type(model), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        self.seal_state(type(model), domain_event.originator_id, state)
        data = self.transcoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decoded(stored_event, self.unseal_state)

    def decoded(
        self, stored_event: StoredEvent, unseal: Callable[[UUID, dict[str, Any]], None]
    ) -> Any:
        """The event a stored record holds, its sealed values opened by ``unseal``."""
        try:
            state = self.decode_state(stored_event)
            cls = resolve_topic(stored_event.topic)
            if SEALED_MARK in stored_event.state:
                originator = as_uuid(stored_event.originator_id)
                field = getattr(cls, "personal_subject", None)
                named = state.get(field) if field else None
                unseal(as_uuid(named) if named else originator, state)
            upcast(cls, state)
            state["originator_id"] = stored_event.originator_id
            state["originator_version"] = stored_event.originator_version
            return cls.model_validate(state)
        except Exception as e:
            msg = (
                f"cannot load event {stored_event.topic} "
                f"{stored_event.originator_id}@{stored_event.originator_version}: {e}"
            )
            raise MapperDeserialisationError(msg) from e

    def to_domain_events(self, stored: Sequence[StoredEvent], personal: bool = True) -> list[Any]:
        """The events of a batch of stored records, in order (``personal``: whether their
        personal fields are opened; nothing is sealed here)."""
        del personal
        return [self.to_domain_event(s) for s in stored]

    def seal_state(self, cls: type[Any], subject: UUID, state: dict[str, Any]) -> None:
        """Protect personal fields before the state is stored (here: nothing to do)."""

    def unseal_state(self, subject: UUID, state: dict[str, Any]) -> None:
        """Undo ``seal_state`` on a stored state (here: nothing to do)."""

    def decode_state(self, stored_event: StoredEvent) -> dict[str, Any]:
        """The stored state as JSON values, without making an event of it."""
        data = stored_event.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        state: dict[str, Any] = self.transcoder.decode(data)
        return state


def upcast(cls: type[Any], state: dict[str, Any]) -> None:
    """Bring a stored state up to the class's current version, one step at a time."""
    current = getattr(cls, "class_version", 1)
    version = state.pop("class_version", 1)
    while version < current:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
