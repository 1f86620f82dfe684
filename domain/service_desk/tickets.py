"""Service-desk tickets (DOMAIN.md §5): status machine, assignment, SLA breaches, merge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.service_desk.sla import BREACH_KINDS, ClockState, Pause, Priority, SlaPolicy, clock
from domain.service_desk.workflow import (
    ALLOWED,
    LAYERS,
    IllegalTransition,
    Status,
    TicketChannel,
    TicketRuleBroken,
    TicketType,
)
from domain.shared.base import Aggregate, Context, Created, Event
from domain.shared.errors import InvalidField
from domain.staff import Role

# The roles that work tickets: they see the queue and may be assigned a ticket.
WORKS_TICKETS = frozenset({Role.ADMIN, Role.AGENT, Role.ADVISOR})


class Assignee(BaseModel):
    """The account a ticket is given to, as the command found it."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    role: Role
    enabled: bool


class Ticket(Aggregate):
    number: str
    branch: str | None = None  # older snapshots lack it
    status: Status
    priority: Priority
    group: str
    assignee: str | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    pauses: list[Pause]
    breaches: list[str]
    rated: bool
    merged_into: UUID | None
    client_id: UUID | None = None  # older snapshots lack it
    tier: str | None = None  # the client's tier at opening (older tickets: standard)
    articles: list[UUID] = []  # knowledge-base articles linked (older snapshots lack it)

    class Opened(Created):
        # What the client wrote is theirs: sealed with their key, erased with it.
        personal_fields: ClassVar[tuple[str, ...]] = ("subject", "description")
        personal_subject: ClassVar[str | None] = "client_id"

        number: str
        client_id: UUID | None
        branch: str | None
        type: TicketType
        priority: Priority
        channel: TicketChannel
        subject: str
        description: str
        group: str
        sla_version: str
        first_response_due_at: datetime
        resolution_due_at: datetime
        # Opened to follow up the client's feedback recorded at this version of the client.
        follows_feedback: int | None = None
        # The client's tier when the ticket opened: its layer and budgets (None: standard).
        tier: str | None = None

        def apply(self, t: Ticket) -> None:
            t.number, t.status, t.priority, t.group = (
                self.number,
                Status.NEW,
                self.priority,
                self.group,
            )
            t.assignee = t.first_responded_at = t.resolved_at = t.closed_at = None
            t.branch, t.client_id, t.tier = self.branch, self.client_id, self.tier
            t.pauses, t.breaches, t.rated, t.merged_into = [], [], False, None
            t.articles = []

    class Assigned(Event):
        assignee: str | None
        group: str

        def apply(self, t: Ticket) -> None:
            t.assignee, t.group = self.assignee, self.group

    class Commented(Event):
        personal_fields: ClassVar[tuple[str, ...]] = ("body",)
        personal_subject: ClassVar[str | None] = "client_id"

        comment_id: UUID
        body: str
        public: bool
        first_response: bool
        client_id: UUID | None = None  # whose key seals the body (older events lack it)

        def apply(self, t: Ticket) -> None:
            if self.first_response:
                t.first_responded_at = self.timestamp

    class StatusChanged(Event):
        previous: Status
        status: Status
        note: str | None

        def apply(self, t: Ticket) -> None:
            _enter(t, self.previous, self.status, self.timestamp)

    class Reopened(Event):
        previous: Status
        reason: str

        def apply(self, t: Ticket) -> None:
            if t.resolved_at is not None:  # time spent resolved does not count
                t.pauses.append(Pause(start=t.resolved_at, end=self.timestamp))
            t.status, t.resolved_at, t.closed_at = Status.IN_PROGRESS, None, None

    class PriorityChanged(Event):
        priority: Priority
        previous: Priority
        reason: str
        first_response_due_at: datetime | None
        resolution_due_at: datetime | None

        def apply(self, t: Ticket) -> None:
            t.priority = self.priority

    class Escalated(Event):
        from_group: str
        to_group: str
        reason: str
        breach: str | None

        def apply(self, t: Ticket) -> None:
            t.group = self.to_group

    class BreachRecorded(Event):
        kind: str
        due_at: datetime | None

        def apply(self, t: Ticket) -> None:
            t.breaches.append(self.kind)

    class MergedInto(Event):
        into_id: UUID
        into_number: str

        def apply(self, t: Ticket) -> None:
            t.merged_into, t.status, t.closed_at = self.into_id, Status.CLOSED, self.timestamp

    class MergeReceived(Event):
        from_id: UUID
        from_number: str

    class ArticleLinked(Event):
        """A knowledge-base article answers the ticket (its version then, and title)."""

        article_id: UUID
        article_version: int
        title: str

        def apply(self, t: Ticket) -> None:
            t.articles = [*t.articles, self.article_id]

    class MacroApplied(Event):
        """A macro's reply and its actions, as one change: the reply (sealed with the
        client's key), then the priority (with the new due times), the group, the status."""

        personal_fields: ClassVar[tuple[str, ...]] = ("body",)
        personal_subject: ClassVar[str | None] = "client_id"

        macro_id: UUID
        macro: str
        comment_id: UUID
        body: str
        public: bool
        first_response: bool
        client_id: UUID | None
        previous: Status
        status: Status | None
        priority: Priority | None
        group: str | None
        first_response_due_at: datetime | None = None
        resolution_due_at: datetime | None = None

        def apply(self, t: Ticket) -> None:
            if self.first_response:
                t.first_responded_at = self.timestamp
            if self.priority is not None:
                t.priority = self.priority
            if self.group is not None:
                t.group = self.group
            if self.status is not None:
                _enter(t, self.previous, self.status, self.timestamp)

    class SatisfactionRated(Event):
        score: int
        comment: str | None

        def apply(self, t: Ticket) -> None:
            t.rated = True

    @classmethod
    def open(
        cls,
        ctx: Context,
        ticket_id: UUID,
        number: str,
        *,
        client_id: UUID | None,
        branch: str | None,
        type: TicketType,
        priority: Priority,
        channel: TicketChannel,
        subject: str,
        description: str,
        policy: SlaPolicy,
        follows_feedback: int | None = None,
        tier: str | None = None,
    ) -> Ticket:
        """Open a ticket at the layer that serves the client's tier (the client centre for
        standard clients and tickets with no client), with the tier's SLA due times (to
        follow up the client's feedback, when given the client's version that recorded it)."""
        group = policy.layer(tier)
        return cls._start(
            cls.Opened,
            ctx,
            ticket_id,
            number=number,
            client_id=client_id,
            branch=branch,
            type=type,
            priority=priority,
            channel=channel,
            subject=subject,
            description=description,
            group=group,
            sla_version=policy.version,
            follows_feedback=follows_feedback,
            tier=tier,
            **opening_dues(policy, priority, ctx.at, tier),
        )

    def assign(self, ctx: Context, assignee: Assignee | None, group: str | None) -> None:
        """Give the ticket to an enabled account of a role that works tickets and/or a
        group; no assignee leaves the ticket to its group."""
        self._open_only("assign")
        new_group = group or self.group
        if new_group not in LAYERS:
            raise InvalidField("group", f"must be one of {', '.join(LAYERS)}")
        if assignee is not None and not assignee.enabled:
            raise InvalidField("assignee", "this account is disabled")
        if assignee is not None and assignee.role not in WORKS_TICKETS:
            raise InvalidField("assignee", f"a {assignee.role.value} account does not work tickets")
        to = str(assignee.id) if assignee else None
        if (to, new_group) != (self.assignee, self.group):
            self._record(self.Assigned, ctx, assignee=to, group=new_group)

    def comment(self, ctx: Context, comment_id: UUID, body: str, public: bool) -> None:
        """Add a comment; the first public reply by staff is the first response."""
        if self.merged_into is not None:
            raise TicketRuleBroken("the ticket was merged: comment on the ticket it went into")
        first = public and self.first_responded_at is None
        self._record(
            self.Commented,
            ctx,
            comment_id=comment_id,
            body=body,
            public=public,
            first_response=first,
            client_id=self.client_id,
        )

    def transition(self, ctx: Context, to: Status, note: str | None) -> None:
        """Move along the status machine of DOMAIN.md §5."""
        if to not in ALLOWED[self.status]:
            raise IllegalTransition(self.status, to.value)
        self._record(self.StatusChanged, ctx, previous=self.status, status=to, note=note)

    def reopen(self, ctx: Context, reason: str, policy: SlaPolicy) -> None:
        """Reopen a resolved ticket, or a closed one within the policy's window."""
        if self.status not in (Status.RESOLVED, Status.CLOSED) or self.merged_into:
            raise TicketRuleBroken(
                f"a {self.status.value} ticket cannot be reopened"
                if not self.merged_into
                else "a merged ticket stays closed"
            )
        if self.closed_at and ctx.at - self.closed_at > timedelta(days=policy.reopen_days):
            raise TicketRuleBroken(f"closed more than {policy.reopen_days} days ago")
        self._record(self.Reopened, ctx, previous=self.status, reason=reason)

    def change_priority(
        self, ctx: Context, priority: Priority, reason: str, policy: SlaPolicy
    ) -> None:
        """Change the priority; the due times are recomputed from creation."""
        self._open_only("re-prioritise")
        if priority != self.priority:
            dues = _dues(
                policy, priority, self.group, self.created_on, self.pauses, ctx.at, self.tier
            )
            self._record(
                self.PriorityChanged,
                ctx,
                priority=priority,
                previous=self.priority,
                reason=reason,
                **dues,
            )

    def escalate(self, ctx: Context, reason: str, breach: str | None = None) -> None:
        """Hand the ticket one service layer up."""
        self._open_only("escalate")
        index = LAYERS.index(self.group)
        if index == len(LAYERS) - 1:
            raise TicketRuleBroken("the ticket is at headquarters already")
        self._record(
            self.Escalated,
            ctx,
            from_group=self.group,
            to_group=LAYERS[index + 1],
            reason=reason,
            breach=breach,
        )

    def record_breach(self, ctx: Context, kind: str, policy: SlaPolicy) -> bool:
        """Record a breached clock once per kind, and escalate; False if nothing to do."""
        if kind not in BREACH_KINDS:
            raise InvalidField("kind", f"must be one of {', '.join(BREACH_KINDS)}")
        if kind in self.breaches or self.status is Status.CLOSED:
            return False
        state = self.clock(kind, policy, ctx.at)
        if state.state != "breached":
            return False
        self._record(self.BreachRecorded, ctx, kind=kind, due_at=state.due_at)
        if LAYERS.index(self.group) < len(LAYERS) - 1:
            self.escalate(ctx, f"{kind.replace('_', ' ')} SLA breached", breach=kind)
        return True

    def merge_into(self, ctx: Context, target: Ticket) -> None:
        """Close this ticket as merged into ``target``; both keep their histories."""
        if target.id == self.id:
            raise InvalidField("into", "a ticket cannot be merged into itself")
        if self.status is Status.CLOSED:
            raise TicketRuleBroken("a closed ticket cannot be merged")
        if target.status is Status.CLOSED:
            raise TicketRuleBroken(f"{target.number} is closed")
        self._record(self.MergedInto, ctx, into_id=target.id, into_number=target.number)
        target._record(target.MergeReceived, ctx, from_id=self.id, from_number=self.number)

    def apply_macro(
        self,
        ctx: Context,
        macro: tuple[UUID, str],
        comment: tuple[UUID, str, bool],
        actions: tuple[Status | None, Priority | None, str | None],
        policy: SlaPolicy,
    ) -> None:
        """Reply and act as one change, each part under the rule it would meet alone (a
        closed ticket takes a reply only; a status must be a move the ticket allows)."""
        if self.merged_into is not None:
            raise TicketRuleBroken("the ticket was merged: comment on the ticket it went into")
        (comment_id, body, public), (status, priority, group) = comment, actions
        if self.status is Status.CLOSED and any(a is not None for a in actions):
            raise TicketRuleBroken("a closed ticket takes a reply, not a change")
        if group is not None and group not in LAYERS:
            raise InvalidField("group", f"must be one of {', '.join(LAYERS)}")
        status = None if status == self.status else status
        if status is not None and status not in ALLOWED[self.status]:
            raise IllegalTransition(self.status, status.value)
        priority = None if priority == self.priority else priority
        dues: dict[str, datetime | None] = {}
        if priority is not None:
            dues = _dues(
                policy, priority, self.group, self.created_on, self.pauses, ctx.at, self.tier
            )
        self._record(
            self.MacroApplied,
            ctx,
            macro_id=macro[0],
            macro=macro[1],
            comment_id=comment_id,
            body=body,
            public=public,
            first_response=public and self.first_responded_at is None,
            client_id=self.client_id,
            previous=self.status,
            status=status,
            priority=priority,
            group=None if group == self.group else group,
            **dues,
        )

    def link_article(self, ctx: Context, article_id: UUID, version: int, title: str) -> None:
        """Link a published article that answers the ticket; once per article."""
        if self.merged_into is not None:
            raise TicketRuleBroken("the ticket was merged: link on the ticket it went into")
        if article_id not in self.articles:
            self._record(
                self.ArticleLinked,
                ctx,
                article_id=article_id,
                article_version=version,
                title=title,
            )

    def send_article(
        self, ctx: Context, comment_id: UUID, article: tuple[UUID, int, str], text: str
    ) -> None:
        """Reply to the client with a published article's text and link the article
        (once), as one change."""
        article_id, version, title = article
        self.comment(ctx, comment_id, text, public=True)
        self.link_article(ctx, article_id, version, title)

    def rate(self, ctx: Context, score: int, comment: str | None) -> None:
        """The client's satisfaction, once, after resolution."""
        if self.status not in (Status.RESOLVED, Status.CLOSED) or self.merged_into:
            raise TicketRuleBroken("satisfaction is rated after resolution")
        if self.rated:
            raise TicketRuleBroken("satisfaction was rated already")
        if not 1 <= score <= 5:
            raise InvalidField("score", "must be between 1 and 5")
        self._record(self.SatisfactionRated, ctx, score=score, comment=comment)

    def offers(self, policy: SlaPolicy, now: datetime) -> frozenset[str]:
        """What the rules above let anyone do with the ticket at ``now``: the statuses it
        may move to, and ``comment``, ``assign``, ``priority``, ``escalate``, ``merge``,
        ``reopen``, ``rate``. A page offers these and no other."""
        offered: set[str] = set()
        if self.merged_into is None:
            offered.update(s.value for s in ALLOWED[self.status])
            offered.add("comment")
        if self.status is not Status.CLOSED:
            offered.update({"assign", "priority", "merge"})
            if LAYERS.index(self.group) < len(LAYERS) - 1:
                offered.add("escalate")
        done = self.status in (Status.RESOLVED, Status.CLOSED) and self.merged_into is None
        window = timedelta(days=policy.reopen_days)
        if done and (self.closed_at is None or now - self.closed_at <= window):
            offered.add("reopen")
        if done and not self.rated:
            offered.add("rate")
        return frozenset(offered)

    def clocks(self, policy: SlaPolicy, now: datetime) -> dict[str, ClockState]:
        """Both SLA clocks as of ``now`` (``overall`` gives the ticket's state of them)."""
        return {kind: self.clock(kind, policy, now) for kind in BREACH_KINDS}

    def clock(self, kind: str, policy: SlaPolicy, now: datetime) -> ClockState:
        stopped = self.first_responded_at if kind == "first_response" else self.resolved_at
        return clock(
            policy,
            kind,
            self.priority,
            self.group,
            self.created_on,
            self.pauses,
            stopped,
            now,
            self.tier,
        )

    def _open_only(self, verb: str) -> None:
        if self.status is Status.CLOSED:
            raise TicketRuleBroken(f"a closed ticket cannot {verb}")


def _enter(t: Ticket, previous: Status, status: Status, at: datetime) -> None:
    if previous is Status.PENDING_CLIENT and t.pauses and t.pauses[-1].end is None:
        t.pauses[-1] = Pause(start=t.pauses[-1].start, end=at)
    if status is Status.PENDING_CLIENT:
        t.pauses.append(Pause(start=at))
    if status is Status.RESOLVED:
        t.resolved_at = at
    if status is Status.CLOSED:
        t.closed_at = at
    t.status = status


def opening_dues(
    policy: SlaPolicy, priority: Priority, at: datetime, tier: str | None = None
) -> dict[str, datetime | None]:
    """When the two clocks of a ticket opened at ``at`` for a client of ``tier`` fall due
    (as ``open`` records them)."""
    return _dues(policy, priority, policy.layer(tier), at, [], at, tier)


def _dues(
    policy: SlaPolicy,
    priority: Priority,
    group: str,
    created: datetime,
    pauses: list[Pause],
    now: datetime,
    tier: str | None,
) -> dict[str, datetime | None]:
    return {
        f"{kind}_due_at": clock(
            policy, kind, priority, group, created, pauses, None, now, tier
        ).due_at
        for kind in BREACH_KINDS
    }
