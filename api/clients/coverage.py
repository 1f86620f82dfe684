"""Client coverage over the API: segments and their members, the clients at risk of
leaving with the reasons, tier suggestions and their settling; and the segment job."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from fastapi import APIRouter, Depends, Path, Query

from api.clients.coverage_schemas import (
    AtRisk,
    Decline,
    FeedbackGroup,
    FeedbackStats,
    ReasonPublic,
    SegmentMember,
    SegmentPublic,
    TierSuggestionPublic,
)
from api.clients.scope import ClientId
from api.engine import Engine
from api.holdings import business_day, valuation
from api.shared.context import Job
from api.shared.deps import (
    ContextDep,
    CurrentUser,
    EngineDep,
    IdempotencyDep,
    NowDep,
    branch_scope,
    fresh,
    roles,
)
from api.shared.jobs import BATCH
from api.shared.schemas import (
    Cursor,
    FromDay,
    Limit,
    Page,
    ToDay,
    WriteResult,
)
from application.clients.coverage import Cover, CoverageCommands
from application.service_desk import TicketCommands
from application.shared.common import Idempotency
from domain.service_desk import Priority, TicketChannel, TicketType
from domain.shared.base import Context
from domain.shared.calendar import days_before
from domain.shared.errors import DomainError, InvalidField, NotFound
from domain.staff import Role
from projections.clients.coverage import CoverageView
from projections.clients.signals import Coverage, CoverageReader, facts_of
from projections.clients.views import ClientsView
from projections.holdings import VALUED_FROM
from projections.service_desk import TicketsView
from projections.shared.base import utc_text
from projections.shared.paging import paged

router = APIRouter(prefix="/api/v1", tags=["coverage"])
log = structlog.get_logger(__name__)
READERS = Depends(roles(Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE))
ADVISORS = Depends(roles(Role.ADMIN, Role.ADVISOR))
FRESH = Depends(fresh(ClientsView, CoverageView))
TEN_YEARS = timedelta(days=3653)
Branch = Annotated[str | None, Query(max_length=32, description="a branch code")]


def reader(engine: Engine) -> CoverageReader:
    return CoverageReader(
        engine.db,
        engine.view(ClientsView),
        engine.view(CoverageView),
        engine.view(TicketsView),
        valuation(engine),
        engine.settings.client_policy.low_rating,
    )


def scoped(user: Any, branch: str | None) -> str | None:
    """The branch a list shows: an advisor's own, whatever they ask."""
    return branch_scope(user) or branch


# -- the segment job -------------------------------------------------------------------


READS = (ClientsView, CoverageView, TicketsView, *VALUED_FROM)


def segments_job(engine: Engine, ctx: Context) -> int:
    """Record each client's segment changes and tier suggestions, as of today: once a
    day, on views caught up with the store first (at start-up, the views may be behind)."""
    engine.projector.catch_up()
    policy = engine.settings.coverage_policy
    found = reader(engine).assess(business_day(engine), ctx.at, policy)
    current = engine.view(CoverageView).segments(engine.db, None)
    asked = engine.view(CoverageView).settled_or_pending(engine.db)
    named = [s.name for s in policy.segments]
    changes = []
    for c in found:
        member_of = policy.segments_of(c.facts)
        was = current.get(c.client_id, set())
        tier = policy.qualifying_tier(list(c.month_ends.values()))
        suggest = tier not in (None, c.tier, asked.get(c.client_id))
        if set(member_of) == was and not suggest:
            continue
        known = named + sorted(was - set(named))  # a segment taken out of the policy: left
        changes.append(
            Cover(
                UUID(c.client_id),
                member_of,
                facts_of(c),
                known,
                tier if suggest else None,
                c.month_ends,
            )
        )
    return engine.handler(CoverageCommands).cover(ctx, changes)


SEGMENTS_JOB = Job("segments", segments_job, every=timedelta(hours=24))


