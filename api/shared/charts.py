"""Charts as SVG, drawn by hand (NAV trend, capability radar): no plotting library.

Every text is placed from an estimate of its width (``text_width``, on the generous side
for DejaVu Sans, the fonts a browser or rasteriser falls back to), so that no label leaves
the picture at any size the routes accept; ``tests/unit/test_charts.py`` renders each
chart and checks every text's box."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

FONT = 12
TITLE_FONT = 15
SERIES = (
    # what, label, colour, width, dash: the accumulated line is drawn wide and pale under
    # the unit line, so both stay visible where they coincide
    ("accumulated_nav", "Accumulated NAV", "#f4a3a3", 5.0, ""),
    ("unit_nav", "Unit NAV", "#1f5fa8", 1.6, ""),
)


# The words a NAV chart shows, by their English text: a caller passes them translated.
NAV_WORDS = (
    "Date",
    "NAV (per unit, CNY)",
    "Accumulated NAV",
    "Unit NAV",
    "Not enough NAV history in this range",
)


def text_width(text: str, size: float = FONT) -> float:
    """A width no narrower than the rendered one (wide glyphs count double)."""
    return sum(size * (1.05 if ord(c) > 0x2E80 else 0.64) for c in text)


def _svg(width: float, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="DejaVu Sans, Verdana, sans-serif" '
        f'font-size="{FONT}">',
        f'<rect width="{width:g}" height="{height:g}" fill="white"/>',
    ]


def _fitted(text: str, room: float, size: float) -> str:
    """The text, shortened with an ellipsis until its estimate fits ``room``."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten apart) covering [low, high]."""
    if high <= low:
        high = low + (abs(low) or 1.0) * 0.02
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    n = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(n + 1)]


