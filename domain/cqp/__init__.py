"""Component Quality Planning, domain layer: what other contexts use."""

from domain.cqp.measures import Cpk, DpmAgainstSpecification, DpmInApplication, Fit
from domain.cqp.milestones import MILESTONES, DeliverableKind, Milestone, Waiver
from domain.cqp.phases import Criterion, Member
from domain.cqp.plan import CQPPlan
from domain.cqp.policy import CQPPolicy

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