def follow_ups(engine: Engine, ctx: Context) -> int:
    """Open a follow-up ticket of type feedback for each low rating without one, for the
    client's branch: once per feedback (the ticket's key is the feedback's), however often
    the job runs before the view sees the ticket."""
    low = engine.settings.client_policy.low_rating
    rows = engine.view(CoverageView).unfollowed(engine.db, low, BATCH)
    desk = engine.handler(TicketCommands)
    head, opened = engine.store.head(), 0
    for r in rows:
        key = f"feedback-follow-up:{r['client_id']}:{r['version']}"
        try:
            done = desk.open(
                ctx,
                client_id=UUID(r["client_id"]),
                type=TicketType.FEEDBACK,
                priority=Priority.P3,
                channel=TicketChannel.BRANCH,
                subject=f"Follow up feedback rated {r['rating']}/5 ({r['topic']})",
                description=(
                    f"The client rated {r['rating']} out of 5 about {r['topic']} "
                    f"on {r['recorded_at'][:10]}: call them back and record what was done."
                ),
                idem=Idempotency.of(key, key),
                follows_feedback=int(r["version"]),
            )
        except DomainError as e:
            log.warning("feedback.follow_up_refused", error=type(e).__name__)
            continue
        opened += done.result.position > head
    return opened


FOLLOW_UPS_JOB = Job("feedback", follow_ups)


# -- routes ----------------------------------------------------------------------------


@router.get("/segments", dependencies=[READERS, FRESH])
def segments(engine: EngineDep, user: CurrentUser, branch: Branch = None) -> list[SegmentPublic]:
    """The segments the policy defines, each with its members (an advisor's branch's)."""
    counts = engine.view(CoverageView).counts(engine.db, scoped(user, branch))
    return [
        SegmentPublic(
            name=s.name,
            condition={
                k: b.model_dump(by_alias=True, exclude_none=True) for k, b in s.condition.items()
            },
            members=counts.get(s.name, 0),
        )
        for s in engine.settings.coverage_policy.segments
    ]


@router.get("/segments/{name}/clients", dependencies=[READERS, FRESH])
def segment_members(
    engine: EngineDep,
    user: CurrentUser,
    name: Annotated[str, Path(max_length=40)],
    branch: Branch = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SegmentMember]:
    """A segment's members, the longest in it first, with the facts they entered on."""
    if name not in {s.name for s in engine.settings.coverage_policy.segments}:
        raise NotFound(f"segment {name} not found")
    rows, next_cursor = engine.view(CoverageView).members(
        engine.db, name, scoped(user, branch), limit, cursor
    )
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    return Page(
        items=[
            SegmentMember.model_validate({**r, "client_name": names.get(r["client_id"])})
            for r in rows
        ],
        next_cursor=next_cursor,
    )


@router.get("/clients/at-risk", dependencies=[READERS, Depends(fresh(*READS))])
def at_risk(
    engine: EngineDep,
    user: CurrentUser,
    now: NowDep,
    branch: Branch = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AtRisk]:
    """The clients whose churn score reaches the policy's threshold, the highest first,
    each with the reasons in words (computed now from the views)."""
    policy = engine.settings.coverage_policy
    found = reader(engine).assess(business_day(engine), now, policy, scoped(user, branch))
    risky = [c for c in found if c.churn.score >= policy.churn.threshold]
    page, next_cursor = paged(risky, lambda c: (-c.churn.score, c.client_id), limit, cursor)
    names = engine.view(ClientsView).names(engine.db, [c.client_id for c in page])
    return Page(items=[_at_risk(c, names) for c in page], next_cursor=next_cursor)


def _at_risk(c: Coverage, names: dict[str, str]) -> AtRisk:
    return AtRisk(
        client_id=UUID(c.client_id),
        client_name=names.get(c.client_id),
        branch=c.branch,
        tier=c.tier,
        score=c.churn.score,
        aum=c.facts.aum,
        reasons=[
            ReasonPublic(code=r.code, points=r.points, words=r.words()) for r in c.churn.reasons
        ],
        version=c.churn.version,
    )


