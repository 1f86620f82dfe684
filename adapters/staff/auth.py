"""Password hashing (argon2) and bearer tokens (signed JWT)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from adapters.shared.settings import Settings


class Argon2Hasher:
    def __init__(self, fast: bool = False) -> None:
        # The test suite uses cheap parameters; production keeps argon2's defaults.
        self._hasher = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
            if fast
            else PasswordHasher()
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    username: str
    role: str
    branch: str | None = None


class InvalidToken(Exception):
    pass


class TokenService:
    algorithm = "HS256"

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._secret = secret
        self.ttl = ttl

    def issue(self, claims: TokenClaims, now: datetime) -> str:
        payload: dict[str, Any] = {
            "sub": claims.user_id,
            "name": claims.username,
            "role": claims.role,
            "branch": claims.branch,
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
        return TokenClaims(
            user_id=payload["sub"],
            username=payload.get("name", ""),
            role=payload["role"],
            branch=payload.get("branch"),
        )


def secret_key(settings: Settings) -> str:
    """The signing key: from the settings, else generated once into the data directory."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    if settings.env == "production":
        msg = "ASSURE_SECRET_KEY must be set in production"
        raise RuntimeError(msg)
    path: Path = settings.data_dir / "secret.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
