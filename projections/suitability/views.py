"""Purchase views: each purchase with its decision, the override register, and review flags
raised when a held fund's risk rating rises above a client's level."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.sql import Tx, ViewDatabase
from domain.clients import Client, RiskAssessment
from domain.funds import Fund
from domain.holdings import Portfolio
from domain.shared.vocab import RiskLevel, RiskRating
from domain.suitability.purchases import Purchase, PurchaseStatus, lapsed
from projections.shared.base import View, rows_by_id
from projections.shared.paging import after, cut


class PurchasesView(View):
    name = "purchases"
    schema_version = 3  # 3: the lapse warned
    tables: ClassVar[dict[str, list[str]]] = {
        "view_purchases": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, position BIGINT NOT NULL, "
            "client_id TEXT NOT NULL, branch TEXT NOT NULL, fund_code TEXT NOT NULL, "
            "amount TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT NOT NULL, "
            "client_level TEXT, fund_rating TEXT NOT NULL, mismatches TEXT NOT NULL, "
            "warning_text TEXT, rule_version TEXT NOT NULL, assessment_id TEXT, "
            "assessment_version INTEGER, fund_version INTEGER NOT NULL, reason TEXT, "
            "requested_at TEXT NOT NULL, requested_by TEXT NOT NULL, confirm_by TEXT NOT NULL, "
            "confirmed_at TEXT, confirmed_by TEXT, channel TEXT, cancel_reason TEXT, "
            "version INTEGER NOT NULL, lapse_warned INTEGER NOT NULL DEFAULT 0)",
            "CREATE INDEX {ix}_client ON {t} (client_id, position)",
            "CREATE INDEX {ix}_confirmed ON {t} (confirmed_at)",
            "CREATE INDEX {ix}_waiting ON {t} (status, confirm_by)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Purchase.Requested: "requested",
        Purchase.OverrideConfirmed: "confirmed",
        Purchase.Cancelled: "cancelled",
        Purchase.Lapsed: "lapsed",
        Purchase.LapseNear: "lapse_near",
    }

    def lapsing(self, db: ViewDatabase, now: datetime, hours: int, limit: int) -> list[UUID]:
        """Purchases awaiting confirmation whose deadline falls within ``hours`` of
        ``now``, not yet warned of (the scheduler's)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id FROM {self.t('view_purchases')} WHERE status = ? "
                "AND confirm_by > ? AND confirm_by <= ? AND lapse_warned = 0 "
                "ORDER BY confirm_by LIMIT ?",
                (
                    PurchaseStatus.CONFIRMATION_REQUIRED.value,
                    now.isoformat(),
                    (now + timedelta(hours=hours)).isoformat(),
                    limit,
                ),
            )
        return [UUID(r["id"]) for r in rows]

    def unconfirmed(self, db: ViewDatabase, now: datetime, limit: int) -> list[UUID]:
        """Purchases that have ``lapsed`` at ``now`` with no lapse recorded yet (the
        scheduler's): awaiting confirmation, the deadline reached."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT id FROM {self.t('view_purchases')} WHERE status = ? "
                "AND confirm_by <= ? ORDER BY confirm_by LIMIT ?",
                (PurchaseStatus.CONFIRMATION_REQUIRED.value, now.isoformat(), limit),
            )
        return [UUID(r["id"]) for r in rows]

    def waiting(
        self, db: ViewDatabase, branch: str | None, now: datetime, limit: int
    ) -> list[dict[str, Any]]:
        """Purchases waiting for the client's confirmation at ``now``, the first to lapse
        first (of one branch, or of all)."""
        where, params = (
            "status = ? AND confirm_by > ?",
            [
                PurchaseStatus.CONFIRMATION_REQUIRED.value,
                now.isoformat(),
            ],
        )
        if branch is not None:
            where += " AND branch = ?"
            params.append(branch)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_purchases')} WHERE {where} "
                "ORDER BY confirm_by LIMIT ?",
                (*params, limit),
            )
        return [_purchase(r) for r in rows]

    def requested(self, tx: Tx, e: Purchase.Requested, position: int) -> None:
        a, d = e.inputs.assessment, e.decision
        tx.execute(
            f"INSERT INTO {self.t('view_purchases')} (id, position, client_id, branch, "
            "fund_code, amount, status, outcome, client_level, fund_rating, mismatches, "
            "warning_text, rule_version, assessment_id, assessment_version, fund_version, "
            "reason, requested_at, requested_by, confirm_by, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                position,
                str(e.client_id),
                e.branch,
                e.fund_code,
                str(e.amount),
                e.status.value,
                d.outcome.value,
                a.level.value if a else None,
                e.inputs.fund.risk_rating.value,
                json.dumps([m.model_dump() for m in d.mismatches]),
                d.warning_text,
                d.rule_version,
                str(a.id) if a else None,
                a.version if a else None,
                e.inputs.fund.version,
                d.reason,
                e.timestamp.isoformat(),
                e.meta.actor,
                e.confirm_by.isoformat(),
                e.originator_version,
            ),
        )

    def _set(self, tx: Tx, e: Any, sets: str, params: tuple[Any, ...]) -> None:
        tx.execute(
            f"UPDATE {self.t('view_purchases')} SET {sets}, version = ? WHERE id = ?",
            (*params, e.originator_version, str(e.originator_id)),
        )

    def confirmed(self, tx: Tx, e: Purchase.OverrideConfirmed, _: int) -> None:
        self._set(
            tx,
            e,
            "status = ?, confirmed_at = ?, confirmed_by = ?, channel = ?",
            (
                PurchaseStatus.ACCEPTED.value,
                e.confirmed_at.isoformat(),
                e.meta.actor,
                e.channel.value,
            ),
        )

    def cancelled(self, tx: Tx, e: Purchase.Cancelled, _: int) -> None:
        self._set(
            tx, e, "status = ?, cancel_reason = ?", (PurchaseStatus.CANCELLED.value, e.reason)
        )

    def lapsed(self, tx: Tx, e: Purchase.Lapsed, _: int) -> None:
        self._set(tx, e, "status = ?", (PurchaseStatus.LAPSED.value,))

    def lapse_near(self, tx: Tx, e: Purchase.LapseNear, _: int) -> None:
        self._set(tx, e, "lapse_warned = ?", (1,))

    # -- reads ------------------------------------------------------------------------

    def get(self, db: ViewDatabase, purchase_id: UUID) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_purchases')} WHERE id = ?", (str(purchase_id),)
            )
        return _purchase(rows[0]) if rows else None

    def of_client(self, db: ViewDatabase, client_id: UUID) -> list[dict[str, Any]]:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_purchases')} WHERE client_id = ? ORDER BY position",
                (str(client_id),),
            )
        return [_purchase(r) for r in rows]

    def overrides(
        self,
        db: ViewDatabase,
        *,
        start: datetime | None,
        end: datetime | None,
        branch: str | None,
        fund: str | None,
        limit: int,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Confirmed overrides, oldest first, a page at a time."""
        where, params = ["confirmed_at IS NOT NULL"], []
        for clause, value in (("confirmed_at >= ?", start), ("confirmed_at <= ?", end)):
            if value is not None:
                where.append(clause)
                params.append(value.isoformat())
        for clause, text in (("branch = ?", branch), ("fund_code = ?", fund)):
            if text is not None:
                where.append(clause)
                params.append(text)
        later, more = after(("confirmed_at", "position"), cursor)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_purchases')} WHERE "
                f"{' AND '.join([*where, later])} ORDER BY confirmed_at, position LIMIT ?",
                (*params, *more, limit + 1),
            )
        page, next_cursor = cut(rows, limit, ("confirmed_at", "position"))
        return [_purchase(r) for r in page], next_cursor


