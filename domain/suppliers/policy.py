"""The supplier policy (a setting): audit thresholds, strategic status, re-audit period;
and the re-audit rules that follow from it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SUPPLIER_POLICY_VERSION = "suppliers-2026.1"


class SupplierPolicy(BaseModel):
    """AVL approval needs a passed on-site audit: every section >= 2.0 and the mean >= 3.0;
    a mean >= 3.5 makes the supplier strategic; re-audit 12 months after the last one."""

    model_config = ConfigDict(frozen=True)

    version: str = SUPPLIER_POLICY_VERSION
    min_section: float = Field(default=2.0, ge=0, le=4)
    min_mean: float = Field(default=3.0, ge=0, le=4)
    strategic_mean: float = Field(default=3.5, ge=0, le=4)
    reaudit_months: int = Field(default=12, ge=1)
    reaudit_notice_days: int = Field(default=30, ge=0)


def reaudit_overdue(due: date | None, today: date) -> bool:
    """A re-audit is overdue the day after its due date."""
    return due is not None and today > due


def reaudit_flag(
    due: date, today: date, flagged_for: date | None, overdue_for: date | None, notice_days: int
) -> Literal["overdue", "due"] | None:
    """What the scheduler records today of a re-audit due on ``due``: ``overdue`` once past
    it, ``due`` once within the notice period, each once per due date; else None."""
    if reaudit_overdue(due, today) and overdue_for != due:
        return "overdue"
    if due - timedelta(days=notice_days) <= today <= due and flagged_for != due:
        return "due"
    return None


def reaudit_check_at(
    due: date, flagged_for: date | None, overdue_for: date | None, notice_days: int
) -> date | None:
    """The next day ``reaudit_flag`` has something to say (None: nothing ahead)."""
    if flagged_for != due:
        return due - timedelta(days=notice_days)
    if overdue_for != due:
        return due + timedelta(days=1)
    return None
