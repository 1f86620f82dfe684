"""Secrets kept outside the database: from a setting, else a file in the data directory,
generated once (mode 0600)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from pydantic import SecretStr

from adapters.shared.settings import Settings


def secret(settings: Settings, name: str, filename: str, make: Callable[[], str]) -> str:
    """The setting ``name``'s value, else the file's (made by ``make`` the first time). A
    production process must be given it: a generated secret would die with the machine."""
    given: SecretStr | None = getattr(settings, name)
    if given is not None:
        return given.get_secret_value()
    if settings.env == "production":
        msg = f"ASSURE_{name.upper()} must be set in production"
        raise RuntimeError(msg)
    path = settings.data_dir / filename
    if not path.exists():
        write_secret(path, make())
    return path.read_text().strip()


def write_secret(path: Path, value: str) -> None:
    """Write a secret file that did not exist (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)


def replace_secret(path: Path, value: str) -> None:
    """Write a secret file in place of the one there (0600), atomically."""
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    write_secret(temporary, value)
    temporary.replace(path)


def claim_ids(settings: Settings) -> Callable[[str, str], UUID]:
    """Ids of claims on unique values keyed by the pepper (``ASSURE_PEPPER``, else
    ``pepper.key`` in the data directory): without it, the ids tell nothing of the values."""
    pepper = secret(settings, "pepper", "pepper.key", lambda: secrets.token_urlsafe(32))
    key = pepper.encode()

    def claim_id(kind: str, value: str) -> UUID:
        message = f"{kind}:{value.strip().casefold()}".encode()
        return UUID(bytes=hmac.new(key, message, hashlib.sha256).digest()[:16])

    return claim_id
