"""SVG charts drawn from a template string: cheap enough for dozens per page or PDF, accessible, no JavaScript.

Every chart has a <title> and <desc> and is labelled by them, and a legend in HTML says what each mark is; the
page or PDF shows the same numbers in a table. Colour is never the only signal: the authority's own mark is a
diamond with a text label, the median a thick line, the quartiles a box, the range a thin line, members dots.
A chart draws only the marks its rows carry: the caller leaves out what the disclosure rule withholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 240
ROW_HEIGHT = 46
LINE_HEIGHT = 15
LABEL_CHARACTERS = 32  # what fits in LABEL_WIDTH at 13 px Arial, with room for wide letters
TOP = 34
PLOT_WIDTH = WIDTH - LABEL_WIDTH - 20
# Presentation attributes, not a <style> element: the page's Content-Security-Policy forbids inline styles,
# and a PDF renderer needs no stylesheet to draw the chart.
INK, GRID, BLUE, RED, GREY = "#0b0c0c", "#b1b4b6", "#1d70b8", "#d4351c", "#505a5f"


@dataclass
class DistributionRow:
    """One row of a distribution chart: a label, the members' scores (dots), the group's quartiles and range,
    and the authority's score. Anything None or empty is not drawn."""

    label: str
    values: Sequence[float] = ()
    own: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass
class Legend:
    """What each mark means, in the reader's language; only the marks the chart draws are listed."""

    own: str = ""
    dots: str = ""
    box: str = ""
    median: str = ""
    range: str = ""
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # trend: (label, colour, dash pattern)


def _x(score: float) -> float:
    return round(LABEL_WIDTH + PLOT_WIDTH * max(0.0, min(100.0, score)) / 100, 1)


def wrap(label: str, width: int = LABEL_CHARACTERS) -> list[str]:
    """A label broken into lines at spaces, so that no name is cut short."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def distribution_chart(rows: Sequence[DistributionRow], title: str, description: str, chart_id: str,
                       own_label: str = "You", legend: Legend | None = None) -> Markup:
    """Horizontal strip-and-box chart on a 0-100 axis: one row per domain (or region, or standard)."""
    labels = [wrap(row.label) for row in rows]
    heights = [max(ROW_HEIGHT, LINE_HEIGHT * len(lines) + 16) for lines in labels]
    height = TOP + sum(heights) + 30
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
    drawn: set[str] = set()
    top = TOP
    for row, lines, row_height in zip(rows, labels, heights, strict=True):
        y = top + row_height / 2
        top += row_height
        first = y + 4 - LINE_HEIGHT * (len(lines) - 1) / 2
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{first}" text-anchor="end">' + "".join(
            f'<tspan x="{LABEL_WIDTH - 8}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)) + "</text>")
        if row.low is not None and row.high is not None:
            drawn.add("range")
            parts.append(f'<line stroke="{INK}" stroke-width="1.5" x1="{_x(row.low)}" y1="{y}" x2="{_x(row.high)}" '
                         f'y2="{y}"/>')
        if row.q1 is not None and row.q3 is not None and row.median is not None:
            drawn.update(("box", "median"))
            parts.append(f'<rect fill="#d2e2f1" stroke="{BLUE}" stroke-width="1.5" x="{_x(row.q1)}" y="{y - 10}" '
                         f'width="{round(_x(row.q3) - _x(row.q1), 1)}" height="20"/>')
            parts.append(f'<line stroke="{INK}" stroke-width="3" x1="{_x(row.median)}" y1="{y - 10}" '
                         f'x2="{_x(row.median)}" y2="{y + 10}"/>')
        for value in row.values:
            drawn.add("dots")
            parts.append(f'<circle fill="{GREY}" fill-opacity="0.55" cx="{_x(value)}" cy="{y}" r="3.5"/>')
        if row.own is not None:
            drawn.add("own")
            x = _x(row.own)
            parts.append(f'<path fill="{RED}" stroke="{INK}" stroke-width="1.5" '
                         f'd="M{x} {y - 9} L{x + 7} {y} L{x} {y + 9} L{x - 7} {y} Z"/>')
            parts.append(f'<text x="{x}" y="{y - 13}" text-anchor="middle" font-weight="bold">'
                         f'{escape(own_label)}</text>')
    parts.append("</g></svg>")
    chart = Markup("".join(parts))
    return chart + _legend(legend, drawn, chart_id) if legend else chart


_SYMBOLS = {
    "own": f'<path fill="{RED}" stroke="{INK}" stroke-width="1.5" d="M14 2 L21 10 L14 18 L7 10 Z"/>',
    "dots": f'<circle fill="{GREY}" fill-opacity="0.55" cx="14" cy="10" r="4"/>',
    "box": f'<rect fill="#d2e2f1" stroke="{BLUE}" stroke-width="1.5" x="3" y="2" width="22" height="16"/>',
    "median": f'<line stroke="{INK}" stroke-width="3" x1="14" y1="1" x2="14" y2="19"/>',
    "range": f'<line stroke="{INK}" stroke-width="1.5" x1="1" y1="10" x2="27" y2="10"/>',
}


def _symbol(inner: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" '
            f'focusable="false" class="csp-legend__symbol">{inner}</svg>')


def _legend(legend: Legend, drawn: set[str], chart_id: str) -> Markup:
    items = [(_symbol(_SYMBOLS[mark]), text) for mark in ("own", "median", "box", "range", "dots")
             if mark in drawn and (text := getattr(legend, mark))]
    for label, colour, dash in legend.lines:
        line = f'<line stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}" x1="1" y1="10" x2="27" y2="10"/>'
        items.append((_symbol(line + f'<circle cx="14" cy="10" r="4" fill="{colour}"/>'), label))
    if not items:
        return Markup("")
    listed = "".join(f"<li>{symbol} {escape(text)}</li>" for symbol, text in items)
    return Markup(f'<ul class="govuk-list csp-legend" id="{chart_id}-legend">{listed}</ul>')


COLOURS = ("#1d70b8", "#0b0c0c", "#00703c", "#5694ca")


def trend_chart(cycles: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], title: str,
                description: str, chart_id: str) -> Markup:
    """Lines across cycles on a 0-100 axis; each series is (label, values by cycle, dash pattern). The legend
    below names the lines (labels at the lines' ends would run off the chart with a long authority name)."""
    height = 260
    left, right, top, bottom = 60, WIDTH - 40, 20, height - 40
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
    legend = Legend()
    for s_index, (label, values, dash) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        points = [point(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke-width="3" points="{path}" stroke="{colour}" '
                         f'stroke-dasharray="{dash}"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}"/>')
        if points:
            legend.lines.append((label, colour, dash))
    parts.append("</g></svg>")
    return Markup("".join(parts)) + _legend(legend, set(), chart_id)
