"""Charts as SVG, drawn by hand (NAV trend, capability radar): no plotting library."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 800, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 50, 50
SERIES = (("unit_nav", "Unit NAV", "#1f77b4"), ("accumulated_nav", "Accumulated NAV", "#d62728"))


def nav_chart(title: str, points: list[tuple[date, Decimal, Decimal]]) -> str:
    """Unit and accumulated NAV over time, with axes, ticks and a legend."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="16">{escape(title)}</text>',
    ]
    if len(points) < 2:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            "Not enough NAV history in this range</text></svg>"
        )
        return "".join(parts)
    days = [p[0].toordinal() for p in points]
    values = [float(v) for p in points for v in p[1:]]
    low, high = min(values), max(values)
    if high == low:
        low, high = low * 0.99, high * 1.01
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: int) -> float:
        return LEFT + (day - days[0]) / max(days[-1] - days[0], 1) * plot_w

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" '
        f'y2="{TOP + plot_h}" stroke="black"/>'
    )
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>')
    for n in range(6):
        value = low + (high - low) * n / 5
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" '
            f'y2="{y(value):.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.4f}</text>'
        )
    for n in range(5):
        index = round(n * (len(points) - 1) / 4)
        parts.append(
            f'<text x="{x(days[index]):.1f}" y="{TOP + plot_h + 18}" '
            f'text-anchor="middle">{points[index][0].isoformat()}</text>'
        )
    series = ([float(p[1]) for p in points], [float(p[2]) for p in points])
    for column, (_, label, colour) in enumerate(SERIES, start=1):
        values_of = series[column - 1]
        line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in zip(days, values_of, strict=True))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{line}"/>'
        )
        legend_y = TOP - 14 + 14 * (column - 1)
        parts.append(
            f'<rect x="{LEFT + 10}" y="{legend_y - 9}" width="12" height="3" '
            f'fill="{colour}"/><text x="{LEFT + 28}" y="{legend_y - 4}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


RADAR = {"self": ("#1f77b4", "6 3"), "onsite": ("#d62728", "")}


def radar_chart(
    title: str, axes: dict[str, str], series: list[tuple[str, str, dict[str, float]]]
) -> str:
    """A radar chart on a 0-4 scale: one labelled axis per section, one polygon per
    assessment (self-assessments dashed blue, on-site audits solid red), with a legend."""
    size, cx, cy, radius = 640, 320, 330, 200
    keys = list(axes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" font-family="sans-serif" font-size="12">',
        f'<rect width="{size}" height="{size}" fill="white"/>',
        f'<text x="{cx}" y="26" text-anchor="middle" font-size="16">{escape(title)}</text>',
    ]

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(keys)
        r = radius * value / 4
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for level in range(1, 5):  # the rings, 1 to 4
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(len(keys))))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ccc"/>')
        x, y = point(0, level)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" fill="#888">{level}</text>')
    for i, key in enumerate(keys):
        x, y = point(i, 4)
        lx, ly = point(i, 4.45)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#999"/>')
        parts.append(
            f'<text class="axis" x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}">'
            f"{escape(axes[key])}</text>"
        )
    for n, (legend, kind, means) in enumerate(series):
        colour, dash = RADAR.get(kind, ("#2ca02c", ""))
        shape = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, means.get(k, 0)) for i, k in enumerate(keys))
        )
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polygon class="series" data-kind="{escape(kind)}" points="{shape}" '
            f'fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"{dashes}/>'
        )
        y = size - 20 - 18 * (len(series) - 1 - n)
        parts.append(
            f'<line x1="20" y1="{y - 4}" x2="44" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2"{dashes}/><text x="50" y="{y}">{escape(legend)}</text>'
        )
    if not series:
        parts.append(
            f'<text x="{cx}" y="{size - 20}" text-anchor="middle">No assessments yet</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
