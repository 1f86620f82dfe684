"""The CQP policy (a setting): deliverables each milestone needs, and the amber band."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.cqp.milestones import DeliverableKind, Milestone

CQP_POLICY_VERSION = "cqp-2026.1"


class CQPPolicy(BaseModel):
    """Deliverables each milestone needs (accepted by then, or waived), and how far from
    its target an actual may be and still be amber (a fraction of the target)."""

    model_config = ConfigDict(frozen=True)

    version: str = CQP_POLICY_VERSION
    required: dict[Milestone, tuple[DeliverableKind, ...]] = {
        Milestone.A0: (DeliverableKind.KEY_COMPONENT_LIST,),
        Milestone.A1: (DeliverableKind.DFMEA,),
        Milestone.A2: (DeliverableKind.PFMEA, DeliverableKind.CONTROL_PLAN),
        Milestone.A3: (DeliverableKind.TRAINING,),
        Milestone.E1: (DeliverableKind.PRE_PRODUCTION_RESULTS,),
        Milestone.E2: (DeliverableKind.PROCESS_ASSESSMENT,),
        Milestone.E3: (DeliverableKind.OUTGOING_QUALITY_LEVEL,),
    }
    amber_tolerance: Decimal = Field(default=Decimal("0.1"), ge=0)
