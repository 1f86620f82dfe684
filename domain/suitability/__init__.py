"""Suitability and purchases, domain layer: what other contexts use."""

from domain.suitability.purchases import (
    ConfirmationChannel,
    Purchase,
    PurchaseStatus,
    SuitabilityPolicy,
)
from domain.suitability.rules import (
    RULE_VERSION,
    AssessmentInput,
    Decision,
    FundInput,
    Inputs,
    decide,
)

__all__ = [
    "RULE_VERSION",
    "AssessmentInput",
    "ConfirmationChannel",
    "Decision",
    "FundInput",
    "Inputs",
    "Purchase",
    "PurchaseStatus",
    "SuitabilityPolicy",
    "decide",
]
