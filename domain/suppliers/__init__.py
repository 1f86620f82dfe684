"""Supplier quality, domain layer: what other contexts use."""

from domain.suppliers.audits import SECTIONS, AssessmentKind, Finding, FindingArea, Severity
from domain.suppliers.avl import AvlDecision
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import NEXT, Site, Stage
from domain.suppliers.policy import SupplierPolicy
from domain.suppliers.sqs import SqsStep
from domain.suppliers.supplier import Supplier

__all__ = [
    "NEXT",
    "SECTIONS",
    "AssessmentKind",
    "AvlDecision",
    "CaStep",
    "Finding",
    "FindingArea",
    "Severity",
    "Site",
    "SqsStep",
    "Stage",
    "Supplier",
    "SupplierPolicy",
]
