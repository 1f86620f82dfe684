"""Scoring, questionnaires and the assessment: given, when, then."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.clients.questionnaires import load_questionnaires
from domain.clients.policies import ClientPolicy
from domain.clients.registry import Client, InvestorType, NotProfessional
from domain.clients.risk import (
    AssessmentExpired,
    Band,
    Option,
    Question,
    Questionnaire,
    RiskAssessment,
    score,
    status,
)
from domain.shared.base import Context
from domain.shared.calendar import add_months
from domain.shared.errors import InvalidField, InvalidFields
from domain.shared.vocab import Horizon, RiskLevel, Variety

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
    assert kinds == ["ReviewFellDue", "ProfileConfirmed", "Expired"]


# -- boundaries and exact refusals -----------------------------------------------------------


def test_every_bad_answer_is_named_with_its_reason_in_one_refusal() -> None:
    given_answers = answers(income="z", shoe_size="a")
    del given_answers["age"], given_answers["horizon"]
    with pytest.raises(InvalidFields) as err:
        score(QUESTIONNAIRE, given_answers)
    assert err.value.errors == [
        ("answers.shoe_size", "no such question"),
        ("answers.age", "missing"),
        ("answers.income", "no option 'z'"),
        ("answers.horizon", "missing"),
    ]


def two_questions(*options: Option) -> Questionnaire:
    """A small questionnaire: two questions, each offering the given options."""
    questions = tuple(Question(id=f"q{n}", text="?", options=options) for n in (1, 2))
    top = 2 * max(o.score for o in options)
    bands = [(RiskLevel.C1, 0, 0), (RiskLevel.C2, 1, 1), (RiskLevel.C3, 2, 2)]
    bands += [(RiskLevel.C4, 3, 3), (RiskLevel.C5, 4, max(top, 4))]
    return Questionnaire(
        version="t",
        questions=questions,
        bands=tuple(Band(level=lv, min=lo, max=hi) for lv, lo, hi in bands),
    )


def test_the_horizon_is_the_shortest_any_answer_gives_and_short_when_none_gives_one() -> None:
    long = Option(id="l", text="l", score=2, horizon=Horizon.LONG)
    medium = Option(id="m", text="m", score=2, horizon=Horizon.MEDIUM)
    plain = Option(id="p", text="p", score=2)
    mixed = two_questions(long, medium)
    assert score(mixed, {"q1": "l", "q2": "m"}).horizon is Horizon.MEDIUM
    assert score(mixed, {"q1": "l", "q2": "l"}).horizon is Horizon.LONG
    assert score(two_questions(plain, long), {"q1": "p", "q2": "p"}).horizon is Horizon.SHORT


def test_a_total_in_the_c1_band_is_the_lowest_category_without_any_flagged_answer() -> None:
    nothing = Option(id="n", text="n", score=0)
    result = score(
        two_questions(nothing, Option(id="y", text="y", score=1)), {"q1": "n", "q2": "n"}
    )
    assert (result.score, result.level, result.lowest_category) == (0, RiskLevel.C1, True)


def test_at_the_instant_of_expiry_the_assessment_is_expired() -> None:
    assessment = given_assessment()
    at_expiry = Context(actor="advisor", at=assessment.expires_at, correlation_id="c")
    with pytest.raises(AssessmentExpired) as err:
        assessment.confirm(at_expiry, 6)
    assert err.value.message == "the assessment has expired: a new one must be taken"
    assert assessment.record_due(at_expiry)
    assert [type(e).__name__ for e in assessment.collect_events()] == ["Expired"]


def test_at_the_instant_the_review_falls_due_it_is_flagged() -> None:
    assessment = given_assessment()
    at_review = Context(actor="system:scheduler", at=assessment.review_due_at, correlation_id="j")
    just_before = at_review.model_copy(update={"at": at_review.at - timedelta(microseconds=1)})
    assert not assessment.record_due(just_before)
    assert assessment.record_due(at_review)
    assert [type(e).__name__ for e in assessment.collect_events()] == ["ReviewFellDue"]
