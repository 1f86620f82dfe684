"""Settings, read from ``ASSURE_`` environment variables when the process starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.shared.mail import check_url
from domain.clients import AssessmentPolicy, ClientPolicy, CoveragePolicy
from domain.cqp import CQPPolicy
from domain.service_desk import SlaPolicy
from domain.staff import LoginPolicy
from domain.suitability import SuitabilityPolicy
from domain.suppliers import SupplierPolicy


@dataclass(frozen=True)
class ConnectionBudget:
    """How one process shares its PostgreSQL connections: one session holding every
    leadership lock, one listening for new events, and three pools (the event store's
    writers, its readers, and the views)."""

    sessions: int
    writers: int
    readers: int
    views: int

    @classmethod
    def of(cls, total: int) -> ConnectionBudget:
        sessions = 2
        rest = total - sessions
        writers = max(1, rest // 4)  # commands take the store's lock one at a time
        readers = max(1, (rest - writers) // 2)
        return cls(sessions, writers, readers, rest - writers - readers)

    @property
    def total(self) -> int:
        return self.sessions + self.writers + self.readers + self.views


class Settings(BaseSettings):
    """Every setting of the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="ASSURE_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    database_schema: str = "public"
    # PostgreSQL connections one process holds at most, every pool and session included.
    max_connections: int = Field(default=10, ge=5)
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr | None = None
    # The master key wrapping personal-data keys (base64 of 32 bytes), and older ones.
    master_key: SecretStr | None = None
    old_master_keys: list[SecretStr] = []
    # The key of identity-number claims (HMAC): the store alone does not tell a number.
    pepper: SecretStr | None = None
    token_ttl_hours: float = Field(default=8.0, gt=0)
    # A console session left unused this long asks for a sign-in again (policy); the
    # token's lifetime bounds it in any case.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # The time zone the console shows times in.
    time_zone: str = "Asia/Shanghai"
    # How long a request may trust an account read before (a change in another process).
    account_cache_seconds: float = Field(default=2.0, ge=0, le=30)
    # Password hashes computed at once by one process (each takes 19 MiB and a core).
    hash_slots: int = Field(default=1, ge=1)
    login_policy: LoginPolicy = LoginPolicy()
    # Request bodies: larger ones answer 413 before they are read (Content-Length) or as
    # soon as they pass the limit (chunked); file uploads have their own limit.
    max_body_bytes: int = Field(default=2**20, ge=1024)
    max_upload_bytes: int = Field(default=50 * 2**20, ge=1024)
    # Snapshot intervals by aggregate class name, over the ones each context declares.
    snapshot_intervals: dict[str, int] = {}
    projection_batch_size: int = Field(default=500, ge=1)
    projection_poll_interval: float = Field(default=0.5, gt=0)
    projection_max_attempts: int = Field(default=3, ge=1)
    projection_backoff: float = Field(default=0.2, ge=0)
    read_wait_timeout: float = Field(default=5.0, ge=0)
    # Reads waiting at once for the views (``?min_position=``); beyond it, 503.
    max_waiting_reads: int = Field(default=100, ge=1)
    run_workers: bool = True
    run_scheduler: bool = True
    scheduler_interval_seconds: int = Field(default=60, ge=1)
    demo_on_empty: bool = True
    # The staff inbox's daily digest: an SMTP server (smtp://host:port, smtps://…, or
    # smtp+starttls://…, with user:password@ when it asks), the sender, and the local hour
    # from which each day's digest goes. Unset: no e-mail, the inbox alone.
    smtp_url: SecretStr | None = None
    mail_from: str = "assure@localhost"
    digest_hour: int = Field(default=8, ge=0, le=23)
    log_level: str = "INFO"
    client_policy: ClientPolicy = ClientPolicy()
    coverage_policy: CoveragePolicy = CoveragePolicy()
    assessment_policy: AssessmentPolicy = AssessmentPolicy()
    suitability_policy: SuitabilityPolicy = SuitabilityPolicy()
    sla_policy: SlaPolicy = SlaPolicy()
    supplier_policy: SupplierPolicy = SupplierPolicy()
    cqp_policy: CQPPolicy = CQPPolicy()
    questionnaire_dir: Path | None = None

    @field_validator("time_zone")
    @classmethod
    def known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)"
            raise ValueError(msg) from None
        return name

    @field_validator("smtp_url")
    @classmethod
    def smtp_server(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None:
            check_url(url.get_secret_value())
        return url

    @property
    def connections(self) -> ConnectionBudget:
        return ConnectionBudget.of(self.max_connections)

    @property
    def is_postgres(self) -> bool:
        url = self.database_url or ""
        return urlparse(url).scheme.startswith("postgres")

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.sqlite"

    @property
    def views_path(self) -> Path:
        return self.data_dir / "views.sqlite"

    def postgres_params(self) -> dict[str, str]:
        """Connection parameters parsed from ``database_url``."""
        url = urlparse(self.database_url or "")
        return {
            "host": url.hostname or "127.0.0.1",
            "port": str(url.port or 5432),
            "dbname": url.path.lstrip("/") or "postgres",
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
        }
