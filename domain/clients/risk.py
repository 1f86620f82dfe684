"""Risk-tolerance assessment (DOMAIN.md §2): questionnaires, scoring, the assessment.

Scoring is a pure function of (questionnaire, answers) with a version of its own; the
assessment records the inputs and every computed value, so replay never recomputes.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.calendar import add_months
from domain.shared.errors import Conflict, InvalidField, InvalidFields
from domain.shared.vocab import Horizon, RiskLevel, Variety

SCORING_VERSION = "scoring-2026.1"


class Option(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    score: int = Field(ge=0)
    horizon: Horizon | None = None
    varieties: tuple[Variety, ...] | None = None
    lowest_category: bool = False


class Question(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    options: tuple[Option, ...] = Field(min_length=2)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Band(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: RiskLevel
    min: int
    max: int


class Questionnaire(BaseModel):
    """Versioned reference data: questions, option scores, and score bands."""

    model_config = ConfigDict(frozen=True)

    version: str
    questions: tuple[Question, ...] = Field(min_length=1)
    bands: tuple[Band, ...]

    @model_validator(mode="after")
    def bands_cover_every_total(self) -> Questionnaire:
        """Bands must run C1..C5 without gap or overlap from 0 to the highest total."""
        ordered = sorted(self.bands, key=lambda b: b.level.rank)
        if [b.level for b in ordered] != list(RiskLevel):
            raise ValueError("bands must name C1 to C5 once each")
        if ordered[0].min != 0 or ordered[-1].max < self.max_score:
            raise ValueError("bands must run from 0 to the highest possible total")
        for lower, upper in itertools.pairwise(ordered):
            if upper.min != lower.max + 1:
                raise ValueError(f"bands {lower.level} and {upper.level} leave a gap or overlap")
        return self

    @property
    def max_score(self) -> int:
        return sum(max(o.score for o in q.options) for q in self.questions)

    def level_for(self, total: int) -> RiskLevel:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band.level
        # Unreachable: a validated questionnaire has a band for every total.
        raise InvalidField("answers", f"total {total} is outside every band")  # pragma: no mutate


class Scored(BaseModel):
    """The outcome of scoring, with everything that went into it."""

    model_config = ConfigDict(frozen=True)

    questionnaire_version: str
    scoring_version: str
    answers: dict[str, str]
    score: int
    level: RiskLevel
    horizon: Horizon
    varieties: tuple[Variety, ...]
    lowest_category: bool


def score(questionnaire: Questionnaire, answers: dict[str, str]) -> Scored:
    """Score a complete answer set (version ``SCORING_VERSION``).

    The horizon is the shortest any answer gives (short when none does); the accepted
    varieties are those of the answers that name some (cash when none does); an answer
    flagged ``lowest_category`` puts the client in the lowest category, C1.
    """
    known = {q.id for q in questionnaire.questions}
    errors = [(f"answers.{q}", "no such question") for q in answers if q not in known]
    chosen = []
    for question in questionnaire.questions:
        if question.id not in answers:
            errors.append((f"answers.{question.id}", "missing"))
            continue
        option = question.option(answers[question.id])
        if option is None:
            errors.append((f"answers.{question.id}", f"no option {answers[question.id]!r}"))
            continue
        chosen.append(option)
    if errors:
        raise InvalidFields(errors)
    total = sum(o.score for o in chosen)
    horizons = [o.horizon for o in chosen if o.horizon is not None]
    varieties = {v for o in chosen if o.varieties for v in o.varieties}
    lowest = any(o.lowest_category for o in chosen)
    level = questionnaire.level_for(total)
    if lowest:
        level = RiskLevel.C1
    return Scored(
        questionnaire_version=questionnaire.version,
        scoring_version=SCORING_VERSION,
        answers=dict(answers),
        score=total,
        level=level,
        horizon=min(horizons, key=lambda h: h.rank) if horizons else Horizon.SHORT,
        varieties=tuple(v for v in Variety if v in varieties) or (Variety.CASH,),
        lowest_category=lowest or level is RiskLevel.C1,
    )


class AssessmentExpired(Conflict):
    """An expired assessment cannot be confirmed: a new one must be taken."""


class RiskAssessment(Aggregate):
    """One questionnaire taken by one client, and its confirmations."""

    client_id: UUID
    level: RiskLevel
    horizon: Horizon
    varieties: tuple[Variety, ...]
    lowest_category: bool
    expires_at: datetime
    review_due_at: datetime
    review_flagged_for: datetime | None = None  # older snapshots lack it
    expired_flagged: bool = False  # older snapshots lack it

    class Assessed(Created):
        client_id: UUID
        questionnaire_version: str
        scoring_version: str
        answers: dict[str, str]
        score: int
        level: RiskLevel
        horizon: Horizon
        varieties: tuple[Variety, ...]
        lowest_category: bool
        assessed_at: datetime
        review_due_at: datetime
        expires_at: datetime

        def apply(self, aggregate: RiskAssessment) -> None:
            aggregate.client_id = self.client_id
            aggregate.level = self.level
            aggregate.horizon = self.horizon
            aggregate.varieties = self.varieties
            aggregate.lowest_category = self.lowest_category
            aggregate.expires_at = self.expires_at
            aggregate.review_due_at = self.review_due_at
            aggregate.review_flagged_for, aggregate.expired_flagged = None, False

    class ReviewFellDue(Event):
        """The scheduler found the review due (once per review date)."""

        client_id: UUID
        due_at: datetime

        def apply(self, aggregate: RiskAssessment) -> None:
            aggregate.review_flagged_for = self.due_at

    class Expired(Event):
        """The scheduler found the assessment expired: purchases are refused until a new
        one is taken."""

        client_id: UUID
        expires_at: datetime

        def apply(self, aggregate: RiskAssessment) -> None:
            aggregate.expired_flagged = True

    class ProfileConfirmed(Event):
        client_id: UUID
        confirmed_at: datetime
        review_due_at: datetime

        def apply(self, aggregate: RiskAssessment) -> None:
            aggregate.review_due_at = self.review_due_at

    @classmethod
    def take(
        cls,
        ctx: Context,
        assessment_id: UUID,
        client_id: UUID,
        scored: Scored,
        review_months: int,
        validity_months: int,
    ) -> RiskAssessment:
        """Record a scored questionnaire; review and expiry dates follow the policy."""
        return cls._start(
            cls.Assessed,
            ctx,
            assessment_id,
            client_id=client_id,
            **scored.model_dump(),
            assessed_at=ctx.at,
            review_due_at=add_months(ctx.at, review_months),
            expires_at=add_months(ctx.at, validity_months),
        )

    def confirm(self, ctx: Context, review_months: int) -> None:
        """The client confirms nothing changed: the review moves, the expiry does not."""
        if ctx.at >= self.expires_at:
            raise AssessmentExpired("the assessment has expired: a new one must be taken")
        self._record(
            self.ProfileConfirmed,
            ctx,
            client_id=self.client_id,
            confirmed_at=ctx.at,
            review_due_at=min(add_months(ctx.at, review_months), self.expires_at),
        )

    def record_due(self, ctx: Context) -> bool:
        """Flag expiry, else a due review, each once (for the scheduler). True if flagged."""
        now = status(ctx.at, self.review_due_at, self.expires_at)
        if now == "expired":
            if self.expired_flagged:
                return False
            self._record(self.Expired, ctx, client_id=self.client_id, expires_at=self.expires_at)
            return True
        if now == "review_due" and self.review_flagged_for != self.review_due_at:
            self._record(
                self.ReviewFellDue, ctx, client_id=self.client_id, due_at=self.review_due_at
            )
            return True
        return False


def status(now: datetime, review_due_at: datetime | None, expires_at: datetime | None) -> str:
    """``valid``, ``review_due``, ``expired`` or ``none`` at ``now``."""
    if expires_at is None or review_due_at is None:
        return "none"
    if now >= expires_at:
        return "expired"
    if now >= review_due_at:
        return "review_due"
    return "valid"
