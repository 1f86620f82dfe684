"""What holdings' routes and pages share: the valuation of positions, the business day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends

from api.engine import Engine
from api.shared.charts import Axes, Line, line_chart
from api.shared.deps import EngineDep
from projections.funds import FundsView
from projections.holdings import HoldingsView
from projections.holdings.valuation import Valuation


def valuation(engine: EngineDep) -> Valuation:
    """Positions valued at the NAVs, over the engine's views."""
    return Valuation(engine.db, engine.view(HoldingsView), engine.view(FundsView))


ValuationDep = Annotated[Valuation, Depends(valuation)]


def business_day(engine: Engine) -> date:
    """Today where the business is (the settings' time zone): positions are end-of-day."""
    return engine.clock().astimezone(ZoneInfo(engine.settings.time_zone)).date()


# The words an AUM chart shows, by their English text: a caller passes them translated.
AUM_WORDS = ("AUM (CNY)", "No positions in this range", "Assets under management")


def aum_svg(
    points: list[tuple[date, Decimal]],
    size: tuple[int, int],
    words: Mapping[str, str] | None = None,
) -> str:
    """A client's AUM over time (its words in the reader's language when given)."""
    line = Line("aum", "Assets under management", "#1f5fa8", 1.8, tuple(v for _, v in points))
    axes = Axes("AUM (CNY)", "No positions in this range", 0)
    return line_chart("", [d for d, _ in points], [line], axes, size, words)
