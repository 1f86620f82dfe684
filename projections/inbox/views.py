"""The staff inbox's view: each reminder and warning recorded anywhere becomes one
notification for the people it concerns (an account, or a role, of a branch or of any),
and each person's read marks.

Who a notification is for follows from the events alone (a client's branch, a ticket's
assignee or layer, a purchase's requester, a plan's MPLs by username), so a rebuild finds
the same notifications. A ticket with no assignee goes to its layer: the client centre's
agents, the branch's advisors, or the headquarters' administrators."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID, uuid5

from adapters.shared.settings import Settings
from adapters.shared.sql import Tx, ViewDatabase, WriteBehind
from domain.clients import Client, CoveragePolicy, RiskAssessment
from domain.cqp import CQPPlan
from domain.inbox import KINDS, Inbox
from domain.service_desk import Ticket
from domain.shared.keys import NAMESPACE
from domain.staff import Role, StaffUser
from domain.suitability import Purchase
from domain.suppliers import Supplier
from projections.shared.base import View, rows_by_id, utc_text
from projections.shared.paging import after, cut

# Who works a ticket with no assignee, by its layer (and whether of the ticket's branch).
LAYER_PEOPLE = {
    "client_centre": (Role.AGENT, False),
    "branch": (Role.ADVISOR, True),
    "headquarters": (Role.ADMIN, False),
}
COUNT_CAP = 100  # the header shows "99+" beyond


@dataclass(frozen=True)
class Reader:
    """Whose inbox is read: their account, username, role and branch."""

    account_id: str
    username: str
    role: str
    branch: str | None


@dataclass(frozen=True)
class Audience:
    account: str | None = None
    username: str | None = None
    role: str | None = None
    branch: str | None = None

    @property
    def key(self) -> str:
        return f"{self.account}|{self.username}|{self.role}|{self.branch}"


def notification_id(source: UUID, version: int, audience: Audience) -> UUID:
    return uuid5(NAMESPACE, f"notification:{source}:{version}:{audience.key}")


SUBJECT = ("id", "kind", "branch", "owner", "layer", "label", "people")
NOTIFICATION = ("id", "position", "kind", "account", "username", "role", "branch", "subject_id",
                "link", "facts", "created_at")  # fmt: skip
ABOUT_A_CLIENT = (RiskAssessment.ReviewFellDue, RiskAssessment.Expired)


class _Known(WriteBehind):
    """A batch's transaction, with the subjects it asked for (by id; None: no such
    subject) as they stand after its events so far. The subjects it kept or changed are
    written once: at the batch's end (``flush``), or before a statement that names their
    table."""

    def __init__(
        self, tx: Tx, table: str, asked: set[str], subjects: dict[str, dict[str, Any]]
    ) -> None:
        super().__init__(tx)
        self.table, self.asked, self.subjects = table, asked, subjects
        self.dirty: set[str] = set()

    def flush(self, statement: str | None = None) -> None:
        if self.dirty and (statement is None or self.table in statement):
            sets = ", ".join(f"{c} = excluded.{c}" for c in SUBJECT[1:])
            rows = [tuple(self.subjects[key][c] for c in SUBJECT) for key in sorted(self.dirty)]
            self.dirty.clear()
            self.tx.insert(self.table, SUBJECT, rows, f"ON CONFLICT (id) DO UPDATE SET {sets}")
        super().flush(statement)


class InboxView(View):
    name = "inbox"
    personal = False  # it reads no personal field
    late_indexes = True  # its writes read rows by their keys only
    tables: ClassVar[dict[str, list[str]]] = {
        "view_notifications": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, position BIGINT NOT NULL, "
            "kind TEXT NOT NULL, account TEXT, username TEXT, role TEXT, branch TEXT, "
            "subject_id TEXT NOT NULL, link TEXT NOT NULL, facts TEXT NOT NULL, "
            "created_at TEXT NOT NULL)",
            "CREATE INDEX {ix}_account ON {t} (account, position)",
            "CREATE INDEX {ix}_username ON {t} (username, position)",
            "CREATE INDEX {ix}_role ON {t} (role, branch, position)",
        ],
        "view_inbox_read": [
            "CREATE TABLE {t} (account TEXT NOT NULL, notification TEXT NOT NULL, "
            "PRIMARY KEY (account, notification))",
        ],
        "view_inbox_marks": [
            "CREATE TABLE {t} (account TEXT PRIMARY KEY, read_up_to BIGINT NOT NULL, "
            "digest_on TEXT)",
        ],
        # What the notifications need of the aggregates that cause them.
        "view_inbox_subjects": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, branch TEXT, "
            "owner TEXT, layer TEXT, label TEXT, people TEXT)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Client.Registered: "client_registered",
        Client.ContactFellDue: "contact",
        Client.ContactBecameOverdue: "contact",
        Client.EnteredSegment: "entered_segment",
        Client.TierSuggested: "tier_suggested",
        RiskAssessment.ReviewFellDue: "assessment",
        RiskAssessment.Expired: "assessment",
        Purchase.Requested: "purchase_requested",
        Purchase.LapseNear: "purchase_lapsing",
        Ticket.Opened: "ticket_opened",
        Ticket.Assigned: "ticket_assigned",
        Ticket.BreachRecorded: "ticket_breached",
        Ticket.Escalated: "ticket_escalated",
        Supplier.Registered: "supplier_registered",
        Supplier.ReauditFellDue: "reaudit",
        Supplier.ReauditBecameOverdue: "reaudit",
        CQPPlan.Planned: "plan_planned",
        CQPPlan.TeamSet: "plan_team",
        CQPPlan.MilestoneBecameOverdue: "milestone_overdue",
        StaffUser.Registered: "account_registered",
        Inbox.Opened: "inbox_opened",
        Inbox.Read: "read",
        Inbox.AllRead: "all_read",
        Inbox.DigestSent: "digest_sent",
    }

    def __init__(self, suffix: str = "", warn_segments: Sequence[str] = ("churn_risk",)) -> None:
        super().__init__(suffix)
        self.warn_segments = tuple(warn_segments)

    @classmethod
    def configured(cls, settings: Settings) -> InboxView:
        return cls(warn_segments=warning_segments(settings.coverage_policy))

    def with_suffix(self, suffix: str) -> InboxView:
        return InboxView(suffix, self.warn_segments)

    # -- what the notifications need ----------------------------------------------------

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """The subjects a batch's events are about are read in one query first (a breach
        or an escalation asks for its ticket, a reminder for its client), then each
        event is applied, the subjects it keeps or changes changing in memory, and those
        are written in one statement at the end."""
        ids = {str(e.originator_id) for e, _ in batch}
        ids |= {str(e.client_id) for e, _ in batch if isinstance(e, ABOUT_A_CLIENT)}
        table = self.t("view_inbox_subjects")
        known = _Known(tx, table, ids, rows_by_id(tx, table, sorted(ids)))
        for event, position in batch:
            self.handle(known, event, position)
        known.flush()

    def _subject(self, tx: Tx, subject_id: UUID) -> dict[str, Any]:
        key = str(subject_id)
        if isinstance(tx, _Known) and key in tx.asked:
            row = tx.subjects.get(key)
        else:
            rows = tx.query(f"SELECT * FROM {self.t('view_inbox_subjects')} WHERE id = ?", (key,))
            row = rows[0] if rows else None
        return row or {"branch": None, "owner": None, "layer": None, "label": ""}

    def _keep(self, tx: Tx, subject_id: UUID, kind: str, **values: Any) -> None:
        row = dict.fromkeys(SUBJECT, None) | {"id": str(subject_id), "kind": kind, **values}
        if isinstance(tx, _Known):
            key = str(subject_id)
            tx.subjects[key] = row
            tx.asked.add(key)
            tx.dirty.add(key)
        else:
            tx.insert(self.t("view_inbox_subjects"), list(row), [tuple(row.values())])

    def _change(self, tx: Tx, subject_id: UUID, **values: Any) -> None:
        key = str(subject_id)
        if isinstance(tx, _Known) and key in tx.asked:
            if tx.subjects.get(key) is not None:
                tx.subjects[key].update(values)
                tx.dirty.add(key)
            return
        sets = ", ".join(f"{c} = ?" for c in values)
        tx.execute(
            f"UPDATE {self.t('view_inbox_subjects')} SET {sets} WHERE id = ?",
            (*values.values(), key),
        )

    def _notify(
        self,
        tx: Tx,
        e: Any,
        position: int,
        kind: str,
        audiences: Sequence[Audience],
        link: str,
        **facts: Any,
    ) -> None:
        if kind not in KINDS:  # the console words each kind; an unknown one shows raw
            raise ValueError(f"no such kind of notification: {kind}")
        tx.insert(
            self.t("view_notifications"),
            NOTIFICATION,
            [
                (
                    str(notification_id(e.originator_id, e.originator_version, audience)),
                    position,
                    kind,
                    audience.account,
                    audience.username,
                    audience.role,
                    audience.branch,
                    str(e.originator_id),
                    link,
                    json.dumps({k: str(v) for k, v in facts.items()}, sort_keys=True),
                    utc_text(e.timestamp),
                )
                for audience in audiences
            ],
        )

    def _advisors(self, tx: Tx, client_id: UUID) -> list[Audience]:
        return [Audience(role=Role.ADVISOR.value, branch=self._subject(tx, client_id)["branch"])]

    # -- clients ---------------------------------------------------------------------

    def client_registered(self, tx: Tx, e: Client.Registered, _: int) -> None:
        self._keep(tx, e.originator_id, "client", branch=e.branch)

    def contact(
        self, tx: Tx, e: Client.ContactFellDue | Client.ContactBecameOverdue, p: int
    ) -> None:
        kind = "contact_due" if isinstance(e, Client.ContactFellDue) else "contact_overdue"
        client = e.originator_id
        self._notify(
            tx, e, p, kind, self._advisors(tx, client), f"/clients/{client}",
            client_id=client, due_on=e.due_on, tier=e.tier,
        )  # fmt: skip

    def entered_segment(self, tx: Tx, e: Client.EnteredSegment, position: int) -> None:
        if e.segment not in self.warn_segments:
            return
        client = e.originator_id
        self._notify(
            tx, e, position, "churn_warning", self._advisors(tx, client), f"/clients/{client}",
            client_id=client, score=e.facts.get("churn_score", ""),
        )  # fmt: skip

    def tier_suggested(self, tx: Tx, e: Client.TierSuggested, position: int) -> None:
        client = e.originator_id
        self._notify(
            tx, e, position, "tier_suggested", self._advisors(tx, client), f"/clients/{client}",
            client_id=client, tier=e.tier, previous_tier=e.previous_tier,
        )  # fmt: skip

    def assessment(
        self, tx: Tx, e: RiskAssessment.ReviewFellDue | RiskAssessment.Expired, p: int
    ) -> None:
        due = isinstance(e, RiskAssessment.ReviewFellDue)
        kind = "assessment_review_due" if due else "assessment_expired"
        when = e.due_at if isinstance(e, RiskAssessment.ReviewFellDue) else e.expires_at
        self._notify(
            tx, e, p, kind, self._advisors(tx, e.client_id), f"/clients/{e.client_id}",
            client_id=e.client_id, on=when.date(),
        )  # fmt: skip

    # -- purchases -------------------------------------------------------------------

    def purchase_requested(self, tx: Tx, e: Purchase.Requested, _: int) -> None:
        self._keep(
            tx, e.originator_id, "purchase", branch=e.branch, owner=e.meta.actor,
            label=f"{e.client_id}|{e.fund_code}",
        )  # fmt: skip

    def purchase_lapsing(self, tx: Tx, e: Purchase.LapseNear, position: int) -> None:
        purchase = self._subject(tx, e.originator_id)
        client, fund = (purchase["label"] or "|").split("|")
        self._notify(
            tx, e, position, "purchase_lapsing", [Audience(account=purchase["owner"])],
            f"/purchases/{e.originator_id}", client_id=client, fund_code=fund,
            confirm_by=utc_text(e.confirm_by),
        )  # fmt: skip

    # -- tickets ---------------------------------------------------------------------

    def _workers(self, ticket: dict[str, Any]) -> list[Audience]:
        """The assignee, or the people of the ticket's layer (a ticket of no branch at the
        branch layer: the administrators, as no branch's advisors see it)."""
        if ticket["owner"]:
            return [Audience(account=ticket["owner"])]
        role, of_branch = LAYER_PEOPLE.get(ticket["layer"] or "", (Role.ADMIN, False))
        if of_branch and ticket["branch"] is None:
            role, of_branch = Role.ADMIN, False
        return [Audience(role=role.value, branch=ticket["branch"] if of_branch else None)]

    def ticket_opened(self, tx: Tx, e: Ticket.Opened, _: int) -> None:
        self._keep(
            tx, e.originator_id, "ticket", branch=e.branch, layer=e.group, label=e.number
        )  # fmt: skip

    def ticket_assigned(self, tx: Tx, e: Ticket.Assigned, _: int) -> None:
        self._change(tx, e.originator_id, owner=e.assignee, layer=e.group)

    def ticket_breached(self, tx: Tx, e: Ticket.BreachRecorded, position: int) -> None:
        ticket = self._subject(tx, e.originator_id)
        self._notify(
            tx, e, position, "sla_breached", self._workers(ticket), f"/tickets/{e.originator_id}",
            number=ticket["label"], clock=e.kind,
        )  # fmt: skip

    def ticket_escalated(self, tx: Tx, e: Ticket.Escalated, position: int) -> None:
        """The layer the ticket went to hears of it (its assignee, when it has one)."""
        self._change(tx, e.originator_id, layer=e.to_group)
        ticket = self._subject(tx, e.originator_id)
        self._notify(
            tx, e, position, "ticket_escalated", self._workers(ticket),
            f"/tickets/{e.originator_id}", number=ticket["label"], to_group=e.to_group,
        )  # fmt: skip

    # -- suppliers and plans ---------------------------------------------------------

    def supplier_registered(self, tx: Tx, e: Supplier.Registered, _: int) -> None:
        self._keep(tx, e.originator_id, "supplier", label=e.name)

    def reaudit(
        self, tx: Tx, e: Supplier.ReauditFellDue | Supplier.ReauditBecameOverdue, p: int
    ) -> None:
        due = isinstance(e, Supplier.ReauditFellDue)
        self._notify(
            tx, e, p, "reaudit_due" if due else "reaudit_overdue",
            [Audience(role=Role.QUALITY.value)], f"/suppliers/{e.originator_id}",
            supplier=self._subject(tx, e.originator_id)["label"], due_on=e.due_at,
        )  # fmt: skip

    def plan_planned(self, tx: Tx, e: CQPPlan.Planned, _: int) -> None:
        self._keep(tx, e.originator_id, "plan", label=f"{e.programme} · {e.component}")

    def plan_team(self, tx: Tx, e: CQPPlan.TeamSet, _: int) -> None:
        """A plan's MPLs by name: a name that is a username reaches that person."""
        names = sorted({m.name.strip().lower() for m in e.members if m.role.upper() == "MPL"})
        self._change(tx, e.originator_id, people=json.dumps(names))

    def account_registered(self, tx: Tx, e: StaffUser.Registered, _: int) -> None:
        self._keep(tx, e.originator_id, "account", label=e.username)

    def milestone_overdue(self, tx: Tx, e: CQPPlan.MilestoneBecameOverdue, position: int) -> None:
        """The plan's MPLs who have accounts hear of it; with none, every MPL does."""
        plan = self._subject(tx, e.originator_id)
        names = json.loads(plan.get("people") or "[]")
        known = (
            tx.query(
                f"SELECT label FROM {self.t('view_inbox_subjects')} WHERE kind = 'account' "
                f"AND label IN ({', '.join('?' for _ in names)}) ORDER BY label",
                names,
            )
            if names
            else []
        )
        people = [Audience(username=r["label"]) for r in known] or [Audience(role=Role.MPL.value)]
        self._notify(
            tx, e, position, "milestone_overdue", people, f"/cqp/{e.originator_id}",
            plan=plan["label"], milestone=e.milestone, planned=e.planned,
        )  # fmt: skip

    # -- read marks ------------------------------------------------------------------

    def _mark(self, tx: Tx, account: str) -> None:
        if not tx.query(
            f"SELECT 1 FROM {self.t('view_inbox_marks')} WHERE account = ?", (account,)
        ):
            tx.execute(
                f"INSERT INTO {self.t('view_inbox_marks')} (account, read_up_to) VALUES (?, 0)",
                (account,),
            )

    def inbox_opened(self, tx: Tx, e: Inbox.Opened, _: int) -> None:
        self._keep(tx, e.originator_id, "inbox", owner=str(e.account_id))

    def read(self, tx: Tx, e: Inbox.Read, _: int) -> None:
        account = self._account_of(tx, e)
        tx.executemany(
            f"INSERT INTO {self.t('view_inbox_read')} (account, notification) VALUES (?, ?)",
            [(account, str(n)) for n in e.notifications],
        )

    def all_read(self, tx: Tx, e: Inbox.AllRead, _: int) -> None:
        account = self._account_of(tx, e)
        self._mark(tx, account)
        tx.execute(
            f"UPDATE {self.t('view_inbox_marks')} SET read_up_to = ? WHERE account = ?",
            (e.up_to, account),
        )
        tx.execute(f"DELETE FROM {self.t('view_inbox_read')} WHERE account = ?", (account,))

    def digest_sent(self, tx: Tx, e: Inbox.DigestSent, _: int) -> None:
        account = self._account_of(tx, e)
        self._mark(tx, account)
        tx.execute(
            f"UPDATE {self.t('view_inbox_marks')} SET digest_on = ? WHERE account = ?",
            (e.on.isoformat(), account),
        )

    def _account_of(self, tx: Tx, e: Any) -> str:
        """The account whose inbox recorded the event."""
        return str(self._subject(tx, e.originator_id)["owner"])

    # -- reads -----------------------------------------------------------------------

    def _theirs(self, reader: Reader) -> tuple[str, list[Any]]:
        return (
            "(account = ? OR username = ? OR (account IS NULL AND username IS NULL "
            "AND role = ? AND (branch IS NULL OR branch = ?)))",
            [reader.account_id, reader.username, reader.role, reader.branch],
        )

    def _unread(self, tx: Tx, reader: Reader) -> tuple[str, list[Any]]:
        marks = tx.query(
            f"SELECT read_up_to FROM {self.t('view_inbox_marks')} WHERE account = ?",
            (reader.account_id,),
        )
        up_to = int(marks[0]["read_up_to"]) if marks else 0
        return (
            f"position > ? AND NOT EXISTS (SELECT 1 FROM {self.t('view_inbox_read')} r "
            "WHERE r.account = ? AND r.notification = n.id)",
            [up_to, reader.account_id],
        )

    def notifications(
        self, db: ViewDatabase, reader: Reader, unread: bool, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The reader's notifications, the newest first, each with whether it is read."""
        order = ("position", "id")
        page, page_params = after(order, cursor, descending=True)
        theirs, params = self._theirs(reader)
        with db.read() as tx:
            new, new_params = self._unread(tx, reader)
            where = f"{theirs} AND {page}" + (f" AND {new}" if unread else "")
            rows = tx.query(
                f"SELECT n.*, CASE WHEN {new} THEN 0 ELSE 1 END AS is_read "
                f"FROM {self.t('view_notifications')} n WHERE {where} "
                "ORDER BY position DESC, id DESC LIMIT ?",
                (*new_params, *params, *page_params, *(new_params if unread else []), limit + 1),
            )
        found, next_cursor = cut(rows, limit, order)
        return [_notification(r) for r in found], next_cursor

    def unread_count(self, db: ViewDatabase, reader: Reader, cap: int = COUNT_CAP) -> int:
        """How many unread notifications the reader has, counted up to ``cap``."""
        theirs, params = self._theirs(reader)
        with db.read() as tx:
            new, new_params = self._unread(tx, reader)
            [row] = tx.query(
                f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM {self.t('view_notifications')} n "
                f"WHERE {theirs} AND {new} LIMIT ?) q",
                (*params, *new_params, cap),
            )
        return int(row["n"])

    def one(self, db: ViewDatabase, reader: Reader, notification: UUID) -> dict[str, Any] | None:
        """One of the reader's notifications (None if it is not theirs)."""
        theirs, params = self._theirs(reader)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT n.* FROM {self.t('view_notifications')} n WHERE id = ? AND {theirs}",
                (str(notification), *params),
            )
        return _notification({**rows[0], "is_read": 0}) if rows else None

    def newest(self, db: ViewDatabase, reader: Reader) -> int:
        """The position of the reader's newest notification (0: none)."""
        theirs, params = self._theirs(reader)
        with db.read() as tx:
            [row] = tx.query(
                f"SELECT MAX(position) AS p FROM {self.t('view_notifications')} WHERE {theirs}",
                params,
            )
        return int(row["p"] or 0)

    def digest_on(self, db: ViewDatabase, account_id: str) -> str | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT digest_on FROM {self.t('view_inbox_marks')} WHERE account = ?",
                (account_id,),
            )
        return rows[0]["digest_on"] if rows else None


def _notification(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "facts": json.loads(row["facts"]), "read": bool(row.pop("is_read"))}


def warning_segments(policy: CoveragePolicy) -> tuple[str, ...]:
    """The segments whose members are warned of: those bounded by the churn score."""
    return tuple(s.name for s in policy.segments if "churn_score" in s.condition)