def _purchase(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "mismatches": json.loads(row["mismatches"])}


class ReviewsView(View):
    """Clients holding a fund rated above their level (DOMAIN.md §4): flagged when the
    fund's risk rating rises, or when a new assessment lowers the client's level. A client
    holds a fund through an accepted purchase or in the positions last reported for them."""

    name = "reviews"
    personal = False  # it reads no personal field
    schema_version = 2
    tables: ClassVar[dict[str, list[str]]] = {
        "view_review_levels": [
            "CREATE TABLE {t} (client_id TEXT PRIMARY KEY, level TEXT, exempt INTEGER NOT NULL)",
        ],
        "view_review_funds": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, code TEXT NOT NULL, rating TEXT NOT NULL)",
            "CREATE UNIQUE INDEX {ix}_code ON {t} (code)",
        ],
        "view_review_holdings": [
            "CREATE TABLE {t} (purchase_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, "
            "fund_code TEXT NOT NULL, accepted INTEGER NOT NULL)",
            "CREATE INDEX {ix}_fund ON {t} (fund_code, accepted)",
            "CREATE INDEX {ix}_client ON {t} (client_id)",
        ],
        "view_review_positions": [
            "CREATE TABLE {t} (client_id TEXT NOT NULL, fund_code TEXT NOT NULL, "
            "PRIMARY KEY (client_id, fund_code))",
            "CREATE INDEX {ix}_fund ON {t} (fund_code)",
        ],
        "view_review_position_days": [
            "CREATE TABLE {t} (client_id TEXT PRIMARY KEY, as_of TEXT NOT NULL)",
        ],
        "view_reviews": [
            "CREATE TABLE {t} (position BIGINT NOT NULL, client_id TEXT NOT NULL, "
            "fund_code TEXT NOT NULL, reason TEXT NOT NULL, previous_rating TEXT NOT NULL, "
            "rating TEXT NOT NULL, previous_level TEXT, client_level TEXT, "
            "flagged_at TEXT NOT NULL, PRIMARY KEY (position, client_id, fund_code))",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Client.Registered: "registered",
        Client.SuitabilityExemptionRecorded: "exempted",
        RiskAssessment.Assessed: "assessed",
        Fund.Listed: "listed",
        Fund.RiskRatingChanged: "rating_changed",
        Purchase.Requested: "requested",
        Purchase.OverrideConfirmed: "holding_changed",
        Purchase.Cancelled: "holding_changed",
        Purchase.Lapsed: "holding_changed",
        Portfolio.PositionsReported: "positions_reported",
    }

    def registered(self, tx: Tx, e: Client.Registered, position: int) -> None:
        self.apply(tx, [(e, position)])

    def exempted(self, tx: Tx, e: Client.SuitabilityExemptionRecorded, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_review_levels')} SET exempt = 1 WHERE client_id = ?",
            (str(e.originator_id),),
        )

    def assessed(self, tx: Tx, e: RiskAssessment.Assessed, position: int) -> None:
        client = str(e.client_id)
        [before] = tx.query(
            f"SELECT level, exempt FROM {self.t('view_review_levels')} WHERE client_id = ?",
            (client,),
        )
        tx.execute(
            f"UPDATE {self.t('view_review_levels')} SET level = ? WHERE client_id = ?",
            (e.level.value, client),
        )
        previous = before["level"]
        if before["exempt"] or previous is None or e.level.rank >= RiskLevel(previous).rank:
            return
        for fund in self._held(tx, "client_id = ?", (client,)):
            if RiskRating(fund["rating"]).rank > e.level.rank:
                flagged = (fund["code"], Flag.LEVEL_LOWERED.value, fund["rating"], fund["rating"])
                self._flag(tx, position, e, client, (*flagged, previous, e.level.value))

    def listed(self, tx: Tx, e: Fund.Listed, _: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_review_funds')} (id, code, rating) VALUES (?, ?, ?)",
            (str(e.originator_id), e.code, e.risk_rating.value),
        )

    def requested(self, tx: Tx, e: Purchase.Requested, _: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_review_holdings')} (purchase_id, client_id, "
            "fund_code, accepted) VALUES (?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.client_id),
                e.fund_code,
                int(e.status is PurchaseStatus.ACCEPTED),
            ),
        )

    def holding_changed(self, tx: Tx, e: Any, _: int) -> None:
        accepted = isinstance(e, Purchase.OverrideConfirmed)
        tx.execute(
            f"UPDATE {self.t('view_review_holdings')} SET accepted = ? WHERE purchase_id = ?",
            (int(accepted), str(e.originator_id)),
        )

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """The batch's registered clients first, in one statement (a client's first event:
        nothing before it reads its row). Then runs of reported positions (most of the
        stream, one a client and day) in memory: their clients' latest days read in one
        query, each client's positions written once; only a new risk level and a fund's
        raised rating read the positions held, so only they end a run."""
        tx.insert(
            self.t("view_review_levels"),
            ("client_id", "exempt"),
            [(str(e.originator_id), 0) for e, _ in batch if isinstance(e, Client.Registered)],
        )

        def write(t: Tx, run: list[tuple[Any, int]]) -> None:
            self._positions(t, [e for e, _ in run])

        rest = [(e, p) for e, p in batch if not isinstance(e, Client.Registered)]
        commutes = tuple(
            k for k in self.handlers if k not in (RiskAssessment.Assessed, Fund.RiskRatingChanged)
        )
        self.apply_runs(tx, rest, Portfolio.PositionsReported, write, commutes)

    def positions_reported(self, tx: Tx, e: Portfolio.PositionsReported, _: int) -> None:
        self._positions(tx, [e])

    def _positions(self, tx: Tx, run: Sequence[Portfolio.PositionsReported]) -> None:
        """The latest day reported is what the client holds now (an earlier day corrected
        later changes nothing here)."""
        if not run:
            return
        days, table = self.t("view_review_position_days"), self.t("view_review_positions")
        clients = sorted({str(e.client_id) for e in run})
        found = rows_by_id(tx, days, clients, "client_id, as_of", key="client_id")
        latest = {client: str(row["as_of"]) for client, row in found.items()}
        held: dict[str, list[str]] = {}
        for e in run:
            client, day = str(e.client_id), e.as_of.isoformat()
            if latest.get(client, day) > day:
                continue
            latest[client] = day
            held[client] = list(e.positions)
        changed = sorted(held)
        if not changed:
            return
        tx.insert(
            days,
            ("client_id", "as_of"),
            [(client, latest[client]) for client in changed],
            then="ON CONFLICT (client_id) DO UPDATE SET as_of = excluded.as_of",
        )
        tx.executemany(f"DELETE FROM {table} WHERE client_id = ?", [(c,) for c in changed])
        tx.insert(
            table,
            ("client_id", "fund_code"),
            [(client, code) for client in changed for code in held[client]],
        )

    def rating_changed(self, tx: Tx, e: Fund.RiskRatingChanged, position: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_review_funds')} SET rating = ? WHERE id = ?",
            (e.rating.value, str(e.originator_id)),
        )
        if e.rating.rank <= e.previous.rank:
            return
        [fund] = tx.query(
            f"SELECT code FROM {self.t('view_review_funds')} WHERE id = ?",
            (str(e.originator_id),),
        )
        holders = {h["client_id"] for h in self._held(tx, "fund_code = ?", (fund["code"],))}
        levels = self._levels(tx, sorted(holders))
        for client in sorted(holders):
            level, exempt = levels.get(client, (None, False))
            if exempt or (level and e.rating.rank <= RiskLevel(level).rank):
                continue
            flagged = (fund["code"], Flag.RATING_ROSE.value, e.previous.value, e.rating.value)
            self._flag(tx, position, e, client, (*flagged, level, level))

    def _held(self, tx: Tx, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        """Which clients hold which funds (client_id, code, rating), by accepted purchase
        or last reported positions, filtered by ``where`` on client_id or fund_code."""
        return tx.query(
            f"SELECT DISTINCT h.client_id, f.code, f.rating FROM (SELECT client_id, fund_code "
            f"FROM {self.t('view_review_holdings')} WHERE accepted = 1 AND {where} UNION "
            f"SELECT client_id, fund_code FROM {self.t('view_review_positions')} WHERE {where}"
            f") h JOIN {self.t('view_review_funds')} f ON f.code = h.fund_code ORDER BY f.code",
            (*params, *params),
        )

    def _levels(self, tx: Tx, clients: list[str]) -> dict[str, tuple[str | None, bool]]:
        if not clients:
            return {}
        rows = tx.query(
            f"SELECT client_id, level, exempt FROM {self.t('view_review_levels')} "
            f"WHERE client_id IN ({', '.join('?' * len(clients))})",
            clients,
        )
        return {r["client_id"]: (r["level"], bool(r["exempt"])) for r in rows}

    def _flag(self, tx: Tx, position: int, e: Any, client: str, what: tuple[Any, ...]) -> None:
        """One flag: ``what`` is the fund's code, the reason, the fund's rating before and
        after, and the client's level before and after."""
        tx.execute(
            f"INSERT INTO {self.t('view_reviews')} (position, client_id, fund_code, reason, "
            "previous_rating, rating, previous_level, client_level, flagged_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position, client, *what, e.timestamp.isoformat()),
        )

    def all(self, db: ViewDatabase) -> list[dict[str, Any]]:
        with db.read() as tx:
            return tx.query(
                f"SELECT * FROM {self.t('view_reviews')} ORDER BY position, client_id, fund_code"
            )


class Flag(StrEnum):
    """Why a client's holding was flagged for review."""

    RATING_ROSE = "rating_rose"  # the fund's risk rating rose above the client's level
    LEVEL_LOWERED = "level_lowered"  # a new assessment lowered the client's level below it


def status_as_of(purchase: dict[str, Any], now: datetime) -> str:
    """A purchase's status as of ``now``: one waiting past its deadline has lapsed, though
    the scheduler may not have recorded it yet."""
    status = PurchaseStatus(purchase["status"])
    confirm_by = datetime.fromisoformat(purchase["confirm_by"]) if purchase["confirm_by"] else None
    return PurchaseStatus.LAPSED.value if lapsed(status, confirm_by, now) else status.value
