"""Request and response schemas of supplier quality: suppliers, AVL, CQP plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from api.shared.schemas import Name, Note, Person, Reason, Short, Strict, Text, WriteResult, example
from domain.shared.errors import InvalidField
from domain.suppliers.audits import AssessmentKind, Finding, FindingArea, Severity
from domain.suppliers.avl import AvlDecision
from domain.suppliers.checklist import by_position
from domain.suppliers.corrective import CaStep
from domain.suppliers.lifecycle import Site, Stage
from domain.suppliers.sqs import SqsStep


class ChecklistItem(BaseModel):
    id: str = Field(description='the item\'s id in ``scores_by_item``: "section.number"')
    number: int
    text_en: str
    text_zh: str


class ChecklistSection(BaseModel):
    key: str = Field(description="the section's key in ``scores``")
    number: str
    label_en: str
    label_zh: str
    items: list[ChecklistItem]


class ScaleStep(BaseModel):
    score: int
    meaning_en: str
    meaning_zh: str


class Labelled(BaseModel):
    key: str
    label_en: str
    label_zh: str


class Checklist(BaseModel):
    """What a capability assessment scores, and how."""

    sections: list[ChecklistSection]
    scale: list[ScaleStep]
    finding_areas: list[Labelled]
    severities: list[str]


class SiteIn(Strict):
    model_config = example({"name": "Kunshan", "country": "CN", "city": "Kunshan"})

    name: Name
    country: Short
    city: Short

    def domain(self) -> Site:
        return Site(name=self.name, country=self.country, city=self.city)


class FindingIn(Strict):
    model_config = example({"area": "plating", "severity": "minor", "text": "bath log has gaps"})

    area: FindingArea
    severity: Severity
    text: Text

    def domain(self) -> Finding:
        return Finding(area=self.area, severity=self.severity, text=self.text)


class SupplierCreate(Strict):
    model_config = example(
        {
            "name": "Delta Precision",
            "sites": [{"name": "Kunshan", "country": "CN", "city": "Kunshan"}],
            "categories": ["connectors", "cables"],
        }
    )

    name: Name
    sites: list[SiteIn] = Field(min_length=1, max_length=50)
    categories: list[Short] = Field(min_length=1, max_length=50)


class StageChange(Strict):
    model_config = example({"to": "survey", "note": "visited the Kunshan site"})

    to: Stage
    note: Note | None = None


class ReasonBody(Strict):
    model_config = example({"reason": "repeated late deliveries"})

    reason: Reason


class AssessmentCreate(Strict):
    """Scores by section, each a list in the checklist's item order, or by item id (one of
    the two; ``GET /api/v1/supplier-audits/checklist`` lists sections and items)."""

    model_config = example(
        {
            "kind": "onsite",
            "site": "Kunshan",
            "date": "2026-11-20",
            "auditors": ["sqe.lin"],
            "scores": {
                "quality_system": [3, 3, 3, 3, 3, 3, 3, 3, 3],
                "business": [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
                "design_technology": [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
                "production_technology": [3, 3, 3],
                "process": [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
                "training": [3, 3, 3],
                "materials_management": [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
            },
            "findings": [{"area": "plating", "severity": "minor", "text": "bath log has gaps"}],
        }
    )

    kind: AssessmentKind
    site: Short
    date: date
    auditors: list[Person] = Field(default_factory=list, max_length=20)
    scores: dict[str, list[int]] | None = Field(
        default=None,
        description="by section key, the item scores (0-4) in the checklist's order",
        max_length=20,
    )
    scores_by_item: dict[str, int] | None = Field(
        default=None,
        description='by item id ("process.3"), each score 0-4: every item once',
        max_length=200,
    )
    findings: list[FindingIn] = Field(default_factory=list, max_length=200)

    def section_scores(self) -> dict[str, list[int]]:
        if (self.scores is None) == (self.scores_by_item is None):
            raise InvalidField("scores", "give scores by section or scores_by_item, not both")
        if self.scores is not None:
            return self.scores
        return by_position(self.scores_by_item or {})


class AssessmentResult(WriteResult):
    assessment_id: str
    section_means: dict[str, float]
    mean: float
    passed: bool
    failing_sections: list[str]


class AvlRequest(Strict):
    model_config = example(
        {"category": "connectors", "decision": "approve", "reason": "on-site audit passed"}
    )

    category: Short
    decision: AvlDecision
    reason: Reason


class SqsRequest(Strict):
    model_config = example(
        {"step": "prevention", "rating": 3, "evidence": "DFMEA reviewed with the design team"}
    )

    step: SqsStep
    rating: int = Field(ge=0, le=4)
    evidence: Text


class CorrectiveActionCreate(Strict):
    model_config = example(
        {
            "problem": "Plating peels after the salt spray test",
            "part": "USB-C shell",
            "severity": "major",
        }
    )

    problem: Text
    part: Short | None = None
    severity: Severity


class CorrectiveActionOpened(WriteResult):
    corrective_action_id: str


class CaStepBody(Strict):
    model_config = example(
        {"text": "Root cause: the bath temperature drifted; controller replaced"}
    )

    text: Text


class VerifyBody(Strict):
    model_config = example({"text": "Three lots passed the salt spray test", "effective": True})

    text: Text
    effective: bool


CA_ROUTES = {
    "analysis": CaStep.ANALYSED,
    "action": CaStep.ACTION_TAKEN,
    "verify": CaStep.VERIFIED,
    "close": CaStep.CLOSED,
}


class CategoryStatus(BaseModel):
    category: str
    avl_status: str | None


class SupplierSummary(BaseModel):
    id: str
    version: int
    name: str
    stage: Stage
    status: str
    strategic: bool
    categories: list[CategoryStatus]
    reaudit_due_at: date | None
    reaudit_overdue: bool
    open_corrective_actions: int
    last_audit_mean: float | None


class AvlRow(BaseModel):
    supplier_id: str
    supplier_name: str
    category: str
    avl_status: str
    reason: str | None
    decided_at: datetime | None
    decided_by: str | None = Field(description="the username of who decided")
    decided_by_id: str | None
    audit_mean: float | None
    strategic: bool


class SupplierDetail(BaseModel):
    id: str
    version: int
    name: str
    stage: Stage
    status: str
    status_reason: str | None
    strategic: bool
    sites: list[dict[str, Any]]
    categories: list[str]
    stage_history: list[dict[str, Any]]
    latest_scores: dict[str, Any] | None
    assessments: list[dict[str, Any]]
    avl: dict[str, dict[str, Any]]
    sqs: dict[str, dict[str, Any]]
    open_corrective_actions: list[dict[str, Any]]
    corrective_actions: list[dict[str, Any]]
    reaudit_due_at: date | None
    reaudit_overdue: bool


class Scorecard(BaseModel):
    supplier_id: str
    name: str
    audit_trend: list[dict[str, Any]]
    corrective_actions: dict[str, int]
    sqs: dict[str, int | None]
    avl: dict[str, str]
    strategic: bool
