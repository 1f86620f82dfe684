"""Personal data in events, sealed with a key per person (crypto-shredding).

Event classes name their personal fields (``personal_fields``); an aggregate names the
personal fields of its snapshot state the same way. The mapper seals every string within
those fields with AES-256-GCM under the key of the aggregate the event belongs to, bound to
that id; the stored JSON keeps the shape, each string replaced by ``{"$sealed": "…"}``.

A person's key is made on the first sealed event and stored in ``personal_data_keys``,
beside the events and **in the same transaction** as the first events sealed with it, so
no event is ever stored under a key that was not. Erasure destroys the key (the row stays,
with no key, as the record that it was destroyed): every sealed string of that person then
reads as ``ERASED``, in aggregates, snapshots, history and rebuilt views alike, while the
stored bytes, and so the audit chain, are untouched.

Keys are cached per process (bounded, for ``KEY_TTL_SECONDS``), so another process may read
an erased person's data for that long after the erasure.

**Envelope encryption.** A key is stored wrapped by a master key (AES-256-GCM, bound to its
subject), which lives outside the database: ``ASSURE_MASTER_KEY``, or ``master.key`` in the
data directory (generated once). A copy of the events and keys tables alone reveals
nothing. A wrapped key names its master (the first 8 bytes of the master's SHA-256), so
keys wrapped by an older master (``ASSURE_OLD_MASTER_KEYS``, ``master.key.old``) are still
read, and each start re-wraps them, and any key stored before wrapping, under the current
one (``assure keys rotate-master``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from adapters.shared.secrets import secret
from adapters.shared.serialization import (
    SEALED,
    SEALED_MARK,
    OrjsonTranscoder,
    PydanticMapper,
    as_uuid,
)
from adapters.shared.settings import Settings
from domain.shared.base import ERASED, Snapshot
from domain.shared.errors import Conflict

KEYS_TABLE = "personal_data_keys"
WRAPPED = b"AW1"  # a wrapped key: this, the master's id, a nonce, the sealed key
MASTER_ID_BYTES = 8
KEY_TTL_SECONDS = 30.0
CACHE_SIZE = 100_000
NONCE_BYTES = 12


class PersonalDataErased(Conflict):
    """This person's personal data was erased: nothing personal can be recorded again."""


class KeyTable(Protocol):
    """The store's table of personal data keys (SQLite or PostgreSQL)."""

    keyring: KeyRing | None

    def select_keys(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        """The rows of those subjects that have one: their key, or None once destroyed."""
        ...

    def destroy_key(self, subject: UUID, at: datetime) -> bool:
        """Destroy the key; True when a key was there to destroy."""
        ...

    def key_rows(self, after: UUID | None, limit: int) -> list[tuple[UUID, bytes]]:
        """Up to ``limit`` live keys as stored, by subject, after ``after``."""
        ...

    def replace_keys(self, rows: dict[UUID, bytes]) -> None:
        """Store these keys (re-wrapped) in place of the live ones."""
        ...


class UnknownMaster(Exception):
    """A key is wrapped by a master key this process was not given."""


class Masters:
    """The current master key, which wraps every key stored, and older ones, still read."""

    def __init__(self, current: bytes, older: Sequence[bytes] = ()) -> None:
        self.current_id = master_id(current)
        self._current = AESGCM(current)
        self._by_id = {master_id(k): AESGCM(k) for k in (*older, current)}

    def wrap(self, subject: UUID, key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return WRAPPED + self.current_id + nonce + self._current.encrypt(nonce, key, subject.bytes)

    def unwrap(self, subject: UUID, stored: bytes) -> bytes:
        """The key; one stored before wrapping began is read as it is."""
        if not stored.startswith(WRAPPED):
            return stored
        head = len(WRAPPED)
        mid, rest = stored[head : head + MASTER_ID_BYTES], stored[head + MASTER_ID_BYTES :]
        cipher = self._by_id.get(mid)
        if cipher is None:
            msg = f"a personal data key is wrapped by master {mid.hex()}, not configured"
            raise UnknownMaster(msg)
        return cipher.decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], subject.bytes)

    def current(self, stored: bytes) -> bool:
        """Whether a stored key is wrapped by the current master."""
        head = len(WRAPPED)
        return stored.startswith(WRAPPED) and stored[head : head + MASTER_ID_BYTES] == (
            self.current_id
        )


