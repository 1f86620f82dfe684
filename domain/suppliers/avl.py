"""The approved vendor list: a decision per category, and the standing it gives."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.suppliers.audits import Assessment, AuditNotPassed
from domain.suppliers.lifecycle import NotAllowedNow
from domain.suppliers.policy import SupplierPolicy, reaudit_overdue


class AvlDecision(StrEnum):
    APPROVE = "approve"
    APPROVE_CONDITIONAL = "approve_conditional"
    SUSPEND = "suspend"
    WITHDRAW = "withdraw"


class AvlStatus(StrEnum):
    APPROVED = "approved"
    CONDITIONAL = "conditional"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


AVL_STATUS = {
    AvlDecision.APPROVE: AvlStatus.APPROVED,
    AvlDecision.APPROVE_CONDITIONAL: AvlStatus.CONDITIONAL,
    AvlDecision.SUSPEND: AvlStatus.SUSPENDED,
    AvlDecision.WITHDRAW: AvlStatus.WITHDRAWN,
}


class AvlEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: str
    status: AvlStatus
    reason: str
    assessment_id: UUID | None
    decided_at: datetime
    decided_by: str


def approvable(
    audit: Assessment | None, reaudit_due_at: date | None, today: date, policy: SupplierPolicy
) -> None:
    """An approval rests on the last on-site audit: it must exist, have passed, and not be
    past its re-audit date."""
    if audit is None:
        raise AuditNotPassed("approval needs a passed on-site audit; there is none", [])
    if not audit.passed:
        raise AuditNotPassed(
            f"the last on-site audit ({audit.date}) did not pass: mean {audit.mean}, "
            f"failing sections: {', '.join(audit.failing_sections) or 'none'} "
            f"(policy: every section >= {policy.min_section}, mean >= {policy.min_mean})",
            audit.failing_sections,
        )
    if reaudit_overdue(reaudit_due_at, today):
        raise AuditNotPassed(
            f"the last on-site audit is out of date: re-audit was due {reaudit_due_at}", []
        )


def changeable(category: str, current: AvlEntry | None, decision: AvlDecision) -> None:
    """Suspending or withdrawing needs the category on the list (and not suspended twice)."""
    if current is None or current.status is AvlStatus.WITHDRAWN:
        raise NotAllowedNow(f"category {category} is not on the approved vendor list")
    if decision is AvlDecision.SUSPEND and current.status is AvlStatus.SUSPENDED:
        raise NotAllowedNow(f"category {category} is suspended already")
