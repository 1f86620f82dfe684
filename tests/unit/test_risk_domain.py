"""Scoring, questionnaires and the assessment: given, when, then."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.reference import load_questionnaires
from domain.base import Context
from domain.clients import Client, InvestorType, NotProfessional
from domain.errors import InvalidField
from domain.policies import ClientPolicy
from domain.risk import (
    AssessmentExpired,
    Questionnaire,
    RiskAssessment,
    add_months,
    score,
    status,
)
from domain.vocab import Horizon, RiskLevel, Variety

QUESTIONNAIRE = load_questionnaires()["2026-1"]
NOW = datetime(2026, 1, 31, 10, tzinfo=UTC)
CTX = Context(actor="advisor", at=NOW, correlation_id="c")


def answers(pick: int = 0, **overrides: str) -> dict[str, str]:
    chosen = {q.id: q.options[min(pick, len(q.options) - 1)].id for q in QUESTIONNAIRE.questions}
    chosen.update(overrides)
    return chosen


ANSWER_SETS = st.fixed_dictionaries(
    {q.id: st.sampled_from([o.id for o in q.options]) for q in QUESTIONNAIRE.questions}
)


def test_the_shipped_questionnaire_has_10_to_15_questions_and_a_total_of_100() -> None:
    assert 10 <= len(QUESTIONNAIRE.questions) <= 15
    assert QUESTIONNAIRE.max_score == 100


def test_when_every_highest_answer_then_c5_long_horizon_and_all_varieties() -> None:
    result = score(QUESTIONNAIRE, answers(pick=9, loss="d"))
    assert (result.level, result.horizon) == (RiskLevel.C5, Horizon.LONG)
    assert result.varieties == tuple(Variety)
    assert not result.lowest_category


def test_when_no_loss_is_acceptable_then_lowest_category_c1_whatever_the_score() -> None:
    result = score(QUESTIONNAIRE, answers(pick=9, loss="a"))
    assert result.score > 80
    assert (result.level, result.lowest_category) == (RiskLevel.C1, True)


def test_when_an_answer_is_missing_then_it_is_named() -> None:
    given_answers = answers()
    del given_answers["horizon"]
    with pytest.raises(InvalidField) as err:
        score(QUESTIONNAIRE, given_answers)
    assert err.value.field == "answers.horizon"


def test_when_an_option_or_question_is_unknown_then_it_is_named() -> None:
    with pytest.raises(InvalidField) as err:
        score(QUESTIONNAIRE, answers(income="z"))
    assert err.value.field == "answers.income"
    with pytest.raises(InvalidField) as err:
        score(QUESTIONNAIRE, {**answers(), "shoe_size": "a"})
    assert err.value.field == "answers.shoe_size"


def test_the_horizon_is_the_horizon_answer_and_varieties_default_to_cash() -> None:
    result = score(QUESTIONNAIRE, answers(pick=1, varieties="a"))
    assert result.horizon is Horizon.MEDIUM
    assert result.varieties == (Variety.CASH,)


@given(ANSWER_SETS)
def test_every_answer_set_gives_exactly_one_level(given_answers: dict[str, str]) -> None:
    result = score(QUESTIONNAIRE, given_answers)
    bands = [b for b in QUESTIONNAIRE.bands if b.min <= result.score <= b.max]
    assert len(bands) == 1
    assert result.level == (RiskLevel.C1 if result.lowest_category else bands[0].level)


@given(ANSWER_SETS, ANSWER_SETS)
def test_a_higher_score_never_gives_a_lower_level(a: dict[str, str], b: dict[str, str]) -> None:
    low, high = sorted((score(QUESTIONNAIRE, a), score(QUESTIONNAIRE, b)), key=lambda r: r.score)
    event("lowest category" if high.lowest_category else "by score")
    if high.lowest_category:
        # The lowest category caps the level whatever the score
        assert high.level is RiskLevel.C1
    else:
        assert low.level.rank <= high.level.rank


def test_a_questionnaire_whose_bands_leave_a_gap_is_refused() -> None:
    data = QUESTIONNAIRE.model_dump()
    data["bands"][1]["min"] = 22
    with pytest.raises(ValidationError, match="gap or overlap"):
        Questionnaire.model_validate(data)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2027, 8, 31, tzinfo=UTC), 6, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 12, datetime(2027, 11, 15, tzinfo=UTC)),
    ],
)
def test_months_are_added_by_the_calendar(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


def given_assessment() -> RiskAssessment:
    assessment = RiskAssessment.take(
        CTX, uuid.uuid4(), uuid.uuid4(), score(QUESTIONNAIRE, answers(pick=2)), 6, 12
    )
    assessment.collect_events()
    return assessment


def test_when_taken_then_review_in_6_months_and_expiry_in_12() -> None:
    assessment = RiskAssessment.take(
        CTX, uuid.uuid4(), uuid.uuid4(), score(QUESTIONNAIRE, answers(pick=2)), 6, 12
    )
    [event] = assessment.collect_events()
    assert isinstance(event, RiskAssessment.Assessed)
    assert event.review_due_at == datetime(2026, 7, 31, 10, tzinfo=UTC)
    assert event.expires_at == datetime(2027, 1, 31, 10, tzinfo=UTC)
    assert event.answers == answers(pick=2)
    assert event.questionnaire_version == "2026-1"


def test_given_assessment_when_confirmed_then_review_moves_and_expiry_stays() -> None:
    assessment = given_assessment()
    later = Context(actor="advisor", at=NOW + timedelta(days=200), correlation_id="c")
    assessment.confirm(later, 6)
    [event] = assessment.collect_events()
    assert isinstance(event, RiskAssessment.ProfileConfirmed)
    assert event.review_due_at == datetime(2027, 1, 31, 10, tzinfo=UTC)  # capped at expiry
    assert assessment.expires_at == datetime(2027, 1, 31, 10, tzinfo=UTC)


def test_given_expired_assessment_when_confirmed_then_refused() -> None:
    assessment = given_assessment()
    late = Context(actor="advisor", at=NOW + timedelta(days=366), correlation_id="c")
    with pytest.raises(AssessmentExpired):
        assessment.confirm(late, 6)


def test_status_follows_the_clock() -> None:
    review, expiry = NOW + timedelta(days=10), NOW + timedelta(days=20)
    assert status(NOW, review, expiry) == "valid"
    assert status(review, review, expiry) == "review_due"
    assert status(expiry, review, expiry) == "expired"
    assert status(NOW, None, None) == "none"


def test_an_ordinary_investor_cannot_be_exempted() -> None:
    client = Client.register(
        CTX,
        uuid.uuid4(),
        name="A",
        id_number="123456",
        phone="1",
        email="a@b.cn",
        address="x",
        branch="b",
        investor_type=InvestorType.ORDINARY,
        tier=None,
        policy=ClientPolicy(),
    )
    with pytest.raises(NotProfessional):
        client.record_exemption(CTX, "asked for it")


def test_the_scheduler_flags_a_due_review_then_the_expiry_each_once() -> None:
    assessment = given_assessment()  # review due 2026-07-31, expiry 2027-01-31

    def on(days: int) -> Context:
        return Context(actor="system:scheduler", at=NOW + timedelta(days=days), correlation_id="j")

    assert not assessment.record_due(on(100))
    assert assessment.record_due(on(190))
    assert not assessment.record_due(on(191))
    assessment.confirm(on(192), 6)  # the review moves to the expiry: a new review is due
    assert assessment.record_due(on(400))  # expired: only the expiry is flagged
    assert not assessment.record_due(on(401))
    kinds = [type(e).__name__ for e in assessment.collect_events()]
    assert kinds == ["ReviewDue", "ProfileConfirmed", "Expired"]
