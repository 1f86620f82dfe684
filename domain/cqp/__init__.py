"""Component Quality Planning, domain layer: what other contexts use."""

from domain.cqp.plan import (
    MILESTONES,
    Cpk,
    CQPPlan,
    CQPPolicy,
    Criterion,
    DeliverableKind,
    DpmAgainstSpecification,
    DpmInApplication,
    Fit,
    Member,
    Milestone,
    Waiver,
)

__all__ = [
    "MILESTONES",
    "CQPPlan",
    "CQPPolicy",
    "Cpk",
    "Criterion",
    "DeliverableKind",
    "DpmAgainstSpecification",
    "DpmInApplication",
    "Fit",
    "Member",
    "Milestone",
    "Waiver",
]
