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
    max_tags: int = Field(default=50, ge=1)  # segment tags one client carries
    max_tag_length: int = Field(default=64, ge=1)
    # What feedback is about (第六步, 分析反馈数据), and the rating that asks for a follow-up.
    feedback_topics: tuple[str, ...] = (
        "fees",
        "advisor",
        "products",
        "platform",
        "service_hours",
        "other",
    )
    low_rating: int = Field(default=2, ge=1, le=5)


class AssessmentPolicy(BaseModel):
    """Risk assessments (DOMAIN.md §2): review every 6 months, expiry after 12; versions of
    the questionnaire that are retired are refused; ``current`` defaults to the newest."""

    model_config = ConfigDict(frozen=True)

    review_months: int = Field(default=6, ge=1)
    validity_months: int = Field(default=12, ge=1)
    retired_questionnaires: tuple[str, ...] = ()
    current_questionnaire: str | None = None
