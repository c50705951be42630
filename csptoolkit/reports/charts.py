"""SVG charts drawn from a template string: cheap enough for dozens per page or PDF, accessible, no JavaScript.

Every chart has a <title> and <desc> and is labelled by them; the page or PDF shows the same numbers in a table.
Colour is never the only signal: the authority's own mark is a diamond with a text label, peers are circles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 240
ROW_HEIGHT = 46
TOP = 34
PLOT_WIDTH = WIDTH - LABEL_WIDTH - 20
# Presentation attributes, not a <style> element: the page's Content-Security-Policy forbids inline styles,
# and a PDF renderer needs no stylesheet to draw the chart.
INK, GRID, BLUE = "#0b0c0c", "#b1b4b6", "#1d70b8"


@dataclass
class DistributionRow:
    """One row of a distribution chart: a label, the group's scores, its quartiles, and the authority's score."""

    label: str
    values: Sequence[float]
    own: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None


def _x(score: float) -> float:
    return round(LABEL_WIDTH + PLOT_WIDTH * max(0.0, min(100.0, score)) / 100, 1)


def distribution_chart(rows: Sequence[DistributionRow], title: str, description: str, chart_id: str,
                       own_label: str = "You") -> Markup:
    """Horizontal strip-and-box chart on a 0-100 axis: one row per domain (or region, or standard)."""
    height = TOP + ROW_HEIGHT * len(rows) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="csp-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<g font-family="arial, sans-serif" font-size="13" fill="{INK}">',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = _x(tick)
        parts.append(f'<line stroke="{GRID}" x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{height - 26}"/>')
        parts.append(f'<text x="{x}" y="{height - 10}" text-anchor="middle">{tick}</text>')
    for index, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 4}" text-anchor="end">{escape(_short(row.label))}</text>')
        if row.q1 is not None and row.q3 is not None and row.median is not None:
            parts.append(f'<rect fill="#d2e2f1" stroke="{BLUE}" stroke-width="1.5" x="{_x(row.q1)}" y="{y - 10}" '
                         f'width="{_x(row.q3) - _x(row.q1)}" height="20"/>')
            parts.append(f'<line stroke="{INK}" stroke-width="3" x1="{_x(row.median)}" y1="{y - 10}" '
                         f'x2="{_x(row.median)}" y2="{y + 10}"/>')
        for value in row.values:
            parts.append(f'<circle fill="#505a5f" fill-opacity="0.55" cx="{_x(value)}" cy="{y}" r="3.5"/>')
        if row.own is not None:
            x = _x(row.own)
            parts.append(f'<path fill="#d4351c" stroke="{INK}" stroke-width="1.5" '
                         f'd="M{x} {y - 9} L{x + 7} {y} L{x} {y + 9} L{x - 7} {y} Z"/>')
            parts.append(f'<text x="{x}" y="{y - 13}" text-anchor="middle" font-weight="bold">'
                         f'{escape(own_label)}</text>')
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def trend_chart(cycles: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], title: str,
                description: str, chart_id: str) -> Markup:
    """Lines across cycles on a 0-100 axis; each series is (label, values by cycle, dash pattern)."""
    height = 260
    left, right, top, bottom = 100, WIDTH - 150, 20, height - 40
    step = (right - left) / max(1, len(cycles) - 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return round(left + step * i if len(cycles) > 1 else (left + right) / 2, 1), round(
            bottom - (bottom - top) * v / 100, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="csp-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<g font-family="arial, sans-serif" font-size="13" fill="{INK}">',
    ]
    for tick in (0, 25, 50, 75, 100):
        _, y = point(0, tick)
        parts.append(f'<line stroke="{GRID}" x1="{left}" y1="{y}" x2="{right}" y2="{y}"/>'
                     f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{tick}</text>')
    for i, cycle in enumerate(cycles):
        x, _ = point(i, 0)
        parts.append(f'<text x="{x}" y="{height - 16}" text-anchor="middle">{escape(cycle)}</text>')
    colours = ("#1d70b8", "#0b0c0c", "#00703c", "#5694ca")
    for s_index, (label, values, dash) in enumerate(series):
        colour = colours[s_index % len(colours)]
        points = [point(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke-width="3" points="{path}" stroke="{colour}" '
                         f'stroke-dasharray="{dash}"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}"/>')
        if points:
            x, y = points[-1]
            parts.append(f'<text x="{x + 10}" y="{y + 4}" fill="{colour}">{escape(label)}</text>')
    parts.append("</g></svg>")
    return Markup("".join(parts))
