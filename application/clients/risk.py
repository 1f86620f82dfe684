"""Commands of the risk-tolerance assessment (DOMAIN.md §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4

from application.shared.common import CommandResult, Commands, Idempotency
from application.shared.store import Store
from domain.clients.policies import AssessmentPolicy
from domain.clients.registry import Client
from domain.clients.risk import Questionnaire, RiskAssessment, score
from domain.shared.base import Context
from domain.shared.errors import Conflict, InvalidField


@dataclass(frozen=True)
class AssessmentTaken:
    """What taking an assessment answers: the write and the scored result."""

    result: CommandResult
    assessed: RiskAssessment.Assessed


class NoAssessment(Conflict):
    """The client has no assessment to confirm."""


class RiskCommands(Commands):
    def __init__(
        self, store: Store, questionnaires: Mapping[str, Questionnaire], policy: AssessmentPolicy
    ) -> None:
        super().__init__(store)
        self.questionnaires = dict(questionnaires)
        self.policy = policy
        current = policy.current_questionnaire or max(
            (v for v in self.questionnaires if v not in policy.retired_questionnaires),
            default=None,
        )
        if current is None or current not in self.questionnaires:
            msg = f"no current questionnaire among {sorted(self.questionnaires)}"
            raise ValueError(msg)
        self.current = self.questionnaires[current]

    def questionnaire(self, version: str) -> Questionnaire:
        """A questionnaire that may still be answered."""
        if version not in self.questionnaires:
            raise InvalidField("questionnaire_version", f"no questionnaire {version!r}")
        if version in self.policy.retired_questionnaires:
            raise InvalidField(
                "questionnaire_version", f"{version} is retired: use {self.current.version}"
            )
        return self.questionnaires[version]

    def assess(
        self,
        ctx: Context,
        client_id: UUID,
        questionnaire_version: str,
        answers: dict[str, str],
        idem: Idempotency | None = None,
    ) -> AssessmentTaken:
        """Score the answers and make the result the client's current assessment."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return AssessmentTaken(earlier, self.first_event(earlier.id, RiskAssessment.Assessed))
        client = self.load(Client, client_id)
        scored = score(self.questionnaire(questionnaire_version), answers)
        assessment = RiskAssessment.take(
            ctx, uuid4(), client.id, scored, self.policy.review_months, self.policy.validity_months
        )
        assessed = assessment.pending_events[0]
        client.record_assessment(ctx, assessment.id)
        result = self.commit(ctx, assessment, client, idem=idem)
        assert isinstance(assessed, RiskAssessment.Assessed)
        return AssessmentTaken(result, assessed)

    def confirm(
        self, ctx: Context, client_id: UUID, idem: Idempotency | None = None
    ) -> CommandResult:
        """The client confirms an unchanged profile: the next review moves."""
        if (earlier := self.replayed(ctx, idem)) is not None:
            return earlier
        client = self.load(Client, client_id)
        if client.assessment_id is None:
            raise NoAssessment("the client has no assessment to confirm")
        assessment = self.load(RiskAssessment, client.assessment_id)
        assessment.confirm(ctx, self.policy.review_months)
        return self.commit(ctx, assessment, idem=idem)

    def exempt(
        self, ctx: Context, client_id: UUID, reason: str, idem: Idempotency | None = None
    ) -> CommandResult:
        """Record a professional investor's exemption from the questionnaire."""
        return self.update(
            ctx, Client, client_id, lambda c: c.record_exemption(ctx, reason), idem=idem
        )

    def record_due(self, ctx: Context, assessment_id: UUID) -> CommandResult:
        """Flag a due review or the expiry of an assessment (for the scheduler): once."""
        return self.update(
            ctx, RiskAssessment, assessment_id, lambda a: a.record_due(ctx), idem=None
        )
