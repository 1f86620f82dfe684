"""Commands on staff accounts, and the check of a login."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.shared.base import Context
from domain.shared.errors import (
    ConcurrentWrite,
    DuplicateFound,
    InvalidField,
    NotAuthenticated,
    NotFound,
)
from domain.shared.keys import UniqueKey, unique_key_id
from domain.staff.branches import UnknownBranch, branch_id
from domain.staff.users import USERNAME_KEY, Role, StaffUser

MIN_PASSWORD_LENGTH = 12


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True)
class Account:
    """What a request needs to know of its user: who, which role and branch, and whether
    its token is still good."""

    id: UUID
    username: str
    role: Role
    branch: str | None
    enabled: bool
    token_version: int
    language: str | None = None
    time_zone: str | None = None
    email: str | None = None


class StaffCommands(Commands):
    def __init__(self, store: Store, hasher: PasswordHasher, account_ttl: float = 2.0) -> None:
        super().__init__(store)
        self.hasher = hasher
        self._decoy: str | None = None
        # Accounts read for requests, kept a moment: this process forgets one as soon as it
        # changes it; another process's change is seen within ``account_ttl`` seconds.
        self._account_ttl = account_ttl
        self._accounts: dict[UUID, tuple[float, Account | None]] = {}
        self._accounts_lock = threading.Lock()
        # A username never changes: once read, it is kept.
        self._usernames: dict[UUID, str] = {}

    def add_user(
        self,
        ctx: Context,
        username: str,
        role: Role,
        password: str,
        idem: Idempotency | None = None,
        branch: str | None = None,
    ) -> CommandResult:
        """Open a personal account; the username must be free."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        if branch is not None and not self.exists(branch_id(branch)):
            raise UnknownBranch(branch)
        user = StaffUser.register(ctx, uuid4(), username, role, self._hash(password), branch)
        claim = UniqueKey.claim(ctx, USERNAME_KEY, user.username, user.id)
        try:
            return self.commit(ctx, user, claim, idem=idem)
        except ConcurrentWrite:
            if self.exists(unique_key_id(USERNAME_KEY, user.username)):
                raise DuplicateFound(f"username {user.username!r} is taken") from None
            raise

    def change_password(
        self,
        ctx: Context,
        user_id: UUID,
        new_password: str,
        current_password: str | None = None,
    ) -> CommandResult:
        """Set a new password; users changing their own must give the current one."""

        def action(user: StaffUser) -> None:
            if current_password is not None and not self.hasher.verify(
                user.password_hash, current_password
            ):
                raise InvalidField("current_password", "is wrong")
            user.change_password(ctx, self._hash(new_password))

        return self._changed(user_id, self.update(ctx, StaffUser, user_id, action, idem=None))

    def disable(self, ctx: Context, user_id: UUID, reason: str) -> CommandResult:
        """Disable an account."""
        return self._changed(
            user_id,
            self.update(ctx, StaffUser, user_id, lambda u: u.disable(ctx, reason), idem=None),
        )

    def enable(self, ctx: Context, user_id: UUID) -> CommandResult:
        """Enable a disabled account."""
        return self._changed(
            user_id, self.update(ctx, StaffUser, user_id, lambda u: u.enable(ctx), idem=None)
        )

    def prefer(
        self, ctx: Context, user_id: UUID, language: str | None, time_zone: str | None
    ) -> CommandResult:
        """Keep one's own language and time zone for the console."""
        return self._changed(
            user_id,
            self.update(
                ctx, StaffUser, user_id, lambda u: u.prefer(ctx, language, time_zone), idem=None
            ),
        )

    def set_email(self, ctx: Context, user_id: UUID, email: str | None) -> CommandResult:
        """Keep one's own address for the inbox's daily digest (None: no digest)."""
        return self._changed(
            user_id,
            self.update(ctx, StaffUser, user_id, lambda u: u.set_email(ctx, email), idem=None),
        )

    def authenticate(self, ctx: Context, username: str, password: str) -> StaffUser:
        """The enabled account with this username and password, else NotAuthenticated. A
        hash made with weaker parameters than today's is replaced (the user's own act)."""
        user = self.find_user(username)
        if user is None:
            self.hasher.verify(self._decoy_hash(), password)  # as slow as a wrong password
            raise NotAuthenticated("wrong username or password", why="unknown user")
        if not self.hasher.verify(user.password_hash, password):
            raise NotAuthenticated("wrong username or password", why="wrong password")
        if not user.enabled:
            raise NotAuthenticated("account disabled")
        if self.hasher.needs_rehash(user.password_hash):
            own = ctx.model_copy(update={"actor": str(user.id)})
            user.rehash(own, self.hasher.hash(password))
            with suppress(ConcurrentWrite):  # changed meanwhile: the next login rehashes
                self.commit(own, user, idem=None)
        return user

    def account(self, user_id: UUID) -> Account | None:
        """The account a token names, as of at most ``account_ttl`` seconds ago."""
        now = time.monotonic()
        with self._accounts_lock:
            cached = self._accounts.get(user_id)
        if cached is not None and now - cached[0] < self._account_ttl:
            return cached[1]
        try:
            user = self.load(StaffUser, user_id)
        except NotFound:
            found = None
        else:
            found = Account(
                user.id,
                user.username,
                user.role,
                user.branch,
                user.enabled,
                user.token_version,
                user.language,
                user.time_zone,
                user.email,
            )
        with self._accounts_lock:
            if len(self._accounts) > 10_000:  # pragma: no mutate - a bound, not a rule
                self._accounts.clear()
            self._accounts[user_id] = (now, found)
        return found

    def usernames(self, user_ids: Iterable[UUID]) -> dict[UUID, str]:
        """The usernames of these accounts (the ones that exist)."""
        found = {}
        for user_id in set(user_ids):
            name = self._usernames.get(user_id)
            if name is None:
                try:
                    name = self.load(StaffUser, user_id).username
                except NotFound:
                    continue
                if len(self._usernames) > 10_000:  # pragma: no mutate - a bound, not a rule
                    self._usernames.clear()
                self._usernames[user_id] = name
            found[user_id] = name
        return found

    def _changed(self, user_id: UUID, result: CommandResult) -> CommandResult:
        with self._accounts_lock:
            self._accounts.pop(user_id, None)
        return result

    def find_user(self, username: str) -> StaffUser | None:
        try:
            claim: Any = self.store.repository.get(unique_key_id(USERNAME_KEY, username))
        except AggregateNotFoundError:
            return None
        return self.load(StaffUser, claim.owner_id)

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidField("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
        return self.hasher.hash(password)