def _decimals(ticks: list[float]) -> int:
    """The fewest decimals that write every tick exactly (2.5 steps need one more)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    places = max(0, -math.floor(math.log10(step)))
    while any(abs(round(t, places) - t) > 1e-9 for t in ticks):
        places += 1
    return places


def _month_add(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def date_ticks(first: date, last: date, most: int) -> list[tuple[date, str]]:
    """Dates at round intervals (days, months or years) between two days, with labels,
    at most ``most`` of them."""
    span = (last - first).days
    for months in (1, 2, 3, 6, 12, 24, 60):
        if span >= 60 and span / (30.4 * months) <= most:
            start = _month_add(date(first.year, first.month, 1), 0 if first.day == 1 else 1)
            while (start.month - 1) % months and months <= 12:
                start = _month_add(start, 1)
            ticks, day = [], start
            while day <= last:
                label = str(day.year) if months >= 12 else day.strftime("%Y-%m")
                ticks.append((day, label))
                day = _month_add(day, months)
            return ticks
    step = max(1, math.ceil(span / max(most, 1)))
    return [(date.fromordinal(first.toordinal() + d), "") for d in range(0, span + 1, step)]


@dataclass(frozen=True)
class Frame:
    left: float
    right: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Line:
    """One series of a line chart: ``key`` names it in the SVG (``data-series``), ``label``
    in the legend (English: the chart's words translate it)."""

    key: str
    label: str
    colour: str
    width: float
    values: tuple[Decimal, ...]
    dash: str = ""


def nav_chart(
    title: str,
    points: list[tuple[date, Decimal, Decimal]],
    width: int = 800,
    height: int = 400,
    words: Mapping[str, str] | None = None,
) -> str:
    """Unit and accumulated NAV over time: nice ticks on both axes, axis titles, a legend;
    its ``NAV_WORDS`` in ``words``' language when given."""
    columns = {
        "unit_nav": tuple(unit for _, unit, _ in points),
        "accumulated_nav": tuple(accumulated for _, _, accumulated in points),
    }
    lines = [
        Line(what, label, colour, stroke, columns[what], dash)
        for what, label, colour, stroke, dash in SERIES
    ]
    return line_chart(
        title,
        [p[0] for p in points],
        lines,
        Axes("NAV (per unit, CNY)", "Not enough NAV history in this range", 2),
        (width, height),
        words,
    )


@dataclass(frozen=True)
class Axes:
    """The value axis's title, what an empty chart says, the fewest decimal places."""

    y_title: str
    empty: str
    places: int


def line_chart(
    title: str,
    days: list[date],
    lines: list[Line],
    axes: Axes,
    size: tuple[int, int] = (800, 400),
    words: Mapping[str, str] | None = None,
) -> str:
    """Values over time, a line per series: nice ticks on both axes, axis titles, a
    legend; every English text in ``words``' language when given."""

    def word(english: str) -> str:
        return (words or {}).get(english, english)

    width, height = size
    parts = _svg(width, height)
    parts.append(
        f'<text x="{width / 2:.1f}" y="{TITLE_FONT + 6}" text-anchor="middle" '
        f'font-size="{TITLE_FONT}">{escape(_fitted(title, width - 16, TITLE_FONT))}</text>'
    )
    if len(days) < 2:
        parts.append(
            f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle">'
            f"{escape(_fitted(word(axes.empty), width - 16, FONT))}"
            "</text></svg>"
        )
        return "".join(parts)
    values = [float(v) for line in lines for v in line.values]
    ticks = nice_ticks(min(values), max(values), max(2, min(8, (height - 120) // 45)))
    places = max(_decimals(ticks), axes.places)
    labels = [f"{t:,.{places}f}" if axes.places == 0 else f"{t:.{places}f}" for t in ticks]
    y_title = word(axes.y_title)
    frame = Frame(
        left=8 + FONT + 8 + max(text_width(label) for label in labels) + 8,
        right=width - 12 - text_width("2026-12") / 2,
        top=TITLE_FONT + 14 + FONT + 14,  # the title, then the legend's row
        bottom=height - (8 + FONT + 8 + FONT + 8),  # the date labels, then the axis title
    )
    plot_w, plot_h = frame.right - frame.left, frame.bottom - frame.top
    first, last = days[0], days[-1]
    low, high = ticks[0], ticks[-1]

    def x(day: date) -> float:
        return frame.left + (day - first).days / max((last - first).days, 1) * plot_w

    def y(value: float) -> float:
        return frame.top + (high - value) / (high - low) * plot_h

    for tick, label in zip(ticks, labels, strict=True):
        parts.append(
            f'<line x1="{frame.left:.1f}" y1="{y(tick):.1f}" x2="{frame.right:.1f}" '
            f'y2="{y(tick):.1f}" stroke="#e3e3e3"/>'
            f'<text class="tick" x="{frame.left - 6:.1f}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{label}</text>'
        )
    most = max(2, int(plot_w // (text_width("2026-12-31") + 16)))
    for day, label in date_ticks(first, last, most):
        text = label or day.isoformat()
        half = text_width(text) / 2
        if x(day) - half < 4 or x(day) + half > width - 4:
            continue
        parts.append(
            f'<line x1="{x(day):.1f}" y1="{frame.bottom:.1f}" x2="{x(day):.1f}" '
            f'y2="{frame.bottom + 4:.1f}" stroke="black"/>'
            f'<text class="tick" x="{x(day):.1f}" y="{frame.bottom + 8 + FONT:.1f}" '
            f'text-anchor="middle">{text}</text>'
        )
    parts.append(
        f'<line x1="{frame.left:.1f}" y1="{frame.bottom:.1f}" x2="{frame.right:.1f}" '
        f'y2="{frame.bottom:.1f}" stroke="black"/>'
        f'<line x1="{frame.left:.1f}" y1="{frame.top:.1f}" x2="{frame.left:.1f}" '
        f'y2="{frame.bottom:.1f}" stroke="black"/>'
        f'<text class="axis-title" x="{(frame.left + frame.right) / 2:.1f}" '
        f'y="{height - 8:.1f}" text-anchor="middle">{escape(word("Date"))}</text>'
        f'<text class="axis-title" x="{8 + FONT:.1f}" y="{(frame.top + frame.bottom) / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 {8 + FONT:.1f} '
        f'{(frame.top + frame.bottom) / 2:.1f})">'
        f"{escape(_fitted(y_title, plot_h, FONT))}</text>"
    )
    legend_x, legend_y = frame.left, TITLE_FONT + 14 + FONT / 2
    for series in lines:
        label = word(series.label)
        line = " ".join(
            f"{x(day):.1f},{y(float(value)):.1f}"
            for day, value in zip(days, series.values, strict=True)
        )
        dashes = f' stroke-dasharray="{series.dash}"' if series.dash else ""
        parts.append(
            f'<polyline data-series="{series.key}" fill="none" stroke="{series.colour}" '
            f'stroke-width="{series.width}" stroke-linejoin="round"{dashes} points="{line}"/>'
        )
        parts.append(
            f'<line x1="{legend_x:.1f}" y1="{legend_y:.1f}" x2="{legend_x + 22:.1f}" '
            f'y2="{legend_y:.1f}" stroke="{series.colour}" stroke-width="{series.width}"/>'
            f'<text x="{legend_x + 28:.1f}" y="{legend_y + 4:.1f}">{escape(label)}</text>'
        )
        legend_x += 28 + text_width(label) + 18
    parts.append("</svg>")
    return "".join(parts)


RADAR = {"self": ("#1f77b4", "6 3"), "onsite": ("#d62728", "")}
# The words a radar chart shows, by their English text: a caller passes them translated.
RADAR_WORDS = (
    "%(legend)s: mean %(mean)s",
    "Pass line: every section at least %(line)s",
    "No assessments yet",
)
THRESHOLD_COLOUR = "#2e8b57"


def radar_chart(
    title: str,
    axes: dict[str, str],
    series: list[tuple[str, str, dict[str, float]]],
    pass_line: float | None = None,
    size: int = 640,
    words: Mapping[str, str] | None = None,
) -> str:
    """A radar chart on a 0-4 scale: one labelled axis per section, one polygon per
    assessment (self-assessments dashed blue, on-site audits solid red), the policy's pass
    line, and a legend in words with each polygon's mean; its ``RADAR_WORDS`` in ``words``'
    language when given."""

    def word(english: str) -> str:
        return (words or {}).get(english, english)

    keys = list(axes)
    legend_rows = len(series) + (1 if pass_line is not None else 0) or 1
    legend_h = legend_rows * (FONT + 8) + 8
    label_w = max(text_width(label) for label in axes.values())
    top = TITLE_FONT + 16 + FONT + 8
    radius = max(
        20.0, min((size - 2 * (label_w + 14)) / 2, (size - top - legend_h - FONT - 16) / 2)
    )
    cx, cy = size / 2, top + FONT + 8 + radius
    parts = _svg(size, size)
    parts.append(
        f'<text x="{cx:.1f}" y="{TITLE_FONT + 6}" text-anchor="middle" '
        f'font-size="{TITLE_FONT}">{escape(_fitted(title, size - 16, TITLE_FONT))}</text>'
    )

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(keys)
        r = radius * value / 4
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def ring(value: float) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, value) for i in range(len(keys))))

    for level in range(1, 5):  # the rings, 1 to 4
        parts.append(f'<polygon points="{ring(level)}" fill="none" stroke="#d0d0d0"/>')
        x, y = point(0, level)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" fill="#888">{level}</text>')
    if pass_line is not None:
        parts.append(
            f'<polygon class="pass-line" points="{ring(pass_line)}" fill="none" '
            f'stroke="{THRESHOLD_COLOUR}" stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    for i, key in enumerate(keys):
        x, y = point(i, 4)
        lx, ly = point(i, 4 + 10 / radius * 4)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        ly += 4 if abs(lx - cx) >= 10 else (-2 if ly < cy else FONT)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#999"/>')
        parts.append(
            f'<text class="axis" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
            f"{escape(axes[key])}</text>"
        )
    legend_top = size - legend_h + FONT + 4
    rows: list[tuple[str, str, str]] = []
    for legend, kind, means in series:
        colour, dash = RADAR.get(kind, ("#2ca02c", ""))
        shape = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, means.get(k, 0)) for i, k in enumerate(keys))
        )
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polygon class="series" data-kind="{escape(kind)}" points="{shape}" '
            f'fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"{dashes}/>'
        )
        mean = sum(means.get(k, 0) for k in keys) / len(keys)
        rows.append(
            (word(RADAR_WORDS[0]) % {"legend": legend, "mean": f"{mean:.2f}"}, colour, dashes)
        )
    if pass_line is not None:
        rows.append(
            (
                word(RADAR_WORDS[1]) % {"line": f"{pass_line:.1f}"},
                THRESHOLD_COLOUR,
                ' stroke-dasharray="2 3"',
            )
        )
    for n, (text, colour, dashes) in enumerate(rows):
        y = legend_top + n * (FONT + 8)
        parts.append(
            f'<line x1="12" y1="{y - 4:.1f}" x2="36" y2="{y - 4:.1f}" stroke="{colour}" '
            f'stroke-width="2"{dashes}/><text x="42" y="{y:.1f}">'
            f"{escape(_fitted(text, size - 54, FONT))}</text>"
        )
    if not series:
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + radius / 2:.1f}" text-anchor="middle">'
            f"{escape(word(RADAR_WORDS[2]))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


