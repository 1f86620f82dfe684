"""The plan's phases before the milestones: qualifying criteria, evaluation, review,
agreement, and the team."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.shared.errors import Conflict


class Criterion(StrEnum):
    PROGRAMME_SPECIFIC = "programme_specific"
    NEW_TECHNOLOGY = "new_technology"
    COMPLEX_MANUFACTURING = "complex_manufacturing"
    NEW_SUPPLIER = "new_supplier"
    SAFETY_CRITICAL = "safety_critical"
    BAD_EXPERIENCE = "bad_experience"
    HIGHER_REQUIREMENTS = "higher_requirements"


class Phase(StrEnum):
    PREPARATION = "preparation"  # phase 1, the MPL's internal work
    IMPLEMENTATION = "implementation"  # phase 2, the supplier documents and implements
    VERIFICATION = "verification"  # phase 3, joint verification against the targets
    COMPLETED = "completed"
    REJECTED = "rejected"


class Member(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: str


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted: bool
    reason: str
    by: str


class CQPRuleBroken(Conflict):
    """A CQP command the plan's state does not allow."""
