"""The contact plans' view (沟通计划): each client's last contact (or registration, before
the first) and the reminders recorded for it, and each contact made, with the contact it
followed, to tell how many were on time.

Days are ordinals (``date.toordinal``): the plan's cadence is a policy, so the due day is
computed in each query (``since_day`` plus the tier's days), never stored; a new cadence
needs no rebuild. A day is the business's (the settings' time zone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from adapters.shared.settings import Settings
from adapters.shared.sql import Tx, ViewDatabase
from domain.clients import Client, ContactPolicy
from projections.shared.base import View, utc_text
from projections.shared.paging import after, cut


def _due(policy: ContactPolicy, since: str = "since_day") -> tuple[str, list[Any]]:
    """The SQL of the due day (an ordinal) by the client's tier, and its parameters."""
    whens = " ".join("WHEN ? THEN ?" for _ in policy.every_days)
    params: list[Any] = [v for tier, days in policy.every_days.items() for v in (tier, days)]
    return f"{since} + CASE tier {whens} ELSE ? END", [*params, policy.cadence("")]


class ContactsView(View):
    name = "contacts"
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

    def registered(self, tx: Tx, e: Client.Registered, _: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_contact_plan')} (client_id, branch, tier, since_day) "
            "VALUES (?, ?, ?, ?)",
            (str(e.originator_id), e.branch, e.tier, self._day(e.timestamp)),
        )

    def tier_changed(self, tx: Tx, e: Client.TierChanged, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_contact_plan')} SET tier = ? WHERE client_id = ?",
            (e.tier, str(e.originator_id)),
        )

    def contacted(self, tx: Tx, e: Client.InteractionLogged, position: int) -> None:
        """A contact on a later day than the last starts the next period (one logged late,
        for an earlier day, changes nothing)."""
        client, day = str(e.originator_id), self._day(e.occurred_at)
        rows = tx.query(
            f"SELECT branch, tier, since_day FROM {self.t('view_contact_plan')} "
            "WHERE client_id = ?",
            (client,),
        )
        if not rows or day <= rows[0]["since_day"]:
            return
        plan = rows[0]
        tx.execute(
            f"INSERT INTO {self.t('view_contacts_made')} (position, client_id, branch, tier, "
            "since_day, contact_day) VALUES (?, ?, ?, ?, ?, ?)",
            (position, client, plan["branch"], plan["tier"], plan["since_day"], day),
        )
        tx.execute(
            f"UPDATE {self.t('view_contact_plan')} SET since_day = ?, last_contact_at = ?, "
            "last_contact_by = ?, flagged = NULL, flagged_due_day = NULL WHERE client_id = ?",
            (day, utc_text(e.occurred_at), e.meta.actor, client),
        )

    def flagged(
        self, tx: Tx, e: Client.ContactFellDue | Client.ContactBecameOverdue, _: int
    ) -> None:
        stage = "due" if isinstance(e, Client.ContactFellDue) else "overdue"
        tx.execute(
            f"UPDATE {self.t('view_contact_plan')} SET flagged = ?, flagged_due_day = ? "
            "WHERE client_id = ?",
            (stage, e.due_on.toordinal(), str(e.originator_id)),
        )

    def erased(self, tx: Tx, e: Client.PersonalDataErased, _: int) -> None:
        """An erased client is no longer contacted."""
        tx.execute(
            f"DELETE FROM {self.t('view_contact_plan')} WHERE client_id = ?",
            (str(e.originator_id),),
        )

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
