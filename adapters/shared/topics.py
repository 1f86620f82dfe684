"""Topics that stores written by earlier layouts hold, and the classes standing for them now.

A topic (``module:QualName``) is stored with every event and snapshot, and a created event or
a snapshot also names its aggregate's topic. When a class moves or is renamed, its old topic
is registered here for the class (the library's ``register_topic``), and the views read the
old topics too, so a store written before reads the same. Never remove an entry.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from eventsourcing.utils import register_topic, resolve_topic

# Old topic -> the topic of the class standing for it now.
MOVED: dict[str, str] = {
    "domain.base:Snapshot": "domain.shared.base:Snapshot",
    "domain.clients:Client": "domain.clients.registry:Client",
    "domain.clients:Client.AssessmentRecorded": "domain.clients.registry:Client.AssessmentRecorded",
    "domain.clients:Client.ContactDetailsChanged": "domain.clients.registry:Client.ContactDetailsChanged",
    "domain.clients:Client.FeedbackRecorded": "domain.clients.registry:Client.FeedbackRecorded",
    "domain.clients:Client.InteractionLogged": "domain.clients.registry:Client.InteractionLogged",
    "domain.clients:Client.PersonalDataErased": "domain.clients.registry:Client.PersonalDataErased",
    "domain.clients:Client.Registered": "domain.clients.registry:Client.Registered",
    "domain.clients:Client.Retagged": "domain.clients.registry:Client.Retagged",
    "domain.clients:Client.SuitabilityExemptionRecorded": "domain.clients.registry:Client.SuitabilityExemptionRecorded",
    "domain.clients:Client.TierChanged": "domain.clients.registry:Client.TierChanged",
    "domain.cqp:CQPPlan": "domain.cqp.plan:CQPPlan",
    "domain.cqp:CQPPlan.ActualsRecorded": "domain.cqp.plan:CQPPlan.ActualsRecorded",
    "domain.cqp:CQPPlan.Agreed": "domain.cqp.plan:CQPPlan.Agreed",
    "domain.cqp:CQPPlan.DeliverableRecorded": "domain.cqp.plan:CQPPlan.DeliverableRecorded",
    "domain.cqp:CQPPlan.Evaluated": "domain.cqp.plan:CQPPlan.Evaluated",
    "domain.cqp:CQPPlan.MilestoneOverdue": "domain.cqp.plan:CQPPlan.MilestoneBecameOverdue",
    "domain.cqp:CQPPlan.MilestonePassed": "domain.cqp.plan:CQPPlan.MilestonePassed",
    "domain.cqp:CQPPlan.Planned": "domain.cqp.plan:CQPPlan.Planned",
    "domain.cqp:CQPPlan.Reviewed": "domain.cqp.plan:CQPPlan.Reviewed",
    "domain.cqp:CQPPlan.TargetsSet": "domain.cqp.plan:CQPPlan.TargetsSet",
    "domain.cqp:CQPPlan.TeamSet": "domain.cqp.plan:CQPPlan.TeamSet",
    "domain.funds:Fund": "domain.funds.fund:Fund",
    "domain.funds:Fund.HouseRatingChanged": "domain.funds.fund:Fund.HouseRatingChanged",
    "domain.funds:Fund.Listed": "domain.funds.fund:Fund.Listed",
    "domain.funds:Fund.NavCorrected": "domain.funds.fund:Fund.NavCorrected",
    "domain.funds:Fund.NavPublished": "domain.funds.fund:Fund.NavPublished",
    "domain.funds:Fund.RiskRatingChanged": "domain.funds.fund:Fund.RiskRatingChanged",
    "domain.funds.imports:NavImport": "domain.shared.imports:FileImport",
    "domain.funds.imports:NavImport.Completed": "domain.shared.imports:FileImport.Completed",
    "domain.funds.imports:NavImport.Progressed": "domain.shared.imports:FileImport.Progressed",
    "domain.funds.imports:NavImport.Restarted": "domain.shared.imports:FileImport.Restarted",
    "domain.funds.imports:NavImport.Started": "domain.shared.imports:FileImport.Started",
    "domain.keys:CommandReceipt": "domain.shared.keys:CommandReceipt",
    "domain.keys:CommandReceipt.Recorded": "domain.shared.keys:CommandReceipt.Recorded",
    "domain.keys:UniqueKey": "domain.shared.keys:UniqueKey",
    "domain.keys:UniqueKey.Claimed": "domain.shared.keys:UniqueKey.Claimed",
    "domain.purchases:Purchase": "domain.suitability.purchases:Purchase",
    "domain.purchases:Purchase.Cancelled": "domain.suitability.purchases:Purchase.Cancelled",
    "domain.purchases:Purchase.Lapsed": "domain.suitability.purchases:Purchase.Lapsed",
    "domain.purchases:Purchase.OverrideConfirmed": "domain.suitability.purchases:Purchase.OverrideConfirmed",
    "domain.purchases:Purchase.Requested": "domain.suitability.purchases:Purchase.Requested",
    "domain.risk:RiskAssessment": "domain.clients.risk:RiskAssessment",
    "domain.risk:RiskAssessment.Assessed": "domain.clients.risk:RiskAssessment.Assessed",
    "domain.risk:RiskAssessment.Expired": "domain.clients.risk:RiskAssessment.Expired",
    "domain.risk:RiskAssessment.ProfileConfirmed": "domain.clients.risk:RiskAssessment.ProfileConfirmed",
    "domain.risk:RiskAssessment.ReviewDue": "domain.clients.risk:RiskAssessment.ReviewFellDue",
    "domain.staff:StaffUser": "domain.staff.users:StaffUser",
    "domain.staff:StaffUser.Disabled": "domain.staff.users:StaffUser.Disabled",
    "domain.staff:StaffUser.Enabled": "domain.staff.users:StaffUser.Enabled",
    "domain.staff:StaffUser.PasswordChanged": "domain.staff.users:StaffUser.PasswordChanged",
    "domain.staff:StaffUser.Registered": "domain.staff.users:StaffUser.Registered",
    "domain.suppliers:Supplier": "domain.suppliers.supplier:Supplier",
    "domain.suppliers:Supplier.AssessmentRecorded": "domain.suppliers.supplier:Supplier.AssessmentRecorded",
    "domain.suppliers:Supplier.AvlDecided": "domain.suppliers.supplier:Supplier.AvlDecided",
    "domain.suppliers:Supplier.CorrectiveActionAdvanced": "domain.suppliers.supplier:Supplier.CorrectiveActionAdvanced",
    "domain.suppliers:Supplier.CorrectiveActionOpened": "domain.suppliers.supplier:Supplier.CorrectiveActionOpened",
    "domain.suppliers:Supplier.Disqualified": "domain.suppliers.supplier:Supplier.Disqualified",
    "domain.suppliers:Supplier.ReauditDue": "domain.suppliers.supplier:Supplier.ReauditFellDue",
    "domain.suppliers:Supplier.ReauditOverdue": "domain.suppliers.supplier:Supplier.ReauditBecameOverdue",
    "domain.suppliers:Supplier.Registered": "domain.suppliers.supplier:Supplier.Registered",
    "domain.suppliers:Supplier.Reinstated": "domain.suppliers.supplier:Supplier.Reinstated",
    "domain.suppliers:Supplier.SqsRated": "domain.suppliers.supplier:Supplier.SqsRated",
    "domain.suppliers:Supplier.StageChanged": "domain.suppliers.supplier:Supplier.StageChanged",
    "domain.suppliers:Supplier.Suspended": "domain.suppliers.supplier:Supplier.Suspended",
    "domain.tickets:Ticket": "domain.service_desk.tickets:Ticket",
    "domain.tickets:Ticket.Assigned": "domain.service_desk.tickets:Ticket.Assigned",
    "domain.tickets:Ticket.BreachRecorded": "domain.service_desk.tickets:Ticket.BreachRecorded",
    "domain.tickets:Ticket.Commented": "domain.service_desk.tickets:Ticket.Commented",
    "domain.tickets:Ticket.Escalated": "domain.service_desk.tickets:Ticket.Escalated",
    "domain.tickets:Ticket.MergeReceived": "domain.service_desk.tickets:Ticket.MergeReceived",
    "domain.tickets:Ticket.MergedInto": "domain.service_desk.tickets:Ticket.MergedInto",
    "domain.tickets:Ticket.Opened": "domain.service_desk.tickets:Ticket.Opened",
    "domain.tickets:Ticket.PriorityChanged": "domain.service_desk.tickets:Ticket.PriorityChanged",
    "domain.tickets:Ticket.Reopened": "domain.service_desk.tickets:Ticket.Reopened",
    "domain.tickets:Ticket.SatisfactionRated": "domain.service_desk.tickets:Ticket.SatisfactionRated",
    "domain.tickets:Ticket.StatusChanged": "domain.service_desk.tickets:Ticket.StatusChanged",
    "domain.tickets:TicketNumbers": "domain.service_desk.numbers:TicketNumbers",
    "domain.tickets:TicketNumbers.Issued": "domain.service_desk.numbers:TicketNumbers.Issued",
    "domain.tickets:TicketNumbers.Started": "domain.service_desk.numbers:TicketNumbers.Started",
}


@functools.cache
def _old_topics() -> dict[str, tuple[str, ...]]:
    old: dict[str, list[str]] = defaultdict(list)
    for before, now in MOVED.items():
        register_topic(before, resolve_topic(now))
        old[now].append(before)
    return {now: tuple(before) for now, before in old.items()}


def register_moved_topics() -> None:
    """Make every old topic resolve to the class standing for it now (once a process)."""
    _old_topics()


def current_topic(topic: str) -> str:
    """The topic a stored topic stands for today (itself when it never moved)."""
    return MOVED.get(topic, topic)


def old_topics(topic: str) -> tuple[str, ...]:
    """The topics a class stood under before, oldest layout first."""
    return _old_topics().get(topic, ())
