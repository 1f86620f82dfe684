"""The charts: nice ticks, both NAV lines visible where they coincide, the radar's pass line
and means, and no text leaving the picture at any size the routes accept. Each text is
rendered alone (cairosvg) on a canvas larger than the picture; its inked pixels must lie
inside the picture's box."""

from __future__ import annotations

import io
import itertools
import math
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import cairosvg
import pytest
from PIL import Image

from api.shared.charts import NAV_WORDS, date_ticks, nav_chart, nice_ticks, radar_chart
from domain.suppliers.audits import SECTION_LABELS

NS = "{http://www.w3.org/2000/svg}"
MARGIN = 200  # the canvas reaches this far beyond the picture on every side


def texts_outside(svg: str) -> list[str]:
    """The texts of ``svg`` whose rendered ink leaves its viewBox."""
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    outside = []
    for element in root.iter(f"{NS}text"):
        alone = ET.Element(root.tag, dict(root.attrib))
        alone.set("viewBox", f"{-MARGIN} {-MARGIN} {width + 2 * MARGIN} {height + 2 * MARGIN}")
        alone.set("width", str(width + 2 * MARGIN))
        alone.set("height", str(height + 2 * MARGIN))
        alone.append(element)
        png = cairosvg.svg2png(bytestring=ET.tostring(alone))
        box = Image.open(io.BytesIO(png)).getchannel("A").getbbox()
        if box is None:
            continue
        left, top, right, bottom = (v - MARGIN for v in box)
        if left < 0 or top < 0 or right > width or bottom > height:
            outside.append(f"{''.join(element.itertext())!r} at {(left, top, right, bottom)}")
    return outside


def series(days: int, coincide: bool = False) -> list[tuple[date, Decimal, Decimal]]:
    start = date(2024, 1, 2)
    points = []
    for n in range(days):
        unit = Decimal(1 + 0.3 * math.sin(n / 40) + n / 2000).quantize(Decimal("0.0001"))
        acc = unit if coincide else unit + Decimal("0.2") + Decimal(n) / 5000
        points.append((start + timedelta(days=n), unit, acc))
    return points


CHINESE = ("日期", "净值（每份，人民币元）", "累计净值", "单位净值", "此区间的净值数据不足")


@pytest.mark.parametrize(("width", "height"), [(400, 240), (800, 400), (1280, 600), (2000, 1200)])
@pytest.mark.parametrize("days", [12, 95, 700, 1100])
def test_no_text_of_the_nav_chart_leaves_the_picture(width: int, height: int, days: int) -> None:
    svg = nav_chart(
        "110022 Harbour Long Horizon Consumer Select Equity A", series(days), width, height
    )
    assert texts_outside(svg) == []


@pytest.mark.parametrize(("width", "height"), [(400, 240), (900, 380)])
@pytest.mark.parametrize("days", [1, 95])
def test_the_nav_chart_in_chinese_stays_inside_the_picture(
    width: int, height: int, days: int
) -> None:
    words = dict(zip(NAV_WORDS, CHINESE, strict=True))
    svg = nav_chart("110022 易方达消费行业股票", series(days), width, height, words=words)
    assert texts_outside(svg) == []
    assert ("累计净值" in svg) is (days > 1)
    assert ("此区间的净值数据不足" in svg) is (days == 1)


@pytest.mark.parametrize("size", [480, 640, 1000, 1600])
def test_no_text_of_the_radar_leaves_the_picture(size: int) -> None:
    means = dict.fromkeys(SECTION_LABELS, 3.0)
    svg = radar_chart(
        "Taoyuan Sunrise Passive Components: capability",
        SECTION_LABELS,
        [
            ("Self-assessment, Kunshan, 2026-11-20", "self", {**means, "process": 4.0}),
            ("On-site audit, Kunshan, 2026-11-28", "onsite", means),
        ],
        pass_line=2.0,
        size=size,
    )
    assert texts_outside(svg) == []
    assert texts_outside(radar_chart("Nobody yet", SECTION_LABELS, [], 2.0, size)) == []


@pytest.mark.parametrize(
    ("low", "high"),
    [(1.2521, 1.6485), (0.98, 1.02), (100.0, 100.0), (0.0001, 0.0009), (3.0, 7.5)],
)
def test_ticks_are_round_and_cover_the_values(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
    assert ticks[0] <= low
    assert ticks[-1] >= high
    assert 2 <= len(ticks) <= 12
    assert all(math.isclose(b - a, step) for a, b in itertools.pairwise(ticks))


def test_the_nav_chart_labels_its_ticks_roundly_and_titles_its_axes() -> None:
    svg = nav_chart("000123 Steady Bond A", series(400))
    labels = re.findall(r'class="tick"[^>]*>([^<]+)<', svg)
    values = [float(v) for v in labels if re.fullmatch(r"\d+\.\d+", v)]
    assert values
    assert all(len(v.split(".")[1]) <= 3 for v in labels if re.fullmatch(r"\d+\.\d+", v))
    assert "2024-03" in labels  # months for a year and more of history
    assert ">Date<" in svg
    assert "NAV (per unit, CNY)" in svg


def test_where_unit_and_accumulated_nav_coincide_both_lines_stay_visible() -> None:
    svg = nav_chart("000777 No Dividend Fund", series(100, coincide=True))
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    lines = {p.get("data-series"): p for p in root.iter(f"{NS}polyline")}
    assert lines["unit_nav"].get("points") == lines["accumulated_nav"].get("points")
    # The accumulated line is drawn first, wider: it shows on both sides of the unit line.
    order = [p.get("data-series") for p in root.iter(f"{NS}polyline")]
    assert order == ["accumulated_nav", "unit_nav"]
    wide, narrow = (float(lines[k].get("stroke-width", 0)) for k in ("accumulated_nav", "unit_nav"))
    assert wide >= narrow * 2


def test_the_radar_shows_the_pass_line_and_each_mean_in_words() -> None:
    means = dict.fromkeys(SECTION_LABELS, 3.0) | {"training": 1.6}
    svg = radar_chart(
        "S: capability", SECTION_LABELS, [("On-site audit, Kunshan", "onsite", means)], 2.0
    )
    assert 'class="pass-line"' in svg
    assert "On-site audit, Kunshan: mean 2.80" in svg
    assert "Pass line: every section at least 2.0" in svg


def test_date_ticks_fall_on_round_dates() -> None:
    monthly = date_ticks(date(2025, 1, 15), date(2025, 12, 20), 12)
    assert [d.day for d, _ in monthly] == [1] * len(monthly)
    yearly = date_ticks(date(2020, 3, 1), date(2026, 3, 1), 8)
    assert {label for _, label in yearly} >= {"2021", "2022"}
    short = date_ticks(date(2026, 1, 5), date(2026, 1, 16), 4)
    assert len(short) <= 5
