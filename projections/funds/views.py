"""The fund views: catalogue with latest NAV, rating histories, and the NAV series."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from adapters.shared.sql import Tx, ViewDatabase
from domain.funds.fund import Fund
from domain.funds.performance import Period, period_return, period_start
from projections.shared.base import View


class FundsView(View):
    name = "funds"
    tables: ClassVar[dict[str, list[str]]] = {
        "view_funds": [
            "CREATE TABLE {t} (code TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL, "
            "name_lc TEXT NOT NULL, type TEXT NOT NULL, manager TEXT NOT NULL, "
            "inception_date TEXT NOT NULL, risk_rating TEXT NOT NULL, horizon TEXT NOT NULL, "
            "variety TEXT NOT NULL, house_rating INTEGER, latest_nav_date TEXT, "
            "latest_unit_nav TEXT, latest_accumulated_nav TEXT, nav_count INTEGER NOT NULL, "
            "version INTEGER NOT NULL, listed_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
            "CREATE INDEX {ix}_type ON {t} (type, code)",
            "CREATE UNIQUE INDEX {ix}_id ON {t} (id)",
        ],
        "view_fund_ratings": [
            "CREATE TABLE {t} (position BIGINT PRIMARY KEY, code TEXT NOT NULL, "
            "kind TEXT NOT NULL, value TEXT NOT NULL, previous TEXT, reason TEXT NOT NULL, "
            "changed_at TEXT NOT NULL, changed_by TEXT NOT NULL)",
            "CREATE INDEX {ix}_code ON {t} (code, kind, position)",
        ],
        "view_fund_navs": [
            "CREATE TABLE {t} (code TEXT NOT NULL, nav_date TEXT NOT NULL, "
            "unit_nav TEXT NOT NULL, accumulated_nav TEXT NOT NULL, "
            "corrected INTEGER NOT NULL, PRIMARY KEY (code, nav_date))",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Fund.Listed: "listed",
        Fund.RiskRatingChanged: "risk_rated",
        Fund.HouseRatingChanged: "house_rated",
        Fund.NavPublished: "nav_published",
        Fund.NavCorrected: "nav_corrected",
    }

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._codes: dict[str, str] = {}  # fund id -> code: never changes once listed

    def _code(self, tx: Tx, fund: Any) -> str:
        key = str(fund)
        if key not in self._codes:
            [row] = tx.query(f"SELECT code FROM {self.t('view_funds')} WHERE id = ?", (key,))
            self._codes[key] = row["code"]
        return self._codes[key]

    def listed(self, tx: Tx, e: Fund.Listed, position: int) -> None:
        self._codes[str(e.originator_id)] = e.code
        at = e.timestamp.isoformat()
        tx.execute(
            f"INSERT INTO {self.t('view_funds')} (code, id, name, name_lc, type, manager, "
            "inception_date, risk_rating, horizon, variety, nav_count, version, listed_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                e.code,
                str(e.originator_id),
                e.name,
                e.name.lower(),
                e.fund_type.value,
                e.manager,
                e.inception_date.isoformat(),
                e.risk_rating.value,
                e.horizon.value,
                e.variety.value,
                e.originator_version,
                at,
                at,
            ),
        )
        self._rating(tx, e, position, "risk", e.risk_rating.value, None, "listed")

    def _touch(self, tx: Tx, e: Any, sets: str = "", params: tuple[Any, ...] = ()) -> None:
        tx.execute(
            f"UPDATE {self.t('view_funds')} SET {sets}version = ?, updated_at = ? WHERE id = ?",
            (*params, e.originator_version, e.timestamp.isoformat(), str(e.originator_id)),
        )

    def _rating(
        self,
        tx: Tx,
        e: Any,
        position: int,
        kind: str,
        value: str,
        previous: str | None,
        reason: str,
    ) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_fund_ratings')} (position, code, kind, value, previous, "
            "reason, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                self._code(tx, e.originator_id),
                kind,
                value,
                previous,
                reason,
                e.timestamp.isoformat(),
                e.meta.actor,
            ),
        )

    def risk_rated(self, tx: Tx, e: Fund.RiskRatingChanged, position: int) -> None:
        self._touch(tx, e, "risk_rating = ?, ", (e.rating.value,))
        self._rating(tx, e, position, "risk", e.rating.value, e.previous.value, e.reason)

    def house_rated(self, tx: Tx, e: Fund.HouseRatingChanged, position: int) -> None:
        self._touch(tx, e, "house_rating = ?, ", (e.stars,))
        previous = str(e.previous) if e.previous is not None else None
        self._rating(tx, e, position, "house", str(e.stars), previous, e.reason)

    def nav_published(self, tx: Tx, e: Fund.NavPublished, _: int) -> None:
        self._nav(tx, e, corrected=False)
        self._touch(tx, e, "nav_count = nav_count + 1, ")

    def nav_corrected(self, tx: Tx, e: Fund.NavCorrected, _: int) -> None:
        self._nav(tx, e, corrected=True)
        self._touch(tx, e)

    def _nav(self, tx: Tx, e: Fund.NavPublished | Fund.NavCorrected, corrected: bool) -> None:
        day = e.nav_date.isoformat()
        tx.execute(
            f"INSERT INTO {self.t('view_fund_navs')} (code, nav_date, unit_nav, "
            "accumulated_nav, corrected) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (code, nav_date) DO UPDATE SET unit_nav = excluded.unit_nav, "
            "accumulated_nav = excluded.accumulated_nav, corrected = excluded.corrected",
            (
                self._code(tx, e.originator_id),
                day,
                str(e.unit_nav),
                str(e.accumulated_nav),
                int(corrected),
            ),
        )
        tx.execute(
            f"UPDATE {self.t('view_funds')} SET latest_nav_date = ?, latest_unit_nav = ?, "
            "latest_accumulated_nav = ? WHERE id = ? AND "
            "(latest_nav_date IS NULL OR latest_nav_date <= ?)",
            (day, str(e.unit_nav), str(e.accumulated_nav), str(e.originator_id), day),
        )

    # -- reads ------------------------------------------------------------------------

    def get(self, db: ViewDatabase, code: str) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(f"SELECT * FROM {self.t('view_funds')} WHERE code = ?", (code,))
            if not rows:
                return None
            ratings = tx.query(
                f"SELECT * FROM {self.t('view_fund_ratings')} WHERE code = ? ORDER BY position",
                (code,),
            )
        fund = _fund(rows[0])
        fund["risk_rating_history"] = [_rating(r) for r in ratings if r["kind"] == "risk"]
        fund["house_rating_history"] = [_rating(r) for r in ratings if r["kind"] == "house"]
        return fund

    def search(
        self,
        db: ViewDatabase,
        *,
        fund_type: str | None = None,
        max_risk: str | None = None,
        q: str | None = None,
    ) -> list[dict[str, Any]]:
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if fund_type is not None:
            where.append("type = ?")
            params.append(fund_type)
        if max_risk is not None:
            where.append("risk_rating <= ?")  # R1 < R2 < … as text
            params.append(max_risk)
        if q:
            where.append("(name_lc LIKE ? OR code LIKE ?)")
            needle = q.lower().replace("%", "").replace("_", "")
            params += [f"%{needle}%", f"{needle}%"]
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_funds')} WHERE {' AND '.join(where)} ORDER BY code",
                params,
            )
        return [_fund(r) for r in rows]

    def series(
        self, db: ViewDatabase, code: str, start: date | None, end: date | None
    ) -> list[dict[str, Any]]:
        where, params = ["code = ?"], [code]
        if start is not None:
            where.append("nav_date >= ?")
            params.append(start.isoformat())
        if end is not None:
            where.append("nav_date <= ?")
            params.append(end.isoformat())
        with db.read() as tx:
            return tx.query(
                f"SELECT nav_date, unit_nav, accumulated_nav, corrected FROM "
                f"{self.t('view_fund_navs')} WHERE {' AND '.join(where)} ORDER BY nav_date",
                params,
            )

    def valued_on(self, db: ViewDatabase, codes: Iterable[str], on: date) -> dict[str, Any]:
        """Each fund's name, risk rating and latest unit NAV on or before a day (its date
        and value None when it has none yet), by code."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        navs = self.t("view_fund_navs")
        with db.read() as tx:
            rows = tx.query(
                f"SELECT f.code, f.name, f.risk_rating, n.nav_date, n.unit_nav "
                f"FROM {self.t('view_funds')} f LEFT JOIN {navs} n ON n.code = f.code AND "
                f"n.nav_date = (SELECT MAX(nav_date) FROM {navs} WHERE code = f.code "
                f"AND nav_date <= ?) WHERE f.code IN ({marks})",
                (on.isoformat(), *wanted),
            )
        return {r["code"]: r for r in rows}

    def unit_navs(
        self, db: ViewDatabase, codes: Iterable[str], start: date, end: date
    ) -> dict[str, list[tuple[date, Decimal]]]:
        """Each fund's unit NAVs from its latest on or before ``start`` to ``end``."""
        wanted = sorted(set(codes))
        standing = self.valued_on(db, wanted, start)
        series: dict[str, list[tuple[date, Decimal]]] = {
            code: [(date.fromisoformat(r["nav_date"]), Decimal(r["unit_nav"]))]
            if r["nav_date"]
            else []
            for code, r in standing.items()
        }
        if not wanted:
            return series
        with db.read() as tx:
            rows = tx.query(
                f"SELECT code, nav_date, unit_nav FROM {self.t('view_fund_navs')} "
                f"WHERE code IN ({', '.join('?' * len(wanted))}) AND nav_date > ? "
                "AND nav_date <= ? ORDER BY code, nav_date",
                (*wanted, start.isoformat(), end.isoformat()),
            )
        for r in rows:
            series[r["code"]].append((date.fromisoformat(r["nav_date"]), Decimal(r["unit_nav"])))
        return series

    def rankings(
        self, db: ViewDatabase, period: Period, fund_type: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Funds by return over the period, best first; a fund whose history does not
        cover the period is left out, not ranked as zero."""
        entries = []
        with db.read() as tx:
            for fund in self._with_navs(tx, fund_type):
                end = date.fromisoformat(fund["latest_nav_date"])
                start_from = period_start(period, end)
                if start_from is None:
                    rows = tx.query(
                        f"SELECT nav_date, accumulated_nav FROM {self.t('view_fund_navs')} "
                        "WHERE code = ? ORDER BY nav_date LIMIT 1",
                        (fund["code"],),
                    )
                else:
                    rows = tx.query(
                        f"SELECT nav_date, accumulated_nav FROM {self.t('view_fund_navs')} "
                        "WHERE code = ? AND nav_date <= ? ORDER BY nav_date DESC LIMIT 1",
                        (fund["code"], start_from.isoformat()),
                    )
                if not rows or rows[0]["nav_date"] >= fund["latest_nav_date"]:
                    continue
                entries.append(
                    {
                        **_identity(fund),
                        "return_pct": period_return(
                            Decimal(rows[0]["accumulated_nav"]),
                            Decimal(fund["latest_accumulated_nav"]),
                        ),
                        "start_date": rows[0]["nav_date"],
                        "end_date": fund["latest_nav_date"],
                    }
                )
        entries.sort(key=lambda e: (-e["return_pct"], e["code"]))
        return [{"rank": n, **e} for n, e in enumerate(entries[:limit], start=1)]

    def latest_ranking(
        self, db: ViewDatabase, by: str, fund_type: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Funds by their latest unit or accumulated NAV, highest first."""
        column = {"unit_nav": "latest_unit_nav", "accumulated_nav": "latest_accumulated_nav"}[by]
        with db.read() as tx:
            funds = self._with_navs(tx, fund_type)
        entries = [
            {**_identity(f), "value": Decimal(f[column]), "end_date": f["latest_nav_date"]}
            for f in funds
        ]
        entries.sort(key=lambda e: (-e["value"], e["code"]))
        return [{"rank": n, **e} for n, e in enumerate(entries[:limit], start=1)]

    def _with_navs(self, tx: Tx, fund_type: str | None) -> list[dict[str, Any]]:
        query = f"SELECT * FROM {self.t('view_funds')} WHERE latest_nav_date IS NOT NULL"
        params: tuple[Any, ...] = ()
        if fund_type is not None:
            query += " AND type = ?"
            params = (fund_type,)
        return tx.query(query + " ORDER BY code", params)


def _identity(fund: dict[str, Any]) -> dict[str, Any]:
    return {k: fund[k] for k in ("code", "name", "type")}


def _fund(row: dict[str, Any]) -> dict[str, Any]:
    fund = dict(row)
    fund.pop("name_lc")
    latest = fund.pop("latest_nav_date")
    unit = fund.pop("latest_unit_nav")
    accumulated = fund.pop("latest_accumulated_nav")
    fund["latest_nav"] = (
        {"date": latest, "unit_nav": unit, "accumulated_nav": accumulated} if latest else None
    )
    return fund


def _rating(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("value", "previous", "reason", "changed_at", "changed_by")}
