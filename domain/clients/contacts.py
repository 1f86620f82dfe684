"""Communication plans (客户体系建设方案, 第四步: 沟通计划): each tier's contact cadence. A
client is due for contact a cadence after the last contact (or after registration, before
the first), falls due a notice period before that day, and is overdue the day after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ContactStage = Literal["due", "overdue"]


class ContactPolicy(BaseModel):
    """Days between contacts per tier (defaults: platinum monthly, gold quarterly,
    standard every six months); a tier not named keeps the longest cadence."""

    model_config = ConfigDict(frozen=True)

    every_days: dict[str, int] = {"platinum": 30, "gold": 91, "standard": 182}
    notice_days: int = Field(default=7, ge=0, le=90)

    def cadence(self, tier: str) -> int:
        return self.every_days.get(tier, max(self.every_days.values(), default=182))

    def due_on(self, since: date, tier: str) -> date:
        """The day the next contact is due, the last one (or registration) on ``since``."""
        return since + timedelta(days=self.cadence(tier))

    def stage(self, due_on: date, today: date) -> ContactStage | None:
        """``due`` within the notice period, ``overdue`` once the day has passed."""
        if today > due_on:
            return "overdue"
        return "due" if today >= due_on - timedelta(days=self.notice_days) else None
