"""Password hashing (argon2) and bearer tokens (signed JWT)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from adapters.shared.secrets import secret
from adapters.shared.settings import Settings

# OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane): the library's
# default (64 MiB, 3 passes, 4 lanes) made 40 parallel logins take 2.5 GB.
OWASP = (2, 19 * 1024, 1)  # time cost, memory cost (KiB), parallelism
FAST = (1, 1024, 1)  # the test suite's


class Argon2Hasher:
    """argon2id, with at most ``slots`` hashes computed at once in this process: the memory
    they take is bounded whatever the number of parallel logins."""

    def __init__(self, fast: bool = False, slots: int = 1) -> None:
        time_cost, memory_cost, parallelism = FAST if fast else OWASP
        self._hasher = PasswordHasher(time_cost, memory_cost, parallelism)
        self.slots = slots
        self._slots = threading.BoundedSemaphore(slots)

    def hash(self, password: str) -> str:
        with self._slots:
            return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            with self._slots:
                return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True for a hash made with other parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    username: str
    role: str
    branch: str | None = None
    token_version: int = 0


class InvalidToken(Exception):
    pass


class TokenService:
    algorithm = "HS256"

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._secret = secret
        self.ttl = ttl

    def companion(self, token: str, purpose: str) -> str:
        """A value bound to one token (a session's CSRF token): only this key makes it."""
        message = f"{purpose}:{token}".encode()
        return hmac.new(self._secret.encode(), message, hashlib.sha256).hexdigest()

    def issue(self, claims: TokenClaims, now: datetime) -> str:
        payload: dict[str, Any] = {
            "sub": claims.user_id,
            "name": claims.username,
            "role": claims.role,
            "branch": claims.branch,
            "ver": claims.token_version,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(payload, self._secret, algorithm=self.algorithm)

    def verify(self, token: str) -> TokenClaims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],
                options={"require": ["exp", "sub", "role"]},
            )
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from None
        sub, version = payload["sub"], payload.get("ver", 0)
        try:
            UUID(sub)
        except (ValueError, TypeError, AttributeError):
            raise InvalidToken("sub: not a user id") from None
        if not isinstance(version, int):
            raise InvalidToken("ver: not a token version")
        return TokenClaims(
            user_id=sub,
            username=str(payload.get("name", "")),
            role=str(payload["role"]),
            branch=payload.get("branch"),
            token_version=version,
        )


def secret_key(settings: Settings) -> str:
    """The signing key: ``ASSURE_SECRET_KEY``, else generated once into the data directory."""
    return secret(settings, "secret_key", "secret.key", lambda: secrets.token_urlsafe(48))
