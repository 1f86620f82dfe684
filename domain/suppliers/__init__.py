"""Supplier quality, domain layer: what other contexts use."""

from domain.suppliers.supplier import (
    NEXT,
    SECTIONS,
    AssessmentKind,
    AvlDecision,
    CaStep,
    Finding,
    FindingArea,
    Severity,
    Site,
    SqsStep,
    Stage,
    Supplier,
    SupplierPolicy,
)

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
