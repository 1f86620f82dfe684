"""Capability assessments and audits: the seven sections and their items scored 0-4, the
findings, and the scoring against the policy's thresholds (exact fractions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.shared.calendar import add_months
from domain.shared.errors import Conflict, InvalidField, InvalidFields
from domain.suppliers.policy import SupplierPolicy


class AssessmentKind(StrEnum):
    SELF = "self"
    ONSITE = "onsite"


SECTIONS: dict[str, int] = {
    "quality_system": 9,
    "business": 11,
    "design_technology": 10,
    "production_technology": 3,
    "process": 11,
    "training": 3,
    "materials_management": 13,
}


SECTION_LABELS: dict[str, str] = {
    "quality_system": "Quality System",
    "business": "Business",
    "design_technology": "Design Technology",
    "production_technology": "Production Technology",
    "process": "Process",
    "training": "Training",
    "materials_management": "Materials Management",
}


class FindingArea(StrEnum):
    GENERAL = "general"
    DESIGN_PREPRODUCTION = "design_preproduction"
    STOCKROOM_TOOLROOM = "stockroom_toolroom"
    MOULDING = "moulding"
    STAMPING = "stamping"
    PLATING = "plating"
    ASSEMBLY_TEST = "assembly_test"
    WASTE_TREATMENT = "waste_treatment"
    BUSINESS = "business"


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    area: FindingArea
    severity: Severity
    text: str


class Assessment(BaseModel):
    """One capability assessment, with its result under the policy of the day."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: AssessmentKind
    site: str
    date: date
    auditors: list[str]
    scores: dict[str, list[int]]
    findings: list[Finding]
    section_means: dict[str, float]
    mean: float
    passed: bool
    failing_sections: list[str]
    policy_version: str


class AuditNotPassed(Conflict):
    def __init__(self, message: str, failing: list[str]) -> None:
        super().__init__(message, failing_sections=failing)
        self.failing = failing


@dataclass(frozen=True)
class Scored:
    section_means: dict[str, float]
    mean: float
    exact_mean: Fraction
    passed: bool
    failing_sections: list[str]


def score(scores: dict[str, list[int]], policy: SupplierPolicy) -> Scored:
    """Section means (mean of the items), the overall mean (of the 7 sections) and the
    verdict; the counts and keys are checked first, each bad section named."""
    errors = [(f"scores.{k}", "is not a section") for k in scores if k not in SECTIONS]
    for section, count in SECTIONS.items():
        items = scores.get(section)
        if items is None:
            errors.append((f"scores.{section}", "is missing"))
        elif len(items) != count:
            errors.append((f"scores.{section}", f"needs {count} item scores, got {len(items)}"))
        elif any(not 0 <= i <= 4 for i in items):
            errors.append((f"scores.{section}", "item scores are 0 to 4"))
    if errors:
        raise InvalidFields(errors)
    means = {s: Fraction(sum(scores[s]), n) for s, n in SECTIONS.items()}
    mean = sum(means.values(), Fraction(0)) / len(SECTIONS)
    failing = [s for s, m in means.items() if m < Fraction(str(policy.min_section))]
    return Scored(
        section_means={s: round(float(m), 4) for s, m in means.items()},
        mean=round(float(mean), 4),
        exact_mean=mean,
        passed=not failing and mean >= Fraction(str(policy.min_mean)),
        failing_sections=failing,
    )


def checked_assessment(
    kind: AssessmentKind, site: str, on: date, auditors: list[str], sites: set[str], today: date
) -> None:
    """Refuse an assessment of an unknown site, dated in the future, or an on-site audit
    without its auditors."""
    if site not in sites:
        raise InvalidField("site", f"not a site of this supplier: {site}")
    if on > today:
        raise InvalidField("date", "an assessment cannot be dated in the future")
    if kind is AssessmentKind.ONSITE and not auditors:
        raise InvalidField("auditors", "an on-site audit names its auditors")


def follow_up(
    kind: AssessmentKind, on: date, result: Scored, policy: SupplierPolicy
) -> tuple[bool, date | None]:
    """What a passed on-site audit brings: strategic status when excellent, and the date
    of the next re-audit."""
    passed_onsite = kind is AssessmentKind.ONSITE and result.passed
    excellent = result.exact_mean >= Fraction(str(policy.strategic_mean))
    due = add_months(on, policy.reaudit_months) if passed_onsite else None
    return passed_onsite and excellent, due


def latest_of(assessments: list[Assessment], kind: AssessmentKind | None) -> Assessment | None:
    """The latest assessment (of a kind) by date; of one day, the last recorded."""
    found = [(a.date, n) for n, a in enumerate(assessments) if kind is None or a.kind is kind]
    return assessments[max(found)[1]] if found else None
