"""Each client's coverage as of a day, read from the views: the facts segments are decided
on, the churn score with its reasons, and the assets at the last month ends that a tier
asks for. One pass over every client (or one branch's), for the segment job and the lists
of clients at risk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from adapters.shared.sql import ViewDatabase
from domain.clients import ClientFacts, CoveragePolicy
from domain.clients.churn import ChurnScore, ChurnSignals, churn_score
from projections.clients.coverage import CoverageView
from projections.clients.views import ClientsView
from projections.holdings import Book, Valuation
from projections.service_desk import TicketsView
from projections.shared.base import utc_text


@dataclass(frozen=True)
class Coverage:
    client_id: str
    branch: str
    tier: str
    facts: ClientFacts
    churn: ChurnScore
    month_ends: dict[str, Decimal]  # ISO day -> assets at that month end


@dataclass(frozen=True)
class CoverageReader:
    db: ViewDatabase
    clients: ClientsView
    coverage: CoverageView
    tickets: TicketsView
    valuation: Valuation
    low_rating: int  # a rating this low or lower counts against the client (client policy)

    def assess(
        self,
        today: date,
        now: datetime,
        policy: CoveragePolicy,
        branch: str | None = None,
        client_id: str | None = None,
    ) -> list[Coverage]:
        """Every client's coverage (of one branch, or the one client, when given) as of
        ``today``."""
        window = policy.churn.window_days
        since = now - timedelta(days=window)

        def book(day: date) -> Book:
            return self.valuation.book(day, client_id)

        books = {day: book(day) for day in _month_ends(today, policy)}
        now_book, then = book(today), book(today - timedelta(window))
        complaints = self.tickets.complaints_since(self.db, since, client_id)
        low = self.coverage.low_ratings_since(self.db, utc_text(since), self.low_rating, client_id)
        found = []
        for row in self.clients.coverage_rows(self.db, branch, client_id):
            client = row["id"]
            signals = ChurnSignals(
                aum_then=then.assets(client),
                aum_now=now_book.assets(client),
                redeemed=now_book.sold_since(then, client),
                complaints=complaints.get(client, 0),
                days_since_interaction=_days_since(
                    row["last_interaction_at"] or row["registered_at"], now
                ),
                assessment_expired=_passed(row["risk_expires_at"], now),
                low_ratings=low.get(client, 0),
            )
            churn = churn_score(signals, policy.churn)
            facts = ClientFacts(
                aum=signals.aum_now,
                tier=row["tier"],
                assessment=_assessment(row, now),
                days_since_interaction=signals.days_since_interaction or 0,
                complaints=signals.complaints,
                churn_score=churn.score,
            )
            ends = {day.isoformat(): b.assets(client) for day, b in books.items()}
            found.append(Coverage(client, row["branch"], row["tier"], facts, churn, ends))
        return found


def _month_ends(today: date, policy: CoveragePolicy) -> list[date]:
    """The last ``qualifying_months`` month ends before today, the oldest first."""
    ends: list[date] = []
    day = today.replace(day=1) - timedelta(days=1)
    while len(ends) < policy.qualifying_months:
        ends.insert(0, day)
        day = day.replace(day=1) - timedelta(days=1)
    return ends


def _days_since(moment: str, now: datetime) -> int:
    return max(0, (now - datetime.fromisoformat(moment)).days)


def _passed(moment: str | None, now: datetime) -> bool:
    return moment is not None and datetime.fromisoformat(moment) <= now


def _assessment(row: dict[str, str | None], now: datetime) -> str:
    """none, valid, review_due or expired (as the clients view's filters say it)."""
    if row["risk_expires_at"] is None:
        return "none"
    if _passed(row["risk_expires_at"], now):
        return "expired"
    return "review_due" if _passed(row["risk_review_due_at"], now) else "valid"


def facts_of(coverage: Coverage) -> dict[str, str]:
    """The facts a segment change records, as text: the churn score's reasons too (a JSON
    list of code, points and measure), so a list of clients at risk shows why."""
    reasons = [r.model_dump() for r in coverage.churn.reasons]
    return {
        **{k: str(v) for k, v in coverage.facts.model_dump().items()},
        "churn_version": coverage.churn.version,
        "churn_reasons": json.dumps(reasons, separators=(",", ":")),
    }
