"""The four 3SQS steps, each rated 0-4 with its evidence."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class SqsStep(StrEnum):
    PREVENTION = "prevention"
    EARLY_DETECTION = "early_detection"
    SCREEN_CAPABILITY = "screen_capability"
    FA_CA = "fa_ca"


class SqsRating(BaseModel):
    model_config = ConfigDict(frozen=True)

    rating: int
    evidence: str
    rated_at: datetime
    rated_by: str
