"""The client registry (DOMAIN.md §1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from domain.clients.contacts import ContactPolicy
from domain.clients.policies import ClientPolicy
from domain.shared.base import ERASED, Aggregate, Context, Created, Event
from domain.shared.errors import Conflict, InvalidField

ID_NUMBER_KEY = "client-id-number"
DEFAULT_POLICY = ClientPolicy()
CONTACT_FIELDS = ("name", "phone", "email", "address")


class InvestorType(StrEnum):
    ORDINARY = "ordinary"
    PROFESSIONAL = "professional"


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    SMS = "sms"
    VISIT = "visit"
    ONLINE = "online"


class Client(Aggregate):
    """A private client: only the state the registry's decisions need."""

    name: str
    phone: str
    email: str
    address: str
    branch: str
    investor_type: InvestorType
    tier: str
    tags: list[str]
    assessment_id: UUID | None = None  # older snapshots lack it
    exempt: bool = False  # older snapshots lack it
    erased: bool = False  # older snapshots lack it
    segments: list[str] = []  # older snapshots lack it (events replace it, never change it)
    suggested_tier: str | None = None  # older snapshots lack it
    declined_tier: str | None = None
    contact_flagged: list[str] = []  # the contact reminders of the current due day
    personal_fields: ClassVar[tuple[str, ...]] = CONTACT_FIELDS

    class Registered(Created):
        personal_fields: ClassVar[tuple[str, ...]] = (*CONTACT_FIELDS, "id_number")
        name: str
        id_number: str
        phone: str
        email: str
        address: str
        branch: str
        investor_type: InvestorType
        tier: str

        def apply(self, aggregate: Client) -> None:
            aggregate.name = self.name
            aggregate.phone = self.phone
            aggregate.email = self.email
            aggregate.address = self.address
            aggregate.branch = self.branch
            aggregate.investor_type = self.investor_type
            aggregate.tier = self.tier
            aggregate.tags = []
            aggregate.assessment_id = None
            aggregate.exempt = False
            aggregate.erased = False
            aggregate.segments = []
            aggregate.suggested_tier = aggregate.declined_tier = None
            aggregate.contact_flagged = []

    class ContactDetailsChanged(Event):
        personal_fields: ClassVar[tuple[str, ...]] = ("changes",)
        changes: dict[str, str]

        def apply(self, aggregate: Client) -> None:
            for field, value in self.changes.items():
                setattr(aggregate, field, value)

    class TierChanged(Event):
        tier: str
        previous_tier: str
        reason: str

        def apply(self, aggregate: Client) -> None:
            aggregate.tier = self.tier
            aggregate.suggested_tier = aggregate.declined_tier = None  # settled by the change

    class Retagged(Event):
        added: list[str]
        removed: list[str]
        tags: list[str]

        def apply(self, aggregate: Client) -> None:
            aggregate.tags = list(self.tags)

    class InteractionLogged(Event):
        personal_fields: ClassVar[tuple[str, ...]] = ("summary",)
        channel: Channel
        summary: str
        occurred_at: datetime

    class FeedbackRecorded(Event):
        """Version 2 renamed ``score`` to ``rating``; version 3 added the topic."""

        class_version: ClassVar[int] = 3
        personal_fields: ClassVar[tuple[str, ...]] = ("comment",)
        rating: int
        comment: str
        topic: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["rating"] = state.pop("score")

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["topic"] = "other"

    class AssessmentRecorded(Event):
        """The client's current risk assessment is now this one."""

        assessment_id: UUID

        def apply(self, aggregate: Client) -> None:
            aggregate.assessment_id = self.assessment_id

    class SuitabilityExemptionRecorded(Event):
        """A professional investor is matched without the questionnaire (DOMAIN.md §2)."""

        reason: str

        def apply(self, aggregate: Client) -> None:
            aggregate.exempt = True

    class PersonalDataErased(Event):
        """The client's key was destroyed: every personal value of theirs reads as erased.
        Their records (assessments, purchases, decisions) stay complete."""

        reason: str

        def apply(self, aggregate: Client) -> None:
            for field in CONTACT_FIELDS:
                setattr(aggregate, field, ERASED)
            aggregate.erased = True

    class EnteredSegment(Event):
        """The segment job found the client in a segment: the facts that put them there."""

        segment: str
        facts: dict[str, str]

        def apply(self, aggregate: Client) -> None:
            aggregate.segments = [*aggregate.segments, self.segment]

    class LeftSegment(Event):
        segment: str
        facts: dict[str, str]

        def apply(self, aggregate: Client) -> None:
            aggregate.segments = [s for s in aggregate.segments if s != self.segment]

    class TierSuggested(Event):
        """The client's assets qualify for another tier at each of the last month ends."""

        tier: str
        previous_tier: str
        month_ends: dict[str, Decimal]  # ISO month-end date -> assets, CNY

        def apply(self, aggregate: Client) -> None:
            aggregate.suggested_tier = self.tier

    class TierSuggestionDeclined(Event):
        tier: str
        reason: str

        def apply(self, aggregate: Client) -> None:
            aggregate.suggested_tier = None
            aggregate.declined_tier = self.tier

    class ContactFellDue(Event):
        """The scheduler found the client due for contact by the tier's cadence (once per
        due day)."""

        due_on: date
        tier: str

        def apply(self, aggregate: Client) -> None:
            aggregate.contact_flagged = [f"due:{self.due_on}"]

    class ContactBecameOverdue(Event):
        """The due day passed with no contact (once per due day)."""

        due_on: date
        tier: str

        def apply(self, aggregate: Client) -> None:
            aggregate.contact_flagged = [*aggregate.contact_flagged, f"overdue:{self.due_on}"]

    @classmethod
    def register(
        cls,
        ctx: Context,
        client_id: UUID,
        *,
        name: str,
        id_number: str,
        phone: str,
        email: str,
        address: str,
        branch: str,
        investor_type: InvestorType,
        tier: str | None,
        policy: ClientPolicy,
    ) -> Client:
        """Register a new client in a branch, at the policy's default tier unless given."""
        chosen = tier or policy.default_tier
        _check_tier(chosen, policy)
        return cls._start(
            cls.Registered,
            ctx,
            client_id,
            name=name,
            id_number=id_number.strip().upper(),
            phone=phone,
            email=email,
            address=address,
            branch=branch,
            investor_type=investor_type,
            tier=chosen,
        )

    def update_contact(self, ctx: Context, **fields: str | None) -> None:
        """Change contact fields; only the fields that really change are recorded."""
        self.check_not_erased()
        unknown = set(fields) - set(CONTACT_FIELDS)
        if unknown:
            raise InvalidField(sorted(unknown)[0], "not a contact field")
        changes = {
            field: value
            for field, value in fields.items()
            if value is not None and value != getattr(self, field)
        }
        if changes:
            self._record(self.ContactDetailsChanged, ctx, changes=changes)

    def change_tier(self, ctx: Context, tier: str, reason: str, policy: ClientPolicy) -> None:
        """Move the client to another service tier, with the reason."""
        _check_tier(tier, policy)
        if tier != self.tier:
            self._record(self.TierChanged, ctx, tier=tier, previous_tier=self.tier, reason=reason)

    def accept_tier_suggestion(self, ctx: Context, policy: ClientPolicy) -> None:
        """Move the client to the suggested tier, the suggestion as the reason."""
        if self.suggested_tier is None:
            raise NoSuggestion("no tier suggestion is pending")
        reason = f"accepted the suggestion: assets qualify for {self.suggested_tier}"
        self.change_tier(ctx, self.suggested_tier, reason, policy)

    def retag(self, ctx: Context, add: list[str], remove: list[str], policy: ClientPolicy) -> None:
        """Add and remove free-form segment tags; a tag both added and removed is refused,
        and a client carries at most ``policy.max_tags`` of them."""
        add_set = {_normal_tag(t, "add", policy) for t in add}
        remove_set = {_normal_tag(t, "remove", policy) for t in remove}
        both = add_set & remove_set
        if both:
            raise InvalidField("remove", f"tag {sorted(both)[0]!r} is also in 'add'")
        current = set(self.tags)
        added = sorted(add_set - current)
        removed = sorted(remove_set & current)
        if added or removed:
            tags = sorted((current | add_set) - remove_set)
            if len(tags) > policy.max_tags:
                raise InvalidField("add", f"a client carries at most {policy.max_tags} tags")
            self._record(self.Retagged, ctx, added=added, removed=removed, tags=tags)

    def log_interaction(
        self,
        ctx: Context,
        channel: Channel,
        summary: str,
        occurred_at: datetime | None,
        policy: ClientPolicy,
    ) -> None:
        """Log a contact with the client; it cannot have happened in the future."""
        self.check_not_erased()
        when = occurred_at or ctx.at
        if when.tzinfo is None:
            raise InvalidField("occurred_at", "must include a time zone")
        if when > ctx.at + timedelta(seconds=policy.max_future_skew_seconds):
            raise InvalidField("occurred_at", "is in the future")
        self._record(
            self.InteractionLogged, ctx, channel=channel, summary=summary, occurred_at=when
        )

    def record_feedback(
        self,
        ctx: Context,
        rating: int,
        comment: str,
        topic: str = "other",
        policy: ClientPolicy = DEFAULT_POLICY,
    ) -> None:
        """Record the client's feedback on a topic of the policy's, rated 1 to 5 (the
        application passes the policy in force)."""
        self.check_not_erased()
        if not 1 <= rating <= 5:
            raise InvalidField("rating", "must be between 1 and 5")
        if topic not in policy.feedback_topics:
            raise InvalidField("topic", f"must be one of {', '.join(policy.feedback_topics)}")
        self._record(self.FeedbackRecorded, ctx, rating=rating, comment=comment, topic=topic)

    def record_assessment(self, ctx: Context, assessment_id: UUID) -> None:
        """Make a newly taken assessment the client's current one."""
        self.check_not_erased()
        self._record(self.AssessmentRecorded, ctx, assessment_id=assessment_id)

    def record_exemption(self, ctx: Context, reason: str) -> None:
        """Exempt a professional investor from the questionnaire, with the reason."""
        if self.investor_type is not InvestorType.PROFESSIONAL:
            raise NotProfessional("only professional investors can be exempted")
        if not self.exempt:
            self._record(self.SuitabilityExemptionRecorded, ctx, reason=reason)

    def erase_personal_data(self, ctx: Context, reason: str) -> None:
        """Erase the client's personal data (the key is destroyed beside this event); a
        second erasure records nothing."""
        if not reason.strip():
            raise InvalidField("reason", "must not be empty")
        if not self.erased:
            self._record(self.PersonalDataErased, ctx, reason=reason)

    def record_segments(
        self, ctx: Context, member_of: list[str], facts: dict[str, str], known: list[str]
    ) -> None:
        """Record each segment of ``known`` the client entered or left, with the facts."""
        for segment in known:
            inside = segment in self.segments
            if segment in member_of and not inside:
                self._record(self.EnteredSegment, ctx, segment=segment, facts=facts)
            elif inside and segment not in member_of:
                self._record(self.LeftSegment, ctx, segment=segment, facts=facts)

    def suggest_tier(self, ctx: Context, tier: str | None, month_ends: dict[str, Decimal]) -> None:
        """Suggest the tier the assets qualify for, unless it is the client's, already
        suggested, or declined (until the qualification changes)."""
        if tier is None or tier == self.tier:
            return
        if tier in (self.suggested_tier, self.declined_tier):
            return
        self._record(
            self.TierSuggested, ctx, tier=tier, previous_tier=self.tier, month_ends=month_ends
        )

    def decline_tier_suggestion(self, ctx: Context, reason: str) -> None:
        """Decline the pending suggestion, with why: it is not made again until the
        assets qualify for yet another tier."""
        if self.suggested_tier is None:
            raise NoSuggestion("no tier suggestion is pending")
        if not reason.strip():
            raise InvalidField("reason", "must not be empty")
        self._record(self.TierSuggestionDeclined, ctx, tier=self.suggested_tier, reason=reason)

    def flag_contact(self, ctx: Context, due_on: date, today: date, policy: ContactPolicy) -> bool:
        """Record that the contact due on ``due_on`` (by the plan's view) fell due, and
        that it is overdue (``today`` is the business's day), each once; an erased client
        is not contacted. False if there was nothing to record."""
        stage = policy.stage(due_on, today)
        if self.erased or stage is None:
            return False
        recorded = False
        if f"due:{due_on}" not in self.contact_flagged:
            self._record(self.ContactFellDue, ctx, due_on=due_on, tier=self.tier)
            recorded = True
        if stage == "overdue" and f"overdue:{due_on}" not in self.contact_flagged:
            self._record(self.ContactBecameOverdue, ctx, due_on=due_on, tier=self.tier)
            recorded = True
        return recorded

    def check_not_erased(self) -> None:
        """Refuse anything new for a client whose personal data was erased."""
        if self.erased:
            raise ClientErased("the client's personal data was erased: nothing new is recorded")


class ClientErased(Conflict):
    """The client's personal data was erased."""


class NotProfessional(Conflict):
    """The exemption is for professional investors only."""


class NoSuggestion(Conflict):
    """There is no tier suggestion to accept or decline."""


def _check_tier(tier: str, policy: ClientPolicy) -> None:
    if tier not in policy.tiers:
        raise InvalidField("tier", f"must be one of {', '.join(policy.tiers)}")


def _normal_tag(tag: str, field: str, policy: ClientPolicy) -> str:
    normal = tag.strip().lower()
    if not normal or len(normal) > policy.max_tag_length:
        raise InvalidField(field, f"tags are 1 to {policy.max_tag_length} characters")
    return normal
