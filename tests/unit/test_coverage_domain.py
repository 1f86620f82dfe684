"""Churn score, segments and tier qualification: pure rules, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.clients import Client, ClientPolicy, InvestorType
from domain.clients.churn import ChurnPolicy, ChurnSignals, churn_score
from domain.clients.registry import NoSuggestion
from domain.clients.segments import ClientFacts, CoveragePolicy, SegmentRule
from domain.shared.base import Context

CTX = Context(actor="u-1", at=datetime(2026, 12, 1, tzinfo=UTC), correlation_id="c")
POLICY = ChurnPolicy()
CALM = ChurnSignals(
    aum_then=Decimal(500_000),
    aum_now=Decimal(510_000),
    redeemed=Decimal(0),
    complaints=0,
    days_since_interaction=10,
    assessment_expired=False,
    low_ratings=0,
)


def test_given_a_calm_client_then_the_score_is_zero_with_no_reasons() -> None:
    assert churn_score(CALM, POLICY).model_dump() == {
        "score": 0,
        "reasons": [],
        "version": "churn-2026.1",
    }


def test_given_a_leaving_client_then_every_signal_says_its_share_in_words() -> None:
    leaving = CALM.model_copy(
        update={
            "aum_now": Decimal(150_000),
            "redeemed": Decimal(300_000),
            "complaints": 1,
            "days_since_interaction": 105,
            "assessment_expired": True,
        }
    )
    result = churn_score(leaving, POLICY)
    # 35 (fell 70%: full from 50%) + 15 (sold 60%) + 10 (1 of 2 complaints)
    # + 7.5 (105 days: half way from 30 to 180) + 5 (expired) = 72.5
    assert result.score == 72
    assert [(r.code, r.points, r.words()) for r in result.reasons] == [
        ("aum_drop", 35, "assets fell 70% in the window"),
        ("redemptions", 15, "redeemed 60% of the assets in the window"),
        ("complaints", 10, "1 complaints in the window"),
        ("inactivity", 8, "no contact for 105 days"),
        ("expired_assessment", 5, "the risk assessment has expired"),
    ]


def test_small_portfolios_falling_give_no_points() -> None:
    tiny = CALM.model_copy(update={"aum_then": Decimal(5000), "aum_now": Decimal(0)})
    assert churn_score(tiny, POLICY).score == 0


amounts = st.decimals(min_value=0, max_value=10_000_000, places=2)
signals = st.builds(
    ChurnSignals,
    aum_then=amounts,
    aum_now=amounts,
    redeemed=amounts,
    complaints=st.integers(0, 10),
    days_since_interaction=st.none() | st.integers(0, 2000),
    assessment_expired=st.booleans(),
    low_ratings=st.integers(0, 10),
)


@given(signals, amounts, st.integers(0, 5), st.integers(0, 500), st.integers(0, 5))
def test_worse_signals_never_lower_the_score(
    base: ChurnSignals, less: Decimal, complaints: int, days: int, low: int
) -> None:
    worse = base.model_copy(
        update={
            "aum_now": max(Decimal(0), base.aum_now - less),
            "redeemed": base.redeemed + less,
            "complaints": base.complaints + complaints,
            "days_since_interaction": None
            if base.days_since_interaction is None
            else base.days_since_interaction + days,
            "assessment_expired": base.assessment_expired or days % 2 == 1,
            "low_ratings": base.low_ratings + low,
        }
    )
    before, after = churn_score(base, POLICY), churn_score(worse, POLICY)
    assert 0 <= before.score <= after.score <= 100


FACTS = ClientFacts(
    aum=Decimal(1_200_000),
    tier="gold",
    assessment="review_due",
    days_since_interaction=20,
    complaints=0,
    churn_score=10,
)


def test_the_default_segments_read_their_facts() -> None:
    policy = CoveragePolicy()
    assert policy.segments_of(FACTS) == ["high_value", "assessment_overdue"]
    quiet = FACTS.model_copy(
        update={"aum": Decimal(999_999), "assessment": "valid", "days_since_interaction": 90}
    )
    assert policy.segments_of(quiet) == ["dormant"]
    assert policy.segments_of(FACTS.model_copy(update={"churn_score": 50})) == [
        "high_value",
        "assessment_overdue",
        "churn_risk",
    ]


def test_a_segment_on_an_unknown_fact_or_named_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="no fact wealth"):
        SegmentRule.model_validate({"name": "rich", "condition": {"wealth": {"gte": 1}}})
    rule = SegmentRule.model_validate({"name": "vip", "condition": {"tier": {"in": ["gold"]}}})
    with pytest.raises(ValidationError, match="each name once"):
        CoveragePolicy(segments=(rule, rule))
    assert rule.admits(FACTS)


def test_a_tier_needs_its_assets_at_each_of_the_last_three_month_ends() -> None:
    policy = CoveragePolicy()
    m = [Decimal(x) for x in (100_000, 3_100_000, 3_200_000, 600_000)]
    assert policy.qualifying_tier(m[:2]) is None  # too few month ends yet
    assert policy.qualifying_tier(m[:3]) == "standard"
    assert policy.qualifying_tier(m[1:4]) == "gold"
    assert policy.qualifying_tier([Decimal(3_000_000)] * 3) == "platinum"


def client() -> Client:
    c = Client.register(
        CTX,
        uuid4(),
        name="Chen Jing",
        id_number="310101198805061234",
        phone="+86 138",
        email="c@example.cn",
        address="88 Century Avenue",
        branch="SH-LUJIAZUI",
        investor_type=InvestorType.ORDINARY,
        tier=None,
        policy=ClientPolicy(),
    )
    c.collect_events()
    return c


def test_given_a_client_when_segments_change_then_only_the_changes_are_recorded() -> None:
    c = client()
    known = ["high_value", "dormant"]
    c.record_segments(CTX, ["high_value"], {"aum": "1200000"}, known)
    c.record_segments(CTX, ["high_value"], {"aum": "1300000"}, known)
    c.record_segments(CTX, ["dormant"], {"aum": "900000"}, known)
    events = c.collect_events()
    assert [(type(e).__name__, e.segment) for e in events] == [  # type: ignore[attr-defined]
        ("EnteredSegment", "high_value"),
        ("LeftSegment", "high_value"),
        ("EnteredSegment", "dormant"),
    ]
    assert c.segments == ["dormant"]


def test_a_suggested_tier_is_made_once_and_not_again_once_declined() -> None:
    c = client()
    ends = {"2026-09-30": Decimal(600_000)}
    c.suggest_tier(CTX, "gold", ends)
    c.suggest_tier(CTX, "gold", ends)  # pending: not again
    c.decline_tier_suggestion(CTX, "client prefers the branch's standard service")
    c.suggest_tier(CTX, "gold", ends)  # declined: not again
    assert [type(e).__name__ for e in c.collect_events()] == [
        "TierSuggested",
        "TierSuggestionDeclined",
    ]
    with pytest.raises(NoSuggestion):
        c.decline_tier_suggestion(CTX, "again")
    c.suggest_tier(CTX, "platinum", ends)  # another tier: suggested
    c.accept_tier_suggestion(CTX, ClientPolicy())
    assert (c.tier, c.suggested_tier, c.declined_tier) == ("platinum", None, None)
    [_, changed] = c.collect_events()
    assert changed.reason == "accepted the suggestion: assets qualify for platinum"  # type: ignore[attr-defined]
    with pytest.raises(NoSuggestion):
        c.accept_tier_suggestion(CTX, ClientPolicy())


def test_the_coverage_policy_written_as_json_reads_back_the_same() -> None:
    policy = CoveragePolicy()
    assert CoveragePolicy.model_validate_json(policy.model_dump_json()) == policy
    assert '"in":["review_due","expired"]' in policy.model_dump_json()
