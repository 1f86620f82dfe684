"""The holdings view: each client's reported days and positions, with the client's branch
and tier to sum assets by; values come at read time from the NAVs (``valuation``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from adapters.shared.sql import Tx, ViewDatabase
from domain.clients import Client
from domain.holdings import Portfolio
from projections.shared.base import View, rows_by_id

Positions = dict[str, Decimal]


class HoldingsView(View):
    name = "holdings"
    personal = False  # it reads no personal field
    schema_version = 2  # 2: each client's latest day reported
    tables: ClassVar[dict[str, list[str]]] = {
        "view_holding_clients": [
            "CREATE TABLE {t} (client_id TEXT PRIMARY KEY, branch TEXT NOT NULL, "
            "tier TEXT NOT NULL, latest TEXT)",
            "CREATE INDEX {ix}_latest ON {t} (latest)",
        ],
        "view_holding_days": [
            "CREATE TABLE {t} (client_id TEXT NOT NULL, as_of TEXT NOT NULL, "
            "funds INTEGER NOT NULL, PRIMARY KEY (client_id, as_of))",
        ],
        "view_holdings": [
            "CREATE TABLE {t} (client_id TEXT NOT NULL, as_of TEXT NOT NULL, "
            "fund_code TEXT NOT NULL, units TEXT NOT NULL, "
            "PRIMARY KEY (client_id, as_of, fund_code))",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Client.Registered: "registered",
        Client.TierChanged: "tier_changed",
        Portfolio.PositionsReported: "reported",
    }

    def registered(self, tx: Tx, e: Client.Registered, position: int) -> None:
        self.apply(tx, [(e, position)])

    def tier_changed(self, tx: Tx, e: Client.TierChanged, position: int) -> None:
        self.apply(tx, [(e, position)])

    def reported(self, tx: Tx, e: Portfolio.PositionsReported, position: int) -> None:
        self.apply(tx, [(e, position)])

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """A batch in memory (the demo's import is most of its store): the clients it
        touches read once and written once, their reported days and positions written in
        three statements."""
        days = [e for e, _ in batch if isinstance(e, Portfolio.PositionsReported)]
        ids = {str(e.client_id) for e in days} | {
            str(e.originator_id) for e, _ in batch if not isinstance(e, Portfolio.PositionsReported)
        }
        table = self.t("view_holding_clients")
        clients = rows_by_id(tx, table, sorted(ids), key="client_id")
        changed: set[str] = set()
        for e, _ in batch:
            if isinstance(e, Client.Registered):
                client = str(e.originator_id)
                clients[client] = {"client_id": client, "branch": e.branch, "tier": e.tier}
                clients[client]["latest"] = None
            elif isinstance(e, Client.TierChanged):
                client = str(e.originator_id)
                if client not in clients:
                    continue
                clients[client]["tier"] = e.tier
            else:
                client, day = str(e.client_id), e.as_of.isoformat()
                if client not in clients:
                    continue
                latest = clients[client]["latest"]
                clients[client]["latest"] = day if latest is None else max(latest, day)
            changed.add(client)
        tx.insert(
            table,
            ("client_id", "branch", "tier", "latest"),
            [
                tuple(clients[c][k] for k in ("client_id", "branch", "tier", "latest"))
                for c in sorted(changed)
            ],
            then="ON CONFLICT (client_id) DO UPDATE SET branch = excluded.branch, "
            "tier = excluded.tier, latest = excluded.latest",
        )
        self._write_days(tx, days)

    def _write_days(self, tx: Tx, days: list[Portfolio.PositionsReported]) -> None:
        if not days:
            return
        latest = {(str(e.client_id), e.as_of.isoformat()): e for e in days}  # the last wins
        corrected = {(str(e.client_id), e.as_of.isoformat()) for e in days if e.corrects}
        if corrected:
            tx.executemany(
                f"DELETE FROM {self.t('view_holdings')} WHERE client_id = ? AND as_of = ?",
                sorted(corrected),
            )
        tx.insert(
            self.t("view_holding_days"),
            ("client_id", "as_of", "funds"),
            [(*key, len(e.positions)) for key, e in latest.items()],
            then="ON CONFLICT (client_id, as_of) DO UPDATE SET funds = excluded.funds",
        )
        tx.insert(
            self.t("view_holdings"),
            ("client_id", "as_of", "fund_code", "units"),
            [
                (*key, code, str(units))
                for key, e in latest.items()
                for code, units in e.positions.items()
            ],
        )

    def held_on(self, db: ViewDatabase, client_id: UUID, on: date) -> tuple[date | None, Positions]:
        """The positions a client held at the end of a day: those of the latest day
        reported on or before it (none reported: no day, nothing held)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT d.as_of, h.fund_code, h.units FROM {self.t('view_holding_days')} d "
                f"LEFT JOIN {self.t('view_holdings')} h ON h.client_id = d.client_id "
                "AND h.as_of = d.as_of WHERE d.client_id = ? AND d.as_of = (SELECT MAX(as_of) "
                f"FROM {self.t('view_holding_days')} WHERE client_id = ? AND as_of <= ?)",
                (str(client_id), str(client_id), on.isoformat()),
            )
        if not rows:
            return None, {}
        return date.fromisoformat(rows[0]["as_of"]), _positions(rows)

    def days(
        self, db: ViewDatabase, client_id: UUID, start: date, end: date
    ) -> list[tuple[date, Positions]]:
        """The positions standing at ``start`` (if any day was reported before it) and those
        of every day reported up to ``end``, in order of day."""
        standing_day, standing = self.held_on(db, client_id, start)
        with db.read() as tx:
            rows = tx.query(
                f"SELECT d.as_of, h.fund_code, h.units FROM {self.t('view_holding_days')} d "
                f"LEFT JOIN {self.t('view_holdings')} h ON h.client_id = d.client_id "
                "AND h.as_of = d.as_of WHERE d.client_id = ? AND d.as_of > ? AND d.as_of <= ? "
                "ORDER BY d.as_of",
                (str(client_id), start.isoformat(), end.isoformat()),
            )
        by_day: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_day.setdefault(r["as_of"], []).append(r)
        result = [(start, standing)] if standing_day is not None else []
        return result + [(date.fromisoformat(d), _positions(rs)) for d, rs in by_day.items()]

    def standing(self, db: ViewDatabase, on: date) -> list[dict[str, Any]]:
        """Every client's positions held at the end of a day, with their branch and tier:
        rows of client_id, branch, tier, fund_code and units."""
        days, clients = self.t("view_holding_days"), self.t("view_holding_clients")
        holdings, day = self.t("view_holdings"), on.isoformat()
        with db.read() as tx:
            # Clients whose latest day is on or before ``on`` (all of them, for today)
            # hold their latest day's positions; the others, their latest before it, an
            # index seek each. CROSS JOIN keeps SQLite's join order, and ``|| ''`` keeps
            # it from deriving ``as_of <= day`` from ``latest <= day``: either turns
            # ``as_of = latest`` into a range scan of every day a client reported.
            return tx.query(
                f"SELECT c.client_id, c.branch, c.tier, h.fund_code, h.units FROM {clients} c "
                f"CROSS JOIN {holdings} h WHERE h.client_id = c.client_id "
                "AND h.as_of = c.latest AND c.latest || '' <= ? UNION ALL "
                "SELECT c.client_id, c.branch, c.tier, h.fund_code, h.units FROM (SELECT "
                f"k.client_id, (SELECT MAX(d.as_of) FROM {days} d WHERE d.client_id = "
                f"k.client_id AND d.as_of <= ?) AS as_of FROM {clients} k WHERE k.latest > ?) l "
                f"CROSS JOIN {clients} c CROSS JOIN {holdings} h WHERE c.client_id = l.client_id "
                "AND h.client_id = l.client_id AND h.as_of = l.as_of",
                (day, day, day),
            )


def _positions(rows: list[dict[str, Any]]) -> Positions:
    return {r["fund_code"]: Decimal(r["units"]) for r in rows if r["fund_code"] is not None}
