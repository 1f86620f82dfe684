"""Corrective actions (8D): the steps in order, and what each records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.shared.errors import InvalidField, NotFound
from domain.suppliers.audits import Severity
from domain.suppliers.lifecycle import NotAllowedNow


class CaStep(StrEnum):
    OPENED = "opened"
    ANALYSED = "analysed"
    ACTION_TAKEN = "action_taken"
    VERIFIED = "verified"
    CLOSED = "closed"


class CorrectiveAction(BaseModel):
    """An 8D-style corrective action: analysis, action, verification, closure in order."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    problem: str
    part: str | None
    severity: Severity
    step: CaStep
    opened_at: datetime
    root_cause: str | None = None
    action: str | None = None
    verification: str | None = None
    closed_at: datetime | None = None
    opened_by: str | None = None  # the account that opened it (older states lack it)

    @property
    def open(self) -> bool:
        return self.step is not CaStep.CLOSED


CA_NEXT: dict[CaStep, CaStep | None] = {
    CaStep.OPENED: CaStep.ANALYSED,
    CaStep.ANALYSED: CaStep.ACTION_TAKEN,
    CaStep.ACTION_TAKEN: CaStep.VERIFIED,
    CaStep.VERIFIED: CaStep.CLOSED,
    CaStep.CLOSED: None,
}


def advanceable(
    action_id: UUID, action: CorrectiveAction | None, step: CaStep, effective: bool | None
) -> None:
    """Analysis, action, verification and closure, strictly in that order; a verification
    says whether the action worked."""
    if action is None:
        raise NotFound(f"corrective action {action_id} not found")
    expected = CA_NEXT[action.step]
    if step is not expected:
        raise NotAllowedNow(
            f"the corrective action is {action.step.value}; next comes "
            f"{expected.value if expected else 'nothing (it is closed)'}"
        )
    if step is CaStep.VERIFIED and effective is None:
        raise InvalidField("effective", "a verification says whether the action worked")
