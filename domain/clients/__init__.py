"""Client registry and risk assessment, domain layer: what other contexts use."""

from domain.clients.contacts import ContactPolicy
from domain.clients.policies import AssessmentPolicy, ClientPolicy
from domain.clients.registry import Channel, Client, InvestorType
from domain.clients.risk import AssessmentExpired, RiskAssessment
from domain.clients.segments import ClientFacts, CoveragePolicy

__all__ = [
    "AssessmentExpired",
    "AssessmentPolicy",
    "Channel",
    "Client",
    "ClientFacts",
    "ClientPolicy",
    "ContactPolicy",
    "CoveragePolicy",
    "InvestorType",
    "RiskAssessment",
]
