"""The client views: the registry list and detail, tags, and the interaction log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.sql import Tx, ViewDatabase
from domain.clients.registry import CONTACT_FIELDS, Client
from domain.clients.risk import RiskAssessment, status
from domain.shared.base import ERASED
from projections.shared.base import View, fragment
from projections.shared.paging import after, cut

# ``status`` (domain.clients.risk) as conditions on the view's columns, both dates being
# set together; ``attention`` is review due or expired. ISO strings in UTC compare in order.
RISK_STATUS = {
    "none": "c.risk_expires_at IS NULL",
    "valid": "c.risk_review_due_at > ?",
    "review_due": "c.risk_review_due_at <= ? AND c.risk_expires_at > ?",
    "expired": "c.risk_expires_at <= ?",
    "attention": "c.risk_review_due_at <= ?",
}


# A client's interactions counted and the latest kept (parameters: how many, the latest
# twice).
INTERACTIONS = (
    "interaction_count = interaction_count + ?, last_interaction_at = CASE WHEN "
    "last_interaction_at IS NULL OR last_interaction_at < ? THEN ? ELSE last_interaction_at END"
)


def mask(id_number: str) -> str:
    """Keep only the last 4 characters of an identity number (an erased one reads erased)."""
    if id_number == ERASED:
        return ERASED
    return "*" * max(len(id_number) - 4, 0) + id_number[-4:]


class ClientsView(View):
    name = "clients"
    schema_version = 4
    tables: ClassVar[dict[str, list[str]]] = {
        "view_clients": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, name TEXT NOT NULL, "
            "name_lc TEXT NOT NULL, id_number_masked TEXT NOT NULL, phone TEXT NOT NULL, "
            "email TEXT NOT NULL, address TEXT NOT NULL, branch TEXT NOT NULL, "
            "tier TEXT NOT NULL, investor_type TEXT NOT NULL, tags TEXT NOT NULL, "
            "interaction_count INTEGER NOT NULL, last_interaction_at TEXT, "
            "feedback_count INTEGER NOT NULL, rating_sum INTEGER NOT NULL, "
            "version INTEGER NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "exempt INTEGER NOT NULL DEFAULT 0, exemption_reason TEXT, "
            "risk_assessment_id TEXT, risk_level TEXT, risk_score INTEGER, risk_horizon TEXT, "
            "risk_varieties TEXT, risk_lowest INTEGER, risk_assessed_at TEXT, "
            "risk_review_due_at TEXT, risk_expires_at TEXT, risk_reminder TEXT, "
            "risk_check_at TEXT, erased_at TEXT)",
            "CREATE INDEX {ix}_seq ON {t} (seq)",
            "CREATE INDEX {ix}_risk_check ON {t} (risk_check_at)",
            "CREATE INDEX {ix}_branch ON {t} (branch, seq)",
            "CREATE INDEX {ix}_erased ON {t} (id) WHERE erased_at IS NOT NULL",
        ],
        "view_client_tags": [
            "CREATE TABLE {t} (client_id TEXT NOT NULL, tag TEXT NOT NULL, "
            "PRIMARY KEY (client_id, tag))",
            "CREATE INDEX {ix}_tag ON {t} (tag, client_id)",
        ],
        "view_client_interactions": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, client_id TEXT NOT NULL, "
            "channel TEXT NOT NULL, summary TEXT NOT NULL, occurred_at TEXT NOT NULL, "
            "logged_by TEXT NOT NULL)",
            "CREATE INDEX {ix}_client ON {t} (client_id, position)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Client.Registered: "registered",
        Client.ContactDetailsChanged: "contact_changed",
        Client.TierChanged: "tier_changed",
        Client.Retagged: "retagged",
        Client.InteractionLogged: "interaction_logged",
        Client.FeedbackRecorded: "feedback_recorded",
        Client.AssessmentRecorded: "assessment_recorded",
        Client.SuitabilityExemptionRecorded: "exemption_recorded",
        Client.PersonalDataErased: "erased",
        RiskAssessment.Assessed: "assessed",
        RiskAssessment.ProfileConfirmed: "profile_confirmed",
        RiskAssessment.ReviewFellDue: "review_due",
        RiskAssessment.Expired: "expired",
    }

    # -- writes: a batch, a run of interactions at once --------------------------------

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """Apply a batch in order, the interactions logged in a row at once: their rows in
        one statement, each client's count and dates in one more (most of a client's
        events are interactions)."""
        self.apply_runs(tx, batch, Client.InteractionLogged, self._interactions)

    def _interactions(self, tx: Tx, run: list[tuple[Client.InteractionLogged, int]]) -> None:
        if not run:
            return
        rows = []
        clients: dict[str, tuple[int, str, int, str]] = {}  # count, latest, version, at
        for e, position in run:
            client, occurred = str(e.originator_id), e.occurred_at.isoformat()
            rows.append((position, client, e.channel.value, e.summary, occurred, e.meta.actor))
            count, latest, _, _ = clients.get(client, (0, "", 0, ""))
            clients[client] = (
                count + 1,
                max(latest, occurred),
                e.originator_version,
                e.timestamp.isoformat(),
            )
        tx.insert(
            self.t("view_client_interactions"),
            ("position", "client_id", "channel", "summary", "occurred_at", "logged_by"),
            rows,
        )
        tx.executemany(
            f"UPDATE {self.t('view_clients')} SET {INTERACTIONS}, version = ?, updated_at = ? "
            "WHERE id = ?",
            [(n, latest, latest, v, at, client) for client, (n, latest, v, at) in clients.items()],
        )

    # -- writes, one per event ------------------------------------------------------

    def registered(self, tx: Tx, e: Client.Registered, position: int) -> None:
        at = e.timestamp.isoformat()
        tx.execute(
            f"INSERT INTO {self.t('view_clients')} (id, seq, name, name_lc, id_number_masked, "
            "phone, email, address, branch, tier, investor_type, tags, interaction_count, "
            "feedback_count, rating_sum, version, registered_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 0, 0, 0, ?, ?, ?)",
            (
                str(e.originator_id),
                position,
                e.name,
                e.name.lower(),
                mask(e.id_number),
                e.phone,
                e.email,
                e.address,
                e.branch,
                e.tier,
                e.investor_type.value,
                e.originator_version,
                at,
                at,
            ),
        )

    def _touch(self, tx: Tx, e: Any, sets: str = "", params: tuple[Any, ...] = ()) -> None:
        tx.execute(
            f"UPDATE {self.t('view_clients')} SET {sets}version = ?, updated_at = ? WHERE id = ?",
            (*params, e.originator_version, e.timestamp.isoformat(), str(e.originator_id)),
        )

    def contact_changed(self, tx: Tx, e: Client.ContactDetailsChanged, _: int) -> None:
        changes = dict(e.changes)
        if "name" in changes:
            changes["name_lc"] = changes["name"].lower()
        sets = "".join(f"{field} = ?, " for field in changes)
        self._touch(tx, e, sets, tuple(changes.values()))

    def tier_changed(self, tx: Tx, e: Client.TierChanged, _: int) -> None:
        self._touch(tx, e, "tier = ?, ", (e.tier,))

    def retagged(self, tx: Tx, e: Client.Retagged, _: int) -> None:
        client_id = str(e.originator_id)
        tags = self.t("view_client_tags")
        tx.execute(f"DELETE FROM {tags} WHERE client_id = ?", (client_id,))
        tx.executemany(
            f"INSERT INTO {tags} (client_id, tag) VALUES (?, ?)",
            [(client_id, tag) for tag in e.tags],
        )
        self._touch(tx, e, "tags = ?, ", (json.dumps(e.tags),))

    def interaction_logged(self, tx: Tx, e: Client.InteractionLogged, position: int) -> None:
        self._interactions(tx, [(e, position)])

    def feedback_recorded(self, tx: Tx, e: Client.FeedbackRecorded, _: int) -> None:
        self._touch(
            tx, e, "feedback_count = feedback_count + 1, rating_sum = rating_sum + ?, ", (e.rating,)
        )

    def assessment_recorded(self, tx: Tx, e: Client.AssessmentRecorded, _: int) -> None:
        self._touch(tx, e)

    def exemption_recorded(self, tx: Tx, e: Client.SuitabilityExemptionRecorded, _: int) -> None:
        self._touch(tx, e, "exempt = 1, exemption_reason = ?, ", (e.reason,))

    def erased(self, tx: Tx, e: Client.PersonalDataErased, _: int) -> None:
        client_id = str(e.originator_id)
        tx.execute(
            f"UPDATE {self.t('view_client_interactions')} SET summary = ? WHERE client_id = ?",
            (ERASED, client_id),
        )
        fields = (*CONTACT_FIELDS, "name_lc", "id_number_masked")
        sets = "".join(f"{field} = ?, " for field in fields)
        self._touch(
            tx, e, f"{sets}erased_at = ?, ", (*(ERASED for _ in fields), e.timestamp.isoformat())
        )

    def erased_clients(self, db: ViewDatabase, after: str, limit: int) -> list[UUID]:
        """Erased clients in id order after ``after`` (the scheduler's sweep of keys)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id FROM {self.t('view_clients')} WHERE erased_at IS NOT NULL "
                "AND id > ? ORDER BY id LIMIT ?",
                (after, limit),
            )
        return [UUID(r["id"]) for r in rows]

    def coverage_rows(
        self, db: ViewDatabase, branch: str | None, client_id: str | None = None
    ) -> list[dict[str, Any]]:
        """What coverage reads of each client not erased (of one branch, or the one
        client, when given)."""
        extra, params = ("AND branch = ? ", (branch,)) if branch else ("", ())
        if client_id is not None:
            extra, params = f"{extra}AND id = ? ", (*params, client_id)
        with db.read() as tx:
            return tx.query(
                f"SELECT id, branch, tier, registered_at, last_interaction_at, "
                f"risk_review_due_at, risk_expires_at FROM {self.t('view_clients')} "
                f"WHERE erased_at IS NULL {extra}ORDER BY id",
                params,
            )

    def client_ids(self, db: ViewDatabase, after: str, limit: int) -> list[UUID]:
        """Clients not erased, in id order after ``after`` (a migration's sweep)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id FROM {self.t('view_clients')} WHERE erased_at IS NULL "
                "AND id > ? ORDER BY id LIMIT ?",
                (after, limit),
            )
        return [UUID(r["id"]) for r in rows]

    def assessed(self, tx: Tx, e: RiskAssessment.Assessed, _: int) -> None:
        # The assessment's own version is not the client's: only the risk columns change.
        tx.execute(
            f"UPDATE {self.t('view_clients')} SET risk_assessment_id = ?, risk_level = ?, "
            "risk_score = ?, risk_horizon = ?, risk_varieties = ?, risk_lowest = ?, "
            "risk_assessed_at = ?, risk_review_due_at = ?, risk_expires_at = ?, "
            "risk_reminder = NULL, risk_check_at = ? WHERE id = ?",
            (
                str(e.originator_id),
                e.level.value,
                e.score,
                e.horizon.value,
                json.dumps([v.value for v in e.varieties]),
                int(e.lowest_category),
                e.assessed_at.isoformat(),
                e.review_due_at.isoformat(),
                e.expires_at.isoformat(),
                e.review_due_at.isoformat(),
                str(e.client_id),
            ),
        )

    def profile_confirmed(self, tx: Tx, e: RiskAssessment.ProfileConfirmed, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_clients')} SET risk_review_due_at = ?, "
            "risk_reminder = NULL, risk_check_at = ? WHERE id = ? AND risk_assessment_id = ?",
            (
                e.review_due_at.isoformat(),
                e.review_due_at.isoformat(),
                str(e.client_id),
                str(e.originator_id),
            ),
        )

    def review_due(self, tx: Tx, e: RiskAssessment.ReviewFellDue, _: int) -> None:
        # The reminder the advisor sees; the next check is the expiry.
        tx.execute(
            f"UPDATE {self.t('view_clients')} SET risk_reminder = 'review_due', "
            "risk_check_at = risk_expires_at WHERE id = ? AND risk_assessment_id = ?",
            (str(e.client_id), str(e.originator_id)),
        )

    def expired(self, tx: Tx, e: RiskAssessment.Expired, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_clients')} SET risk_reminder = 'expired', "
            "risk_check_at = NULL WHERE id = ? AND risk_assessment_id = ?",
            (str(e.client_id), str(e.originator_id)),
        )

    def assessments_to_check(self, db: ViewDatabase, now: datetime, limit: int) -> list[UUID]:
        """Current assessments with a review or expiry to flag by ``now`` (the scheduler's)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT risk_assessment_id FROM {self.t('view_clients')} "
                "WHERE risk_check_at <= ? ORDER BY risk_check_at LIMIT ?",
                (now.isoformat(), limit),
            )
        return [UUID(r["risk_assessment_id"]) for r in rows]

    # -- reads ------------------------------------------------------------------------

    def get(self, db: ViewDatabase, client_id: UUID) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_clients')} WHERE id = ?", (str(client_id),)
            )
        return _client(rows[0]) if rows else None

    def search(
        self,
        db: ViewDatabase,
        *,
        q: str | None = None,
        branch: str | None = None,
        tier: str | None = None,
        investor_type: str | None = None,
        tag: str | None = None,
        risk: str | None = None,
        now: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Clients in registration order, filtered; the cursor continues the list. ``risk``
        is an assessment status at ``now`` (``risk_status``), or ``attention`` for both
        review due and expired."""
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if risk is not None:
            if now is None:
                msg = "an assessment status is read at an instant: give now"
                raise ValueError(msg)
            condition = RISK_STATUS[risk]
            where.append(condition)
            params += [now.astimezone(UTC).isoformat()] * condition.count("?")
        for column, value in (("branch", branch), ("tier", tier), ("investor_type", investor_type)):
            if value is not None:
                where.append(f"c.{column} = ?")
                params.append(value)
        if q:
            where.append("(c.name_lc LIKE ? OR c.phone LIKE ?)")
            params += [f"%{fragment(q.lower())}%", f"%{fragment(q)}%"]
        if tag is not None:
            where.append(
                f"EXISTS (SELECT 1 FROM {self.t('view_client_tags')} g "
                "WHERE g.client_id = c.id AND g.tag = ?)"
            )
            params.append(tag.lower())
        later, more = after(("c.seq",), cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_clients')} c WHERE {' AND '.join([*where, later])} "
                "ORDER BY c.seq LIMIT ?",
                (*params, *more, limit + 1),
            )
        page, next_cursor = cut(rows, limit, ("seq",))
        return [_client(r) for r in page], next_cursor

    def branches(self, db: ViewDatabase) -> list[str]:
        """Every branch some client belongs to."""
        with db.read() as tx:
            rows = tx.query(f"SELECT DISTINCT branch FROM {self.t('view_clients')}")
        return sorted(r["branch"] for r in rows)

    def count_by_branch(self, db: ViewDatabase) -> dict[str, int]:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT branch, COUNT(*) AS n FROM {self.t('view_clients')} GROUP BY branch"
            )
        return {r["branch"]: int(r["n"]) for r in rows}

    def names(self, db: ViewDatabase, ids: list[str]) -> dict[str, str]:
        """Client names by id, for registers that list clients."""
        return self._column(db, ids, "name")

    def branches_of(self, db: ViewDatabase, ids: list[str]) -> dict[str, str]:
        """The branch of each client, by id (to keep a list within a branch)."""
        return self._column(db, ids, "branch")

    def _column(self, db: ViewDatabase, ids: list[str], column: str) -> dict[str, str]:
        unique = sorted(set(ids))
        if not unique:
            return {}
        marks = ", ".join("?" for _ in unique)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id, {column} FROM {self.t('view_clients')} WHERE id IN ({marks})",
                unique,
            )
        return {r["id"]: r[column] for r in rows}

    def latest_interactions(
        self, db: ViewDatabase, client_id: UUID, count: int
    ) -> list[dict[str, Any]]:
        with db.read() as tx:
            return tx.query(
                f"SELECT * FROM {self.t('view_client_interactions')} WHERE client_id = ? "
                "ORDER BY position DESC LIMIT ?",
                (str(client_id), count),
            )

    def interactions(
        self, db: ViewDatabase, client_id: UUID, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        later, more = after(("position",), cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_client_interactions')} WHERE client_id = ? "
                f"AND {later} ORDER BY position LIMIT ?",
                (str(client_id), *more, limit + 1),
            )
        return cut(rows, limit, ("position",))


def _client(row: dict[str, Any]) -> dict[str, Any]:
    client = dict(row)
    client["tags"] = json.loads(client["tags"])
    client.pop("name_lc")
    count = client.pop("feedback_count")
    total = client.pop("rating_sum")
    client["feedback"] = {"count": count, "mean_rating": round(total / count, 2) if count else None}
    client["suitability_exemption"] = {
        "exempt": bool(client.pop("exempt")),
        "reason": client.pop("exemption_reason"),
    }
    risk = {
        key.removeprefix("risk_"): client.pop(key)
        for key in list(client)
        if key.startswith("risk_")
    }
    if risk["assessment_id"] is None:
        client["risk"] = None
    else:
        risk.pop("check_at")
        risk["varieties"] = json.loads(risk["varieties"])
        risk["lowest_category"] = bool(risk.pop("lowest"))
        client["risk"] = risk
    return client


def risk_status(risk: dict[str, Any] | None, now: datetime) -> str:
    """The status of a client's assessment (as the view holds it) as of ``now``."""
    risk = risk or {}
    due, expires = (
        datetime.fromisoformat(risk[k]) if risk.get(k) else None
        for k in ("review_due_at", "expires_at")
    )
    return status(now, due, expires)
