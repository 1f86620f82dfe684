"""The contact plans' view (沟通计划): each client's last contact (or registration, before
the first) and the reminders recorded for it, and each contact made, with the contact it
followed, to tell how many were on time.

Days are ordinals (``date.toordinal``): the plan's cadence is a policy, so the due day is
computed in each query (``since_day`` plus the tier's days), never stored; a new cadence
needs no rebuild. A day is the business's (the settings' time zone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from adapters.shared.settings import Settings
from adapters.shared.sql import Tx, ViewDatabase
from domain.clients import Client, ContactPolicy
from projections.shared.base import View, rows_by_id, utc_text
from projections.shared.paging import after, cut


def _due(policy: ContactPolicy, since: str = "since_day") -> tuple[str, list[Any]]:
    """The SQL of the due day (an ordinal) by the client's tier, and its parameters."""
    whens = " ".join("WHEN ? THEN ?" for _ in policy.every_days)
    params: list[Any] = [v for tier, days in policy.every_days.items() for v in (tier, days)]
    return f"{since} + CASE tier {whens} ELSE ? END", [*params, policy.cadence("")]


PLAN = (
    "client_id",
    "branch",
    "tier",
    "since_day",
    "last_contact_at",
    "last_contact_by",
    "flagged",
    "flagged_due_day",
)


@dataclass
class _Batch:
    """The plans a batch touches (None: none, or erased), which it changed or erased,
    and the contacts it made."""

    plans: dict[str, dict[str, Any] | None]
    changed: set[str] = field(default_factory=set)
    erased: set[str] = field(default_factory=set)
    made: list[tuple[Any, ...]] = field(default_factory=list)

    def change(self, client: str, **values: Any) -> None:
        """A plan's columns changed (a client without a plan has nothing to change)."""
        plan = self.plans.get(client)
        if plan is not None:
            plan.update(values)
            self.changed.add(client)


