"""A cumulative line chart as SVG text: drawn on the server, byte-stable, accessible, no script.

The chart carries role="img" with a title and a description; the numbers themselves are in the
table the page puts beside it, so the drawing never has to be read precisely. Colours are
presentation attributes (the pages' Content-Security-Policy forbids inline styles) and pass
WCAG 2.1 non-text contrast (3:1) against white; the target is dashed, so it does not rely on colour.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 360, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 28, 22, 34
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
COLOURS = {"line": "#0b5394", "target": "#4a5160", "axis": "#4a5160", "grid": "#dde1e7", "text": "#1b1e23"}
MAX_X_LABELS = 5
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
Scale = Callable[[float], float]  # a value to its y coordinate


@dataclass(frozen=True)
class LineChart:
    """One cumulative series (whole numbers, one per x label) and an optional target line."""

    title: str
    description: str
    x_labels: tuple[str, ...]
    values: tuple[int, ...]
    target: int | None = None
    target_label: str = ""

    def __post_init__(self) -> None:
        if not self.values or len(self.values) != len(self.x_labels):
            raise ValueError("a chart needs one value per x label, and at least one")


def render_line_chart(chart: LineChart, *, chart_id: str, standalone: bool = False) -> str:
    """SVG markup for `chart`; `standalone` adds the XML declaration, namespace and size for a file.

    `chart_id` prefixes the title and description ids, so several charts can share one page.
    """
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: lower-case letters, digits and hyphens only")
    step, top = axis_scale(max(*chart.values, chart.target or 0, 1))
    y = _y_of(top)
    head = (f' xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" height="{HEIGHT}"'
            if standalone else "")
    lines = [
        *(['<?xml version="1.0" encoding="UTF-8"?>'] if standalone else []),
        f'<svg{head} viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{_text(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(chart.description)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<g font-family={quoteattr(FONT)} font-size="13" fill="{COLOURS["text"]}">',
        *_y_axis(step, top, y),
        *_x_axis(chart.x_labels),
        *_target(chart, y),
        *_series(chart.values, y),
        "</g>",
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def axis_scale(highest: int) -> tuple[int, int]:
    """A round step (1, 2 or 5 times a power of ten) giving at most five intervals, and the axis top."""
    power = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * power
            if highest <= 5 * step:
                return step, step * -(-highest // step)
        power *= 10


def _y_of(top: int) -> Scale:
    plot = HEIGHT - TOP - BOTTOM
    return lambda value: TOP + plot - plot * value / top


def _x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    return LEFT + plot / 2 if count == 1 else LEFT + plot * index / (count - 1)


def _y_axis(step: int, top: int, y: Scale) -> list[str]:
    out = []
    for value in range(0, top + 1, step):
        out.append(f'<line x1="{LEFT}" y1="{_num(y(value))}" x2="{WIDTH - RIGHT}" y2="{_num(y(value))}" '
                   f'stroke="{COLOURS["grid"] if value else COLOURS["axis"]}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{_num(y(value) + 4)}" text-anchor="end">{value}</text>')
    return out


def _x_axis(labels: tuple[str, ...]) -> list[str]:
    every = -(-len(labels) // MAX_X_LABELS)
    return [f'<text x="{_num(_x(i, len(labels)))}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
            f'{_text(label)}</text>' for i, label in enumerate(labels) if i % every == 0]


def _target(chart: LineChart, y: Scale) -> list[str]:
    if chart.target is None:
        return []
    at = _num(y(chart.target))
    return [f'<line x1="{LEFT}" y1="{at}" x2="{WIDTH - RIGHT}" y2="{at}" stroke="{COLOURS["target"]}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>',
            f'<text x="{LEFT + 4}" y="{_num(y(chart.target) - 5)}">'
            f'{_text(chart.target_label)}</text>']


def _series(values: tuple[int, ...], y: Scale) -> list[str]:
    points = [(_x(i, len(values)), y(v)) for i, v in enumerate(values)]
    path = " ".join(f"{_num(px)},{_num(py)}" for px, py in points)
    last_x, last_y = points[-1]
    return [f'<polyline points="{path}" fill="none" stroke="{COLOURS["line"]}" stroke-width="2.5" '
            f'stroke-linejoin="round"/>',
            *(f'<circle cx="{_num(px)}" cy="{_num(py)}" r="3" fill="{COLOURS["line"]}"/>'
              for px, py in points),
            f'<text x="{_num(last_x - 6)}" y="{_num(last_y - 8)}" text-anchor="end" font-weight="bold">'
            f'{values[-1]}</text>']


def _num(value: float) -> str:
    """Two decimals at most and no trailing zeros, so the output never depends on float repr."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))