def feedback_groups(
    engine: Engine, group_by: str, days: tuple[date, date], branch: str | None
) -> list[FeedbackGroup]:
    """Feedback of the days (in the business's time zone) by topic, branch or month: ten
    years at most."""
    if days[0] > days[1]:
        raise InvalidField("from", "must not be after 'to'")
    if days[1] - days[0] > TEN_YEARS:
        raise InvalidField("from", "a period spans ten years at most")
    if days[1] >= date.max - timedelta(days=1):
        raise InvalidField("to", "is past the last day a calendar holds")
    zone = ZoneInfo(engine.settings.time_zone)
    # A zone ahead of UTC puts the first calendar day's midnight before year 1: the day after.
    first = max(days[0], date.min + timedelta(days=1))
    start, end = (datetime.combine(d, time(), zone) for d in (first, days[1] + timedelta(1)))
    rows = engine.view(CoverageView).feedback_stats(
        engine.db,
        group_by,
        (utc_text(start), utc_text(end)),
        branch,
        engine.settings.client_policy.low_rating,
    )
    return [
        FeedbackGroup(
            group=r["grp"],
            count=r["n"],
            mean_rating=round(float(r["mean"]), 2),
            low_share=round(r["low"] / r["n"], 4),
        )
        for r in rows
    ]


@router.get(
    "/feedback/stats",
    dependencies=[Depends(roles(Role.ADMIN, Role.ADVISOR, Role.COMPLIANCE)), FRESH],
    response_model_by_alias=True,
)
def feedback_stats(
    engine: EngineDep,
    user: CurrentUser,
    group_by: Annotated[
        Literal["topic", "branch", "month"], Query(description="count by this")
    ] = "topic",
    start: FromDay = None,
    end: ToDay = None,
    branch: Branch = None,
) -> FeedbackStats:
    """Feedback from ``from`` to ``to`` (days, default the last year) by topic, branch or
    month: the count, the mean rating and the share of low ratings (an advisor's branch)."""
    last = end or business_day(engine)
    first = start or days_before(last, 364)
    items = feedback_groups(engine, group_by, (first, last), scoped(user, branch))
    return FeedbackStats(group_by=group_by, start=first, end=last, items=items)


@router.get("/tier-suggestions", dependencies=[READERS, FRESH])
def tier_suggestions(
    engine: EngineDep, user: CurrentUser, branch: Branch = None
) -> list[TierSuggestionPublic]:
    """Pending tier suggestions (an advisor's branch's), the oldest first."""
    rows = engine.view(CoverageView).suggestions(engine.db, scoped(user, branch))
    names = engine.view(ClientsView).names(engine.db, [r["client_id"] for r in rows])
    return [
        TierSuggestionPublic.model_validate({**r, "client_name": names.get(r["client_id"])})
        for r in rows
    ]


@router.post("/clients/{client_id}/tier-suggestion/accept", dependencies=[ADVISORS])
def accept_suggestion(
    client_id: ClientId, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Move the client to the suggested tier, the suggestion as the reason (409 when none
    is pending)."""
    return WriteResult.of(
        engine.handler(CoverageCommands).accept_tier_suggestion(ctx, client_id, idem)
    )


@router.post("/clients/{client_id}/tier-suggestion/decline", dependencies=[ADVISORS])
def decline_suggestion(
    client_id: ClientId, body: Decline, engine: EngineDep, ctx: ContextDep, idem: IdempotencyDep
) -> WriteResult:
    """Decline the pending suggestion with why; it is not made again until the assets
    qualify for yet another tier (409 when none is pending)."""
    result = engine.handler(CoverageCommands).decline_tier_suggestion(
        ctx, client_id, body.reason, idem
    )
    return WriteResult.of(result)
