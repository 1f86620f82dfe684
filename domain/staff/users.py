"""Staff accounts: personal, role-bearing, able to be disabled."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import InvalidField

USERNAME_KEY = "staff-username"


class Role(StrEnum):
    ADMIN = "admin"
    ADVISOR = "advisor"
    AGENT = "agent"
    COMPLIANCE = "compliance"
    QUALITY = "quality"
    MPL = "mpl"  # material project leader: owns CQP plans' internal preparation
    EDITOR = "editor"  # reviews and publishes knowledge-base articles


class StaffUser(Aggregate):
    """A staff member's account. The password arrives already hashed."""

    username: str
    role: Role
    password_hash: str
    enabled: bool
    branch: str | None = None  # older snapshots lack it
    # Tokens carry the version they were issued at: a password change or a disable moves it
    # on, so every earlier token stops working.
    token_version: int = 0
    # How the console shows itself to this person (None: their browser's language, the
    # service's time zone). Older snapshots lack them.
    language: str | None = None
    time_zone: str | None = None
    email: str | None = None  # where the daily digest goes (None: the inbox alone)

    class Registered(Created):
        username: str
        role: Role
        password_hash: str
        branch: str | None = None  # advisors work for one branch

        def apply(self, aggregate: StaffUser) -> None:
            aggregate.branch = self.branch
            aggregate.username = self.username
            aggregate.role = self.role
            aggregate.password_hash = self.password_hash
            aggregate.enabled = True

    class PasswordChanged(Event):
        password_hash: str

        def apply(self, aggregate: StaffUser) -> None:
            aggregate.password_hash = self.password_hash
            aggregate.token_version += 1

    class PasswordRehashed(Event):
        """The same password, hashed again with stronger parameters at a login."""

        password_hash: str

        def apply(self, aggregate: StaffUser) -> None:
            aggregate.password_hash = self.password_hash

    class Disabled(Event):
        reason: str

        def apply(self, aggregate: StaffUser) -> None:
            aggregate.enabled = False
            aggregate.token_version += 1

    class Enabled(Event):
        def apply(self, aggregate: StaffUser) -> None:
            aggregate.enabled = True

    class PreferencesChanged(Event):
        """The person chose the console's language and time zone (None: no choice)."""

        language: str | None
        time_zone: str | None

        def apply(self, aggregate: StaffUser) -> None:
            aggregate.language = self.language
            aggregate.time_zone = self.time_zone

    class EmailChanged(Event):
        """The person's work address for the inbox's daily digest (None: no digest)."""

        email: str | None

        def apply(self, aggregate: StaffUser) -> None:
            aggregate.email = self.email

    @classmethod
    def register(
        cls,
        ctx: Context,
        user_id: UUID,
        username: str,
        role: Role,
        password_hash: str,
        branch: str | None = None,
    ) -> StaffUser:
        """Open a personal account with one role."""
        name = username.strip().lower()
        if not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise InvalidField("username", "letters, digits, '.', '-' and '_' only")
        return cls._start(
            cls.Registered,
            ctx,
            user_id,
            username=name,
            role=role,
            password_hash=password_hash,
            branch=branch,
        )

    def change_password(self, ctx: Context, password_hash: str) -> None:
        """Replace the password hash."""
        self._record(self.PasswordChanged, ctx, password_hash=password_hash)

    def rehash(self, ctx: Context, password_hash: str) -> None:
        """Keep the password, under a hash of the current parameters; tokens stay valid."""
        self._record(self.PasswordRehashed, ctx, password_hash=password_hash)

    def disable(self, ctx: Context, reason: str) -> None:
        """Stop the account from logging in; its tokens stop working."""
        if ctx.actor == str(self.id):
            raise InvalidField("user", "an account cannot disable itself")
        if self.enabled:
            self._record(self.Disabled, ctx, reason=reason)

    def enable(self, ctx: Context) -> None:
        """Let a disabled account log in again."""
        if not self.enabled:
            self._record(self.Enabled, ctx)

    def prefer(self, ctx: Context, language: str | None, time_zone: str | None) -> None:
        """Keep the person's language and time zone (the caller knows which are offered);
        choosing what is already chosen records nothing."""
        if (language, time_zone) != (self.language, self.time_zone):
            self._record(self.PreferencesChanged, ctx, language=language, time_zone=time_zone)

    def set_email(self, ctx: Context, email: str | None) -> None:
        """Keep the address the daily digest goes to (blank: none); the same address again
        records nothing."""
        address = (email or "").strip() or None
        if address is not None:
            local, at, domain = address.rpartition("@")
            if not at or not local or "." not in domain or len(address) > 254 or " " in address:
                raise InvalidField("email", "not an e-mail address")
        if address != self.email:
            self._record(self.EmailChanged, ctx, email=address)
