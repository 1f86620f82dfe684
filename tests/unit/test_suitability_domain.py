"""The suitability rules of DOMAIN.md §4 and the purchase aggregate: given, when, then."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.shared.base import Context
from domain.shared.errors import InvalidField
from domain.shared.vocab import Horizon, RiskLevel, RiskRating, Variety
from domain.suitability.purchases import (
    ConfirmationChannel,
    NotAwaitingConfirmation,
    NotCancellable,
    Purchase,
    PurchaseStatus,
    SuitabilityPolicy,
)
from domain.suitability.rules import (
    RULE_VERSION,
    AssessmentInput,
    FundInput,
    Inputs,
    Outcome,
    decide,
    risk_outcome,
)

NOW = datetime(2026, 5, 4, 10, tzinfo=UTC)
CTX = Context(actor="advisor", at=NOW, correlation_id="c")
M, W, B = Outcome.MATCH, Outcome.WARN, Outcome.BLOCK
TABLE = {  # DOMAIN.md §4, row by row: C1..C5 against R1..R5
    RiskLevel.C1: [M, B, B, B, B],
    RiskLevel.C2: [M, M, W, W, W],
    RiskLevel.C3: [M, M, M, W, W],
    RiskLevel.C4: [M, M, M, M, W],
    RiskLevel.C5: [M, M, M, M, M],
}


def inputs(
    level: RiskLevel = RiskLevel.C3,
    rating: RiskRating = RiskRating.R2,
    *,
    horizon: Horizon = Horizon.LONG,
    fund_horizon: Horizon = Horizon.MEDIUM,
    varieties: tuple[Variety, ...] = tuple(Variety),
    variety: Variety = Variety.EQUITY,
    lowest: bool | None = None,
    expires_at: datetime | None = None,
    assessed: bool = True,
    investor_type: str = "ordinary",
    exempt: bool = False,
) -> Inputs:
    assessment = (
        AssessmentInput(
            id=uuid.UUID(int=1),
            version=1,
            level=level,
            horizon=horizon,
            varieties=varieties,
            lowest_category=level is RiskLevel.C1 if lowest is None else lowest,
            expires_at=expires_at or NOW + timedelta(days=100),
        )
        if assessed
        else None
    )
    return Inputs(
        investor_type=investor_type,
        exempt=exempt,
        assessment=assessment,
        fund=FundInput(
            code="000123", version=7, risk_rating=rating, horizon=fund_horizon, variety=variety
        ),
        at=NOW,
    )


@pytest.mark.parametrize(("level", "rating"), [(lv, r) for lv in RiskLevel for r in RiskRating])
def test_the_risk_table(level: RiskLevel, rating: RiskRating) -> None:
    expected = TABLE[level][rating.rank - 1]
    assert risk_outcome(level, rating) is expected
    decision = decide(inputs(level, rating))
    assert decision.outcome is expected
    assert decision.rule_version == RULE_VERSION
    if expected is W:
        assert decision.mismatches[0].model_dump() == {
            "dimension": "risk",
            "client": level.value,
            "fund": rating.value,
        }
        assert decision.warning_text is not None
        assert f"risk rating {rating.value}" in decision.warning_text


def test_a_lowest_category_client_is_blocked_above_r1_whatever_the_level() -> None:
    decision = decide(inputs(RiskLevel.C3, RiskRating.R2, lowest=True))
    assert decision.outcome is B
    assert decision.reason == "a lowest-category client cannot buy above R1"


def test_horizon_and_variety_mismatches_warn_and_are_each_named() -> None:
    decision = decide(
        inputs(
            RiskLevel.C4,
            RiskRating.R3,
            horizon=Horizon.SHORT,
            fund_horizon=Horizon.LONG,
            varieties=(Variety.CASH,),
            variety=Variety.EQUITY,
        )
    )
    assert decision.outcome is W
    assert [m.dimension for m in decision.mismatches] == ["horizon", "variety"]
    assert decision.warning_text is not None
    assert "horizon (long) is longer than yours (short)" in decision.warning_text
    assert "invests in equity" in decision.warning_text


def test_a_shorter_fund_horizon_matches() -> None:
    assert decide(inputs(horizon=Horizon.MEDIUM, fund_horizon=Horizon.SHORT)).outcome is M


def test_without_an_assessment_or_with_an_expired_one_the_purchase_is_blocked() -> None:
    assert decide(inputs(assessed=False)).reason == "no risk assessment"
    expired = decide(inputs(expires_at=NOW))
    assert (expired.outcome, expired.reason) == (B, "the risk assessment has expired")


def test_an_exempt_professional_is_matched_without_warnings() -> None:
    decision = decide(
        inputs(
            RiskLevel.C1, RiskRating.R5, assessed=False, investor_type="professional", exempt=True
        )
    )
    assert (decision.outcome, decision.mismatches, decision.warning_text) == (
        Outcome.EXEMPT,
        (),
        None,
    )


def test_a_professional_without_the_exemption_follows_the_table() -> None:
    assert decide(inputs(RiskLevel.C2, RiskRating.R4, investor_type="professional")).outcome is W


def test_the_same_inputs_always_give_the_same_decision() -> None:
    given = inputs(RiskLevel.C2, RiskRating.R5, horizon=Horizon.SHORT)
    assert decide(given) == decide(Inputs.model_validate_json(given.model_dump_json()))


def requested(level: RiskLevel, rating: RiskRating) -> Purchase:
    purchase = Purchase.request(
        CTX, uuid.uuid4(), uuid.uuid4(), "SH", Decimal("10000"), inputs(level, rating), 24
    )
    purchase.collect_events()
    return purchase


@pytest.mark.parametrize(
    ("level", "rating", "status"),
    [
        (RiskLevel.C3, RiskRating.R2, PurchaseStatus.ACCEPTED),
        (RiskLevel.C2, RiskRating.R4, PurchaseStatus.CONFIRMATION_REQUIRED),
        (RiskLevel.C1, RiskRating.R2, PurchaseStatus.REJECTED),
    ],
)
def test_a_request_takes_its_status_from_the_decision(
    level: RiskLevel, rating: RiskRating, status: PurchaseStatus
) -> None:
    assert requested(level, rating).status is status


def test_given_a_warning_when_confirmed_with_the_exact_text_then_accepted() -> None:
    purchase = requested(RiskLevel.C2, RiskRating.R4)
    assert purchase.warning_text is not None
    purchase.confirm(CTX, purchase.warning_text, ConfirmationChannel.PHONE)
    [event] = purchase.collect_events()
    assert isinstance(event, Purchase.OverrideConfirmed)
    assert (event.acknowledgement, event.channel, event.meta.actor) == (
        purchase.warning_text,
        ConfirmationChannel.PHONE,
        "advisor",
    )
    assert purchase.status is PurchaseStatus.ACCEPTED


def test_given_a_warning_when_the_acknowledgement_differs_then_refused() -> None:
    purchase = requested(RiskLevel.C2, RiskRating.R4)
    with pytest.raises(InvalidField) as err:
        purchase.confirm(CTX, "ok", ConfirmationChannel.ONLINE)
    assert err.value.field == "acknowledgement"


def test_a_blocked_or_lapsed_purchase_cannot_be_confirmed() -> None:
    with pytest.raises(NotAwaitingConfirmation):
        requested(RiskLevel.C1, RiskRating.R3).confirm(CTX, "x", ConfirmationChannel.PHONE)
    purchase = requested(RiskLevel.C2, RiskRating.R4)
    late = Context(actor="advisor", at=NOW + timedelta(hours=24), correlation_id="c")
    with pytest.raises(NotAwaitingConfirmation, match="lapsed"):
        purchase.confirm(late, purchase.warning_text or "", ConfirmationChannel.PHONE)


def test_cancel_works_until_the_purchase_is_rejected_or_cancelled() -> None:
    purchase = requested(RiskLevel.C2, RiskRating.R4)
    purchase.cancel(CTX, "changed mind")
    assert purchase.status is PurchaseStatus.CANCELLED
    with pytest.raises(NotCancellable):
        purchase.cancel(CTX, "again")
    with pytest.raises(NotCancellable):
        requested(RiskLevel.C1, RiskRating.R5).cancel(CTX, "x")


# -- exact outcomes: the words a client and a compliance officer read ----------------------


def test_an_exempt_professional_is_exempt_with_the_reason_recorded() -> None:
    decision = decide(
        inputs(RiskLevel.C1, RiskRating.R5, investor_type="professional", exempt=True)
    )
    assert (decision.outcome, decision.reason, decision.warning_text) == (
        Outcome.EXEMPT,
        "professional investor, exemption recorded",
        None,
    )


def test_a_block_by_the_table_and_a_block_of_the_lowest_category_give_their_own_reason() -> None:
    by_table = decide(inputs(RiskLevel.C1, RiskRating.R2, lowest=False))
    lowest = decide(inputs(RiskLevel.C1, RiskRating.R2, lowest=True))
    assert (by_table.outcome, by_table.reason) == (B, "blocked by the risk table")
    assert (lowest.outcome, lowest.reason) == (B, "a lowest-category client cannot buy above R1")


def test_the_warning_names_every_mismatch_in_the_words_the_client_repeats() -> None:
    # Given a C2 client, short horizon, cash and bonds only, and an R3 long-term equity fund
    decision = decide(
        inputs(
            RiskLevel.C2,
            RiskRating.R3,
            horizon=Horizon.SHORT,
            fund_horizon=Horizon.LONG,
            varieties=(Variety.CASH, Variety.FIXED_INCOME),
            variety=Variety.EQUITY,
        )
    )
    # Then the warning is this text, word for word
    assert decision.outcome is W
    assert [(m.dimension, m.client, m.fund) for m in decision.mismatches] == [
        ("risk", "C2", "R3"),
        ("horizon", "short", "long"),
        ("variety", "cash,fixed_income", "equity"),
    ]
    assert decision.warning_text == (
        "Suitability warning for fund 000123: "
        "its risk rating R3 is above your risk tolerance C2; "
        "its investment horizon (long) is longer than yours (short); "
        "it invests in equity, which you have not accepted (cash,fixed_income); "
        "I have read this warning and still wish to buy."
    )


def test_a_blocked_decision_still_records_every_mismatch() -> None:
    # Given a C1 client with a short horizon and an R3 long-term fund
    decision = decide(
        inputs(RiskLevel.C1, RiskRating.R3, horizon=Horizon.SHORT, fund_horizon=Horizon.LONG)
    )
    # Then it is blocked, and the decision names both mismatches for the record
    assert decision.outcome is B
    assert [(m.dimension, m.client, m.fund) for m in decision.mismatches] == [
        ("risk", "C1", "R3"),
        ("horizon", "short", "long"),
    ]


def test_a_purchase_about_to_lapse_is_warned_of_once_within_the_warning_hours() -> None:
    # Given a purchase awaiting confirmation for 24 hours, and a warning 4 hours before
    policy = SuitabilityPolicy()
    purchase = requested(RiskLevel.C2, RiskRating.R4)
    purchase.collect_events()

    def warned(hours: float) -> bool:
        at = Context(actor="system:scheduler", at=NOW + timedelta(hours=hours), correlation_id="c")
        return purchase.warn_lapse(at, policy)

    # Then it is not warned 5 hours before, it is at 4, once; never at or after the deadline
    assert warned(19) is False
    assert warned(20) is True
    assert [type(e).__name__ for e in purchase.collect_events()] == ["LapseNear"]
    assert warned(21) is False
    late = requested(RiskLevel.C2, RiskRating.R4)
    at = Context(actor="system:scheduler", at=NOW + timedelta(hours=24), correlation_id="c")
    assert late.warn_lapse(at, policy) is False
    # And a purchase not awaiting confirmation is never warned of
    accepted = requested(RiskLevel.C3, RiskRating.R3)
    assert (
        accepted.warn_lapse(at.model_copy(update={"at": NOW + timedelta(hours=21)}), policy)
        is False
    )
