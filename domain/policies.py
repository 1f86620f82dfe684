"""Policies that are settings: defaults here, values chosen at start-up."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

CLIENT_POLICY_VERSION = "clients-2026.1"


class ClientPolicy(BaseModel):
    """Service tiers (DOMAIN.md §1) and the largest clock skew accepted for past events."""

    model_config = ConfigDict(frozen=True)

    version: str = CLIENT_POLICY_VERSION
    tiers: tuple[str, ...] = ("standard", "gold", "platinum")
    default_tier: str = "standard"
    max_future_skew_seconds: int = Field(default=300, ge=0)