def master_id(master: bytes) -> bytes:
    return hashlib.sha256(master).digest()[:MASTER_ID_BYTES]


DETACHED = "the key ring is not attached to a store"


class KeyRing:
    """Keys by person: made when first needed, cached, destroyed on erasure."""

    def __init__(self, masters: Masters) -> None:
        self.masters = masters
        self.table: KeyTable | None = None
        self._cache: OrderedDict[UUID, tuple[float, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()

    def attach(self, table: KeyTable) -> None:
        """Use the event store's key table (once the store exists); its recorder stores
        the keys this ring makes."""
        self.table = table
        table.keyring = self

    # -- keys ---------------------------------------------------------------------------

    def lookup(self, subject: UUID) -> tuple[bool, bytes | None]:
        """Whether the subject ever had a key, and the key (None once destroyed)."""
        with self._lock:
            hit = self._cache.get(subject)
            if hit is not None and _fresh(hit, time.monotonic()):
                self._cache.move_to_end(subject)
                return True, hit[1]
        if self.table is None:
            return False, None
        found = self.table.select_keys([subject])
        if subject not in found:
            return False, None
        key = self._plain(subject, found[subject])
        self._remember(subject, key)
        return True, key

    def prefetch(self, subjects: set[UUID]) -> None:
        """Look up in one query the keys of those subjects not cached (a batch of events)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get  # pragma: no mutate - a cache
            missing = [s for s in subjects if not _fresh(cached(s), now)]  # pragma: no mutate
        if missing and self.table is not None:
            for subject, stored in self.table.select_keys(missing).items():
                self._remember(subject, self._plain(subject, stored))

    def _plain(self, subject: UUID, stored: bytes | None) -> bytes | None:
        return None if stored is None else self.masters.unwrap(subject, bytes(stored))

    def for_storage(self, keys: dict[UUID, bytes]) -> dict[UUID, bytes]:
        """New keys as the table keeps them: wrapped by the current master key."""
        return {subject: self.masters.wrap(subject, key) for subject, key in keys.items()}

    def rewrap(self, page: int = 1_000) -> int:
        """Wrap under the current master every live key that is not (an older master's, or
        one stored before wrapping); how many were."""
        assert self.table is not None, DETACHED
        changed, after = 0, None
        while rows := self.table.key_rows(after, page):
            stale = {
                subject: self.masters.wrap(subject, self.masters.unwrap(subject, stored))
                for subject, stored in rows
                if not self.masters.current(stored)
            }
            if stale:
                self.table.replace_keys(stale)
            changed, after = changed + len(stale), rows[-1][0]
        return changed

    def _remember(self, subject: UUID, key: bytes | None) -> None:
        with self._lock:
            self._cache[subject] = (time.monotonic(), key)
            self._cache.move_to_end(subject)
            while len(self._cache) > CACHE_SIZE:  # pragma: no mutate - a cache's bound
                self._cache.popitem(last=False)  # pragma: no mutate - which entry goes

    def _pending(self) -> dict[UUID, bytes]:
        pending: dict[UUID, bytes] | None = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = {}
        return pending

    def key_for_sealing(self, subject: UUID, *, new: bool) -> bytes:
        """The subject's key; a new one (stored with the events) if it has none yet. For a
        ``new`` aggregate nothing is looked up: a key it had would fail the insert."""
        pending = self._pending()
        if subject in pending:
            return pending[subject]
        exists, key = (False, None) if new else self.lookup(subject)  # pragma: no mutate
        if key is not None:
            return key
        if exists:
            raise PersonalDataErased(f"the personal data of {subject} was erased")
        pending[subject] = key = os.urandom(32)
        return key

    def take_pending(self) -> dict[UUID, bytes]:
        """The keys made for the events about to be stored (this thread), to store with
        them; forgotten here either way."""
        pending = self._pending()
        self._local.pending = {}  # pragma: no mutate - None is read as empty too
        return pending

    def stored(self, keys: dict[UUID, bytes]) -> None:
        """The keys were stored with their events."""
        for subject, key in keys.items():
            self._remember(subject, key)

    def destroy(self, subject: UUID, at: datetime) -> bool:
        """Destroy the subject's key (erasure); True when there was one to destroy."""
        assert self.table is not None, DETACHED
        destroyed = self.table.destroy_key(subject, at)
        self._remember(subject, None)
        cipher_of.cache_clear()  # no cipher of the destroyed key stays in memory
        return destroyed

    def live(self, subjects: list[UUID]) -> set[UUID]:
        """Those of the subjects whose key still exists."""
        assert self.table is not None, DETACHED
        if not subjects:
            return set()
        found = self.table.select_keys(subjects)
        return {subject for subject, key in found.items() if key is not None}

    # -- sealing ------------------------------------------------------------------------

    @staticmethod
    def seal(value: Any, cipher: AESGCM, subject: UUID) -> Any:
        """Every string within ``value`` sealed; the shape and other values kept."""
        if isinstance(value, str):
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, value.encode(), subject.bytes)
            return {SEALED: base64.b64encode(nonce + sealed).decode()}
        if isinstance(value, dict):
            return {k: KeyRing.seal(v, cipher, subject) for k, v in value.items()}
        if isinstance(value, list):
            return [KeyRing.seal(v, cipher, subject) for v in value]
        return value

    def opener(self, subject: UUID) -> Opener:
        """Opens the sealed values of one event of ``subject``, looking its key up once."""
        return Opener(self, subject)


@functools.lru_cache(maxsize=1024)  # pragma: no mutate - a cache's bound
def cipher_of(key: bytes) -> AESGCM:
    """The cipher of a key, made once (reading a batch opens many values of one person)."""
    return AESGCM(key)


class Opener:
    """Opens every sealed string within a value with one subject's key (looked up once),
    or reads it as ``ERASED`` once that key is destroyed."""

    def __init__(self, keyring: KeyRing, subject: UUID) -> None:
        self.keyring, self.subject = keyring, subject
        self._looked_up = False
        self._exists = False
        self._cipher: AESGCM | None = None

    def _key(self) -> tuple[bool, AESGCM | None]:
        if not self._looked_up:
            self._exists, key = self.keyring.lookup(self.subject)
            self._cipher = cipher_of(key) if key is not None else None
            self._looked_up = True  # pragma: no mutate - a cache
        return self._exists, self._cipher

    def open(self, value: Any) -> Any:
        return _each_sealed(value, self._opened)

    def _opened(self, value: dict[str, str]) -> Any:
        exists, cipher = self._key()
        if not exists:  # no key was ever made for it: not sealed by us
            return value
        if cipher is None:
            return ERASED
        data = base64.b64decode(value[SEALED])
        nonce, sealed = data[:NONCE_BYTES], data[NONCE_BYTES:]
        return cipher.decrypt(nonce, sealed, self.subject.bytes).decode()


class Redactor:
    """Reads every sealed string as ``ERASED`` without looking up a key: the events of a
    view that reads no personal field (``View.personal``), never decrypted."""

    def open(self, value: Any) -> Any:
        return _each_sealed(value, lambda _: ERASED)


def _each_sealed(value: Any, sealed: Callable[[dict[str, str]], Any]) -> Any:
    """``value`` with each sealed string in it (at any depth) replaced by ``sealed(it)``."""
    if isinstance(value, dict):
        if SEALED in value and len(value) == 1 and isinstance(value[SEALED], str):
            return sealed(value)
        return {k: _each_sealed(v, sealed) for k, v in value.items()}
    if isinstance(value, list):
        return [_each_sealed(v, sealed) for v in value]
    return value  # a string stored before sealing began is read as it is


def _personal_value(value: Any) -> bool:
    """Whether a value holds any string to seal (``ERASED`` says nothing of anyone)."""
    if isinstance(value, str):
        return value != ERASED
    if isinstance(value, dict):
        return any(_personal_value(v) for v in value.values())
    if isinstance(value, list):
        return any(_personal_value(v) for v in value)
    return False


def _personal(cls: type[Any], state: dict[str, Any]) -> tuple[dict[str, Any], Iterable[str]]:
    """Where an event's personal fields are: the event itself, or a snapshot's state."""
    if issubclass(cls, Snapshot):
        aggregate = resolve_topic(state["topic"])
        return state["state"], getattr(aggregate, "personal_fields", ())  # pragma: no mutate
    return state, getattr(cls, "personal_fields", ())  # pragma: no mutate - the base has it


class SealingMapper(PydanticMapper):
    """The one mapper, sealing personal fields with the person's key."""

    def __init__(self, keyring: KeyRing) -> None:
        super().__init__(transcoder=OrjsonTranscoder())
        self.keyring = keyring

    def to_domain_events(self, stored: Sequence[StoredEvent], personal: bool = True) -> list[Any]:
        """Events of a batch, the keys of all their subjects looked up in one query and
        each person's opener made once; without ``personal``, their personal fields read
        as ``ERASED``, no key looked up and nothing decrypted."""
        if not personal:
            redactor = Redactor()
            return [self.decoded(s, lambda _, state: _open_fields(redactor, state)) for s in stored]
        self.keyring.prefetch({as_uuid(s.originator_id) for s in stored if SEALED_MARK in s.state})
        openers: dict[UUID, Opener] = {}

        def unseal(subject: UUID, state: dict[str, Any]) -> None:
            opener = openers.get(subject)
            if opener is None:
                opener = openers[subject] = self.keyring.opener(subject)
            _open_fields(opener, state)

        return [self.decoded(s, unseal) for s in stored]

    def seal_state(self, cls: type[Any], subject: UUID, state: dict[str, Any]) -> None:
        """Seal the personal fields of a state about to be stored, in place."""
        holder, fields = _personal(cls, state)
        present = [f for f in fields if f in holder and _personal_value(holder[f])]
        person = subject_of(cls, state, subject)
        if present and person is not None:  # an erased client's snapshot holds nothing
            # A new aggregate has no key yet; another's person (a ticket's client) may.
            created = person == subject and "originator_topic" in state  # pragma: no mutate
            subject = person
            key = self.keyring.key_for_sealing(subject, new=created)
            cipher = cipher_of(key)
            for field in present:
                holder[field] = self.keyring.seal(holder[field], cipher, subject)

    def unseal_state(self, subject: UUID, state: dict[str, Any]) -> None:
        """Open every sealed string of a stored state, in place, whatever field it is in
        now (so an upcaster sees plain values)."""
        _open_fields(self.keyring.opener(subject), state)


def _open_fields(opener: Opener | Redactor, state: dict[str, Any]) -> None:
    for name, value in state.items():
        # Only containers need opening, and never the envelope (open leaves plain values).
        if isinstance(value, dict | list) and name != "meta":  # pragma: no mutate
            state[name] = opener.open(value)


MASTER_FILE, OLD_MASTER_FILE = "master.key", "master.key.old"


def load_masters(settings: Settings) -> Masters:
    """The master keys: ``ASSURE_MASTER_KEY`` (else ``master.key`` in the data directory,
    generated once), and the older ones still read (``ASSURE_OLD_MASTER_KEYS``, and
    ``master.key.old`` left by a rotation)."""
    current = secret(settings, "master_key", MASTER_FILE, new_master)
    older = [k.get_secret_value() for k in settings.old_master_keys]
    old_file = settings.data_dir / OLD_MASTER_FILE
    if settings.master_key is None and old_file.exists():
        older.append(old_file.read_text().strip())
    return Masters(base64.b64decode(current), [base64.b64decode(k) for k in older])


def new_master() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def subject_of(cls: type[Any], state: dict[str, Any], originator: UUID) -> UUID | None:
    """Whose key seals (and opens) an event's personal fields: the aggregate's own, or the
    person a field names (``personal_subject``); None when that field names no one."""
    field = getattr(cls, "personal_subject", None)
    if field is None:
        return originator
    named = state.get(field)
    return None if named is None else UUID(str(named))


def _fresh(hit: tuple[float, bytes | None] | None, now: float) -> bool:
    """Whether a cached key may still be used (a cache's lifetime: the bound is loose)."""
    return hit is not None and now - hit[0] < KEY_TTL_SECONDS  # pragma: no mutate
