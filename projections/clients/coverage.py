"""The coverage view: each client's segments (since when, on which facts), their tier
suggestion and how it was settled, and their feedback one row each (ratings in time: the
churn score's low ratings)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from adapters.shared.sql import Tx, ViewDatabase, WriteBehind
from domain.clients import Client
from domain.service_desk import Ticket
from projections.shared.base import View, rows_by_id, utc_text
from projections.shared.paging import after, cut

# The events whose rows carry their client's branch.
BRANCHED = (Client.EnteredSegment, Client.TierSuggested, Client.FeedbackRecorded)


class CoverageView(View):
    name = "coverage"
    personal = False  # it reads no personal field
    tables: ClassVar[dict[str, list[str]]] = {
        "view_client_segments": [
            "CREATE TABLE {t} (client_id TEXT NOT NULL, segment TEXT NOT NULL, "
            "branch TEXT NOT NULL, entered_at TEXT NOT NULL, facts TEXT NOT NULL, "
            "PRIMARY KEY (client_id, segment))",
            "CREATE INDEX {ix}_segment ON {t} (segment, entered_at, client_id)",
        ],
        "view_coverage_clients": [
            "CREATE TABLE {t} (client_id TEXT PRIMARY KEY, branch TEXT NOT NULL)",
        ],
        "view_tier_suggestions": [
            "CREATE TABLE {t} (client_id TEXT PRIMARY KEY, branch TEXT NOT NULL, "
            "tier TEXT NOT NULL, previous_tier TEXT NOT NULL, month_ends TEXT NOT NULL, "
            "suggested_at TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, "
            "decided_by TEXT, decided_at TEXT)",
            "CREATE INDEX {ix}_status ON {t} (status, branch, suggested_at)",
        ],
        "view_client_feedback": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, client_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, branch TEXT NOT NULL, rating INTEGER NOT NULL, "
            "topic TEXT NOT NULL, recorded_at TEXT NOT NULL, follow_up TEXT)",
            "CREATE INDEX {ix}_recorded ON {t} (recorded_at)",
            "CREATE UNIQUE INDEX {ix}_version ON {t} (client_id, version)",
            "CREATE INDEX {ix}_unfollowed ON {t} (rating, position) WHERE follow_up IS NULL",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Client.Registered: "registered",
        Client.EnteredSegment: "entered",
        Client.LeftSegment: "left",
        Client.TierSuggested: "suggested",
        Client.TierSuggestionDeclined: "declined",
        Client.TierChanged: "tier_changed",
        Client.FeedbackRecorded: "feedback",
        Ticket.Opened: "ticket_opened",
    }

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """The branches of the clients a batch's events are about, read in one query."""
        if isinstance(tx, WriteBehind):
            ids = sorted({str(e.originator_id) for e, _ in batch if isinstance(e, BRANCHED)})
            found = rows_by_id(tx, self.t("view_coverage_clients"), ids, key="client_id")
            tx.memo.update({("branch", client): row["branch"] for client, row in found.items()})
        super().apply(tx, batch)

    def _branch(self, tx: Tx, client_id: str) -> str:
        if isinstance(tx, WriteBehind) and ("branch", client_id) in tx.memo:
            return str(tx.memo["branch", client_id])
        [row] = tx.query(
            f"SELECT branch FROM {self.t('view_coverage_clients')} WHERE client_id = ?",
            (client_id,),
        )
        return str(row["branch"])

    def registered(self, tx: Tx, e: Client.Registered, _: int) -> None:
        client = str(e.originator_id)
        tx.insert(self.t("view_coverage_clients"), ("client_id", "branch"), [(client, e.branch)])
        if isinstance(tx, WriteBehind):
            tx.memo["branch", client] = e.branch

    def entered(self, tx: Tx, e: Client.EnteredSegment, _: int) -> None:
        client = str(e.originator_id)
        tx.insert(
            self.t("view_client_segments"),
            ("client_id", "segment", "branch", "entered_at", "facts"),
            [(client, e.segment, self._branch(tx, client), utc_text(e.timestamp), _json(e.facts))],
        )

    def left(self, tx: Tx, e: Client.LeftSegment, _: int) -> None:
        tx.execute(
            f"DELETE FROM {self.t('view_client_segments')} WHERE client_id = ? AND segment = ?",
            (str(e.originator_id), e.segment),
        )

    def suggested(self, tx: Tx, e: Client.TierSuggested, _: int) -> None:
        client = str(e.originator_id)
        ends = {day: str(value) for day, value in e.month_ends.items()}
        tx.execute(f"DELETE FROM {self.t('view_tier_suggestions')} WHERE client_id = ?", (client,))
        tx.execute(
            f"INSERT INTO {self.t('view_tier_suggestions')} (client_id, branch, tier, "
            "previous_tier, month_ends, suggested_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending')",
            (
                client,
                self._branch(tx, client),
                e.tier,
                e.previous_tier,
                _json(ends),
                utc_text(e.timestamp),
            ),
        )

    def declined(self, tx: Tx, e: Client.TierSuggestionDeclined, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_tier_suggestions')} SET status = 'declined', reason = ?, "
            "decided_by = ?, decided_at = ? WHERE client_id = ? AND status = 'pending'",
            (e.reason, e.meta.actor, utc_text(e.timestamp), str(e.originator_id)),
        )

    def tier_changed(self, tx: Tx, e: Client.TierChanged, _: int) -> None:
        """A change to the suggested tier accepts it; to another, supersedes it."""
        tx.execute(
            f"UPDATE {self.t('view_tier_suggestions')} SET status = CASE WHEN tier = ? "
            "THEN 'accepted' ELSE 'superseded' END, reason = ?, decided_by = ?, "
            "decided_at = ? WHERE client_id = ? AND status = 'pending'",
            (e.tier, e.reason, e.meta.actor, utc_text(e.timestamp), str(e.originator_id)),
        )

    def feedback(self, tx: Tx, e: Client.FeedbackRecorded, position: int) -> None:
        client = str(e.originator_id)
        tx.insert(
            self.t("view_client_feedback"),
            ("position", "client_id", "version", "branch", "rating", "topic", "recorded_at"),
            [
                (
                    position,
                    client,
                    e.originator_version,
                    self._branch(tx, client),
                    e.rating,
                    e.topic,
                    utc_text(e.timestamp),
                )
            ],
        )

    def ticket_opened(self, tx: Tx, e: Ticket.Opened, _: int) -> None:
        """A follow-up of a feedback: the feedback is followed up."""
        if e.follows_feedback is None or e.client_id is None:
            return
        tx.execute(
            f"UPDATE {self.t('view_client_feedback')} SET follow_up = ? "
            "WHERE client_id = ? AND version = ?",
            (str(e.originator_id), str(e.client_id), e.follows_feedback),
        )

    # -- reads --------------------------------------------------------------------------

    def segments(self, db: ViewDatabase, branch: str | None) -> dict[str, set[str]]:
        """Each client's segments (of one branch when given)."""
        where, params = ("branch = ?", (branch,)) if branch else ("1 = 1", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT client_id, segment FROM {self.t('view_client_segments')} WHERE {where}",
                params,
            )
        found: dict[str, set[str]] = {}
        for r in rows:
            found.setdefault(r["client_id"], set()).add(r["segment"])
        return found

    def of_client(self, db: ViewDatabase, client_id: str) -> list[dict[str, Any]]:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT segment, entered_at, facts FROM {self.t('view_client_segments')} "
                "WHERE client_id = ? ORDER BY segment",
                (client_id,),
            )
        return [{**r, "facts": json.loads(r["facts"])} for r in rows]

    def counts(self, db: ViewDatabase, branch: str | None) -> dict[str, int]:
        where, params = ("branch = ?", (branch,)) if branch else ("1 = 1", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT segment, COUNT(*) AS n FROM {self.t('view_client_segments')} "
                f"WHERE {where} GROUP BY segment",
                params,
            )
        return {r["segment"]: int(r["n"]) for r in rows}

    def counts_by_branch(self, db: ViewDatabase, branch: str | None) -> dict[str, dict[str, int]]:
        """Each branch's count of members per segment (one branch's when given)."""
        where, params = ("branch = ?", (branch,)) if branch else ("1 = 1", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT branch, segment, COUNT(*) AS n FROM {self.t('view_client_segments')} "
                f"WHERE {where} GROUP BY branch, segment",
                params,
            )
        found: dict[str, dict[str, int]] = {}
        for r in rows:
            found.setdefault(r["branch"], {})[r["segment"]] = int(r["n"])
        return found

    def members(
        self, db: ViewDatabase, segment: str, branch: str | None, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A segment's members, the longest in it first, a page at a time."""
        order = ("entered_at", "client_id")
        where, params = after(order, cursor)
        extra, more = ("AND branch = ? ", (branch,)) if branch else ("", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT client_id, branch, entered_at, facts FROM "
                f"{self.t('view_client_segments')} WHERE segment = ? {extra}AND {where} "
                "ORDER BY entered_at, client_id LIMIT ?",
                (segment, *more, *params, limit + 1),
            )
        page, next_cursor = cut(rows, limit, order)
        return [{**r, "facts": json.loads(r["facts"])} for r in page], next_cursor

    def settled_or_pending(self, db: ViewDatabase) -> dict[str, str]:
        """Each client's tier suggested and pending or declined: the segment job does not
        suggest it again."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT client_id, tier FROM {self.t('view_tier_suggestions')} "
                "WHERE status IN ('pending', 'declined')"
            )
        return {r["client_id"]: r["tier"] for r in rows}

    def suggestion_of(self, db: ViewDatabase, client_id: str) -> dict[str, Any] | None:
        """The client's pending tier suggestion, if any."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tier_suggestions')} WHERE client_id = ? "
                "AND status = 'pending'",
                (client_id,),
            )
        return {**rows[0], "month_ends": json.loads(rows[0]["month_ends"])} if rows else None

    def suggestions(self, db: ViewDatabase, branch: str | None) -> list[dict[str, Any]]:
        """The pending tier suggestions (of one branch when given), the oldest first."""
        extra, params = ("AND branch = ? ", (branch,)) if branch else ("", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_tier_suggestions')} WHERE status = 'pending' "
                f"{extra}ORDER BY suggested_at, client_id",
                params,
            )
        return [{**r, "month_ends": json.loads(r["month_ends"])} for r in rows]

    def unfollowed(self, db: ViewDatabase, at_most: int, limit: int) -> list[dict[str, Any]]:
        """Feedback rated ``at_most`` or less with no follow-up ticket yet, oldest first."""
        with db.read() as tx:
            return tx.query(
                f"SELECT client_id, version, rating, topic, recorded_at FROM "
                f"{self.t('view_client_feedback')} WHERE follow_up IS NULL AND rating <= ? "
                "ORDER BY position LIMIT ?",
                (at_most, limit),
            )

    def feedback_stats(
        self,
        db: ViewDatabase,
        group_by: str,
        period: tuple[str, str],
        branch: str | None,
        low: int,
    ) -> list[dict[str, Any]]:
        """Count, mean rating and ratings of ``low`` or less of the feedback recorded in
        the period (from inclusive, to exclusive), by topic, branch or UTC month."""
        start, end = period
        column = {"topic": "topic", "branch": "branch", "month": "substr(recorded_at, 1, 7)"}[
            group_by
        ]
        extra, params = ("AND branch = ? ", (branch,)) if branch else ("", ())
        with db.read() as tx:
            return tx.query(
                f"SELECT {column} AS grp, COUNT(*) AS n, AVG(rating * 1.0) AS mean, "
                "SUM(CASE WHEN rating <= ? THEN 1 ELSE 0 END) AS low FROM "
                f"{self.t('view_client_feedback')} WHERE recorded_at >= ? AND recorded_at < ? "
                f"{extra}GROUP BY {column} ORDER BY grp",
                (low, start, end, *params),
            )

    def low_ratings_since(
        self, db: ViewDatabase, since: str, at_most: int, client_id: str | None = None
    ) -> dict[str, int]:
        """How many ratings of at most ``at_most`` each client (or the one) gave from
        ``since`` on."""
        extra, params = ("AND client_id = ? ", (client_id,)) if client_id else ("", ())
        with db.read() as tx:
            rows = tx.query(
                f"SELECT client_id, COUNT(*) AS n FROM {self.t('view_client_feedback')} "
                f"WHERE recorded_at >= ? AND rating <= ? {extra}GROUP BY client_id",
                (since, at_most, *params),
            )
        return {r["client_id"]: int(r["n"]) for r in rows}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
