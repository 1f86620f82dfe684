"""Commands on staff accounts, and the check of a login."""

from __future__ import annotations

import secrets
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.shared.base import Context
from domain.shared.errors import ConcurrentWrite, DuplicateFound, InvalidField, NotAuthenticated
from domain.shared.keys import UniqueKey, unique_key_id
from domain.staff.users import USERNAME_KEY, Role, StaffUser

MIN_PASSWORD_LENGTH = 12


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class StaffCommands(Commands):
    def __init__(self, store: Store, hasher: PasswordHasher) -> None:
        super().__init__(store)
        self.hasher = hasher
        self._decoy: str | None = None

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

        return self.update(ctx, StaffUser, user_id, action, idem=None)

    def disable(self, ctx: Context, user_id: UUID, reason: str) -> CommandResult:
        """Disable an account."""
        return self.update(ctx, StaffUser, user_id, lambda u: u.disable(ctx, reason), idem=None)

    def enable(self, ctx: Context, user_id: UUID) -> CommandResult:
        """Enable a disabled account."""
        return self.update(ctx, StaffUser, user_id, lambda u: u.enable(ctx), idem=None)

    def authenticate(self, username: str, password: str) -> StaffUser:
        """The enabled account with this username and password, else NotAuthenticated."""
        user = self.find_user(username)
        if user is None:
            self.hasher.verify(self._decoy_hash(), password)  # as slow as a wrong password
            raise NotAuthenticated("wrong username or password")
        if not self.hasher.verify(user.password_hash, password):
            raise NotAuthenticated("wrong username or password")
        if not user.enabled:
            raise NotAuthenticated("account disabled")
        return user

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