class ContactsView(View):
    name = "contacts"
    personal = False  # it reads no personal field
    tables: ClassVar[dict[str, list[str]]] = {
        "view_contact_plan": [
            "CREATE TABLE {t} (client_id TEXT PRIMARY KEY, branch TEXT NOT NULL, "
            "tier TEXT NOT NULL, since_day INTEGER NOT NULL, last_contact_at TEXT, "
            "last_contact_by TEXT, flagged TEXT, flagged_due_day INTEGER)",
            "CREATE INDEX {ix}_tier ON {t} (tier, since_day)",
            "CREATE INDEX {ix}_branch ON {t} (branch, tier, since_day)",
        ],
        # One row per contact that moved a client's last contact on: the day it followed.
        "view_contacts_made": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, client_id TEXT NOT NULL, "
            "branch TEXT NOT NULL, tier TEXT NOT NULL, since_day INTEGER NOT NULL, "
            "contact_day INTEGER NOT NULL)",
            "CREATE INDEX {ix}_day ON {t} (contact_day, branch)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Client.Registered: "registered",
        Client.TierChanged: "tier_changed",
        Client.InteractionLogged: "contacted",
        Client.ContactFellDue: "flagged",
        Client.ContactBecameOverdue: "flagged",
        Client.PersonalDataErased: "erased",
    }

    def __init__(self, suffix: str = "", time_zone: str = "UTC") -> None:
        super().__init__(suffix)
        self.zone = ZoneInfo(time_zone)

    @classmethod
    def configured(cls, settings: Settings) -> ContactsView:
        return cls(time_zone=settings.time_zone)

    def with_suffix(self, suffix: str) -> ContactsView:
        return ContactsView(suffix, str(self.zone))

    def _day(self, at: datetime) -> int:
        return at.astimezone(self.zone).date().toordinal()

    # -- writes: a batch in memory, each plan read and written once ----------------------

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """The plans the batch touches are read in one query, its events change them in
        memory, and each is written once (most events are interactions, many a client)."""
        ids = sorted({str(e.originator_id) for e, _ in batch})
        table = self.t("view_contact_plan")
        plans: dict[str, dict[str, Any] | None] = dict.fromkeys(ids)
        plans.update(rows_by_id(tx, table, ids, ", ".join(PLAN), key="client_id"))
        work = _Batch(plans)
        for event, position in batch:
            getattr(self, self.handlers[type(event)])(work, event, position)
        gone = sorted(work.erased)
        if gone:
            tx.executemany(f"DELETE FROM {table} WHERE client_id = ?", [(i,) for i in gone])
        changed = [plans[i] for i in sorted(work.changed - work.erased)]
        tx.insert(
            table,
            PLAN,
            [tuple(plan[c] for c in PLAN) for plan in changed if plan is not None],
            then="ON CONFLICT (client_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in PLAN[1:]),
        )
        tx.insert(
            self.t("view_contacts_made"),
            ("position", "client_id", "branch", "tier", "since_day", "contact_day"),
            work.made,
        )

    def handle(self, tx: Tx, event: Any, position: int) -> None:
        self.apply(tx, [(event, position)])

    def registered(self, work: _Batch, e: Client.Registered, _: int) -> None:
        client = str(e.originator_id)
        work.plans[client] = {
            "client_id": client,
            "branch": e.branch,
            "tier": e.tier,
            "since_day": self._day(e.timestamp),
            "last_contact_at": None,
            "last_contact_by": None,
            "flagged": None,
            "flagged_due_day": None,
        }
        work.changed.add(client)
        work.erased.discard(client)

    def tier_changed(self, work: _Batch, e: Client.TierChanged, _: int) -> None:
        work.change(str(e.originator_id), tier=e.tier)

    def contacted(self, work: _Batch, e: Client.InteractionLogged, position: int) -> None:
        """A contact on a later day than the last starts the next period (one logged late,
        for an earlier day, changes nothing)."""
        client, day = str(e.originator_id), self._day(e.occurred_at)
        plan = work.plans.get(client)
        if plan is None or day <= plan["since_day"]:
            return
        work.made.append((position, client, plan["branch"], plan["tier"], plan["since_day"], day))
        work.change(
            client,
            since_day=day,
            last_contact_at=utc_text(e.occurred_at),
            last_contact_by=e.meta.actor,
            flagged=None,
            flagged_due_day=None,
        )

    def flagged(
        self, work: _Batch, e: Client.ContactFellDue | Client.ContactBecameOverdue, _: int
    ) -> None:
        stage = "due" if isinstance(e, Client.ContactFellDue) else "overdue"
        work.change(str(e.originator_id), flagged=stage, flagged_due_day=e.due_on.toordinal())

    def erased(self, work: _Batch, e: Client.PersonalDataErased, _: int) -> None:
        """An erased client is no longer contacted."""
        client = str(e.originator_id)
        work.plans[client] = None
        work.erased.add(client)

    # -- reads --------------------------------------------------------------------------

    def to_flag(
        self, db: ViewDatabase, policy: ContactPolicy, today: date, limit: int
    ) -> list[tuple[str, date]]:
        """Clients whose contact falls due within the notice period, or is overdue, with
        no reminder recorded yet for that stage of that due day: (client, due day)."""
        due, params = _due(policy)
        soon, now = today.toordinal() + policy.notice_days, today.toordinal()
        with db.read() as tx:
            rows = tx.query(
                f"SELECT client_id, due FROM (SELECT client_id, flagged, flagged_due_day, "
                f"{due} AS due FROM {self.t('view_contact_plan')}) q WHERE due <= ? AND "
                "(flagged IS NULL OR flagged_due_day <> due OR (flagged = 'due' AND due < ?)) "
                "ORDER BY due, client_id LIMIT ?",
                (*params, soon, now, limit),
            )
        return [(r["client_id"], date.fromordinal(r["due"])) for r in rows]

    def due(
        self,
        db: ViewDatabase,
        policy: ContactPolicy,
        before: date,
        branch: str | None,
        advisor: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Clients due for contact on or before ``before``, the longest overdue first, a
        page at a time; of one branch, or last contacted by one advisor, when given."""
        expression, params = _due(policy)
        order = ("due", "client_id")
        where, cursor_params = after(order, cursor)
        filters = ["due <= ?"]
        values: list[Any] = [before.toordinal()]
        for column, value in (("branch", branch), ("last_contact_by", advisor)):
            if value is not None:
                filters.append(f"{column} = ?")
                values.append(value)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM (SELECT client_id, branch, tier, since_day, last_contact_at, "
                f"last_contact_by, flagged, {expression} AS due "
                f"FROM {self.t('view_contact_plan')}) q WHERE {' AND '.join(filters)} "
                f"AND {where} ORDER BY due, client_id LIMIT ?",
                (*params, *values, *cursor_params, limit + 1),
            )
        return cut(rows, limit, order)

    def plan_of(self, db: ViewDatabase, client_id: str) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_contact_plan')} WHERE client_id = ?", (client_id,)
            )
        return rows[0] if rows else None

    def adherence(
        self, db: ViewDatabase, policy: ContactPolicy, since: date, today: date, branch: str | None
    ) -> dict[str, dict[str, int]]:
        """Per branch: the contacts made since ``since`` on or before their due day
        (``on_time``) and after it (``late``), and the clients overdue today
        (``overdue``), who count as late until contacted."""
        made, made_params = _due(policy)
        scope, scope_params = ("AND branch = ? ", [branch]) if branch else ("", [])
        found: dict[str, dict[str, int]] = {}
        with db.read() as tx:
            contacts = tx.query(
                f"SELECT branch, SUM(CASE WHEN contact_day <= due THEN 1 ELSE 0 END) AS on_time, "
                "SUM(CASE WHEN contact_day > due THEN 1 ELSE 0 END) AS late FROM "
                f"(SELECT branch, contact_day, {made} AS due FROM "
                f"{self.t('view_contacts_made')} WHERE contact_day >= ? {scope}) q "
                "GROUP BY branch",
                (*made_params, since.toordinal(), *scope_params),
            )
            overdue = tx.query(
                f"SELECT branch, COUNT(*) AS n FROM (SELECT branch, {made} AS due FROM "
                f"{self.t('view_contact_plan')} WHERE 1 = 1 {scope}) q WHERE due < ? "
                "GROUP BY branch",
                (*made_params, *scope_params, today.toordinal()),
            )
        for r in contacts:
            found[r["branch"]] = {"on_time": int(r["on_time"]), "late": int(r["late"])}
        for r in overdue:
            found.setdefault(r["branch"], {"on_time": 0, "late": 0})["overdue"] = int(r["n"])
        for counts in found.values():
            counts.setdefault("overdue", 0)
        return found


def share_on_time(counts: dict[str, int]) -> float | None:
    """The share of contacts made on time, the clients overdue counted as late (None with
    nothing to count)."""
    total = counts["on_time"] + counts["late"] + counts["overdue"]
    return counts["on_time"] / total if total else None
