"""Paint the CONSORT layout as a standalone, accessible, byte-stable SVG document."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .boxes import Arrow, Rect, Text
from .labels import LabelSet, Language
from .layout import STYLE, layout
from .records import FlowDesign

# Vera's metrics are what the layout measured; DejaVu Sans shares them, Verdana is close.
FONT_FAMILY = "'Bitstream Vera Sans', 'DejaVu Sans', Verdana, sans-serif"
# Characters XML 1.0 forbids; free-text reasons could carry them and would break the document.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_svg(result: Mapping[str, Any], design: FlowDesign, *, labels: LabelSet = "2010",
               language: Language = "en") -> str:
    """The flow diagram of a `consort()` result as SVG text (no external fonts, CSS or scripts)."""
    diagram = layout(result, design, labels=labels, language=language)
    width, height = _num(diagram.width), _num(diagram.height)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="consort-title consort-desc" '
        f'lang="{language}">',
        f'<title id="consort-title">{_escape(diagram.title)}</title>',
        f'<desc id="consort-desc">{_escape(diagram.description)}</desc>',
        f'<rect width="100%" height="100%" fill="{STYLE["box_fill"]}"/>',
        *(_rect(r) for r in diagram.rects),
        f'<g fill="none" stroke="{STYLE["stroke"]}" stroke-width="{STYLE["arrow_line"]}">',
        *(_line(a) for a in diagram.arrows),
        "</g>",
        f'<g fill="{STYLE["stroke"]}" stroke="none">',
        *(_head(a) for a in diagram.arrows),
        "</g>",
        f'<g font-family={quoteattr(FONT_FAMILY)} fill="{STYLE["text"]}">',
        *(_text(t) for t in diagram.texts),
        "</g>",
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def _num(value: float) -> str:
    """Two decimals at most and no trailing zeros, so output never depends on float repr."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _rect(rect: Rect) -> str:
    if rect.kind == "stage":
        fill, stroke, radius = STYLE["stage_fill"], STYLE["stage_stroke"], ' rx="4"'
    else:
        fill, stroke, radius = STYLE["box_fill"], STYLE["stroke"], ""
    return (f'<rect x="{_num(rect.x)}" y="{_num(rect.y)}" width="{_num(rect.w)}" height="{_num(rect.h)}"'
            f'{radius} fill="{fill}" stroke="{stroke}" stroke-width="{STYLE["box_line"]}"/>')


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _line(arrow: Arrow) -> str:
    return f'<polyline points="{_points(arrow.points)}"/>'


def _head(arrow: Arrow) -> str:
    return f'<polygon points="{_points(arrow.head)}"/>'


def _text(text: Text) -> str:
    x, y = _num(text.x), _num(text.y)
    attributes = [f'x="{x}"', f'y="{y}"', f'font-size="{_num(text.size)}"']
    if text.bold:
        attributes.append('font-weight="bold"')
    if text.anchor == "middle":
        attributes.append('text-anchor="middle"')
    if text.rotated:
        attributes.append(f'transform="rotate(-90 {x} {y})"')
    return f"<text {' '.join(attributes)}>{_escape(text.text)}</text>"


def _escape(text: str) -> str:
    return escape(_NOT_XML.sub("", text))