BAR_COLOUR = "#1f5fa8"


def bar_chart(
    title: str, bars: list[tuple[str, float, str]], width: int = 720, empty: str = "No data"
) -> str:
    """Horizontal bars, one per ``(label, value, value as written)``, from a zero line: the
    labels on the left (shortened to fit), each value written at its bar's end. The caller
    gives every word in the reader's language."""
    row = FONT + 12
    top = TITLE_FONT + 20
    height = top + max(len(bars), 1) * row + 12
    parts = _svg(width, height)
    parts.append(
        f'<text x="{width / 2:.1f}" y="{TITLE_FONT + 6}" text-anchor="middle" '
        f'font-size="{TITLE_FONT}">{escape(_fitted(title, width - 16, TITLE_FONT))}</text>'
    )
    if not bars:
        parts.append(f'<text x="{width / 2:.1f}" y="{top + FONT}" text-anchor="middle">')
        parts.append(f"{escape(_fitted(empty, width - 16, FONT))}</text></svg>")
        return "".join(parts)
    label_room = min(max(text_width(label) for label, _, _ in bars), width * 0.35)
    value_room = max(text_width(written) for _, _, written in bars)
    left = 8 + label_room + 8
    room = max(width - left - value_room - 16, 10.0)
    most = max((value for _, value, _ in bars), default=0.0) or 1.0
    for n, (label, value, written) in enumerate(bars):
        y = top + n * row
        length = room * max(value, 0.0) / most
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + FONT:.1f}" text-anchor="end">'
            f"{escape(_fitted(label, label_room, FONT))}</text>"
            f'<rect class="bar" x="{left:.1f}" y="{y + 2:.1f}" width="{length:.1f}" '
            f'height="{row - 6:.1f}" fill="{BAR_COLOUR}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + FONT:.1f}">{escape(written)}</text>'
        )
    parts.append(
        f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{height - 10:.1f}" '
        'stroke="#555"/></svg>'
    )
    return "".join(parts)
