"""Drawing primitives shared by the SVG and PDF painters, and text wrapped into boxes.

Coordinates are points with the origin at the top left and y growing downwards (as in SVG); the
PDF painter flips them. Every position is decided here once, so both outputs agree.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .metrics import text_width

BODY_SIZE = 8.5
LINE_HEIGHT = 11.0
PADDING = 6.0
# Distance from a line's top to its baseline: Vera's ascent is 0.93 em, centred in the line.
_BASELINE = (LINE_HEIGHT + BODY_SIZE * 0.76) / 2


@dataclass(frozen=True)
class Text:
    text: str
    x: float
    y: float  # baseline
    size: float = BODY_SIZE
    bold: bool = False
    anchor: Literal["start", "middle"] = "start"
    rotated: bool = False  # reads bottom to top, centred on (x, y)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    kind: Literal["box", "stage"] = "box"

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def centre_x(self) -> float:
        return self.x + self.w / 2


@dataclass(frozen=True)
class Arrow:
    """An orthogonal line through `points`, ending at the base of the filled triangle `head`."""

    points: tuple[tuple[float, float], ...]
    head: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Entry:
    """One paragraph of a box: wrapped to the box, continuation lines indented by `hang`."""

    text: str
    bold: bool = False
    indent: float = 0.0
    hang: float = 0.0


def bullet(text: str, indent: float = 8.0) -> Entry:
    """A list item: en dash, then text whose wrapped lines align after the dash."""
    return Entry(f"\u2013 {text}", indent=indent, hang=text_width("\u2013 ", BODY_SIZE))


def wrap(text: str, width: float, *, size: float = BODY_SIZE, bold: bool = False,
         hang: float = 0.0) -> list[str]:
    """Greedy word wrap to `width` points; a word wider than a line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        room = width - (hang if lines else 0.0)
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold=bold) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
            room = width - hang
        current = word
        while text_width(current, size, bold=bold) > room and len(current) > 1:
            cut = _fitting_prefix(current, room, size, bold)
            lines.append(current[:cut])
            current = current[cut:]
            room = width - hang
    return [*lines, current] if current or not lines else lines


def _fitting_prefix(word: str, width: float, size: float, bold: bool) -> int:
    cut = len(word) - 1
    while cut > 1 and text_width(word[:cut], size, bold=bold) > width:
        cut -= 1
    return cut


def box_height(entries: Sequence[Entry], width: float) -> float:
    """Height of a box of `width` holding `entries`."""
    return 2 * PADDING + LINE_HEIGHT * sum(len(_lines(e, width)) for e in entries)


def _lines(entry: Entry, width: float) -> list[str]:
    return wrap(entry.text, width - 2 * PADDING - entry.indent, bold=entry.bold, hang=entry.hang)


def box(x: float, y: float, width: float, entries: Sequence[Entry], *, height: float = 0.0,
        centred: bool = False) -> tuple[Rect, list[Text]]:
    """A box at (x, y), at least `height` tall, with its entries' lines; `centred` centres each line."""
    texts: list[Text] = []
    top = y + PADDING
    for entry in entries:
        for i, line in enumerate(_lines(entry, width)):
            left = x + PADDING + entry.indent + (entry.hang if i else 0.0)
            texts.append(Text(line, x + width / 2 if centred else left, top + _BASELINE, bold=entry.bold,
                              anchor="middle" if centred else "start"))
            top += LINE_HEIGHT
    return Rect(x, y, width, max(height, top + PADDING - y)), texts


def arrow(points: Sequence[tuple[float, float]], *, size: float = 6.0) -> Arrow:
    """An arrow along horizontal/vertical `points` (repeats dropped) whose last segment gets a head."""
    path = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    (x0, y0), (x1, y1) = path[-2], path[-1]
    dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
    base = (x1 - dx * size, y1 - dy * size)
    half = size * 0.55
    head = ((base[0] - dy * half, base[1] - dx * half), (base[0] + dy * half, base[1] + dx * half), (x1, y1))
    return Arrow(tuple([*path[:-1], base]), head)
