"""Paint the CONSORT layout on one A4 page with ReportLab, byte-stable for the same input."""
from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .boxes import Arrow, Rect, Text
from .labels import LabelSet, Language
from .layout import STYLE, Diagram, layout
from .records import FlowDesign

# Bitstream Vera ships inside ReportLab, so no system font path is needed; it covers æøå ÆØÅ,
# and metrics.py holds its widths for the layout.
_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
FONTS = {False: ("ConsortVera", "Vera.ttf"), True: ("ConsortVera-Bold", "VeraBd.ttf")}
PAGE_MARGIN = 28.0


def render_pdf(result: Mapping[str, Any], design: FlowDesign, *, labels: LabelSet = "2010",
               language: Language = "en") -> bytes:
    """The flow diagram of a `consort()` result as a one-page A4 PDF, scaled down to fit if needed."""
    register_fonts()
    diagram = layout(result, design, labels=labels, language=language)
    buffer = io.BytesIO()
    # invariant=1 fixes the creation date and document id, so the same input gives the same bytes.
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(diagram.title)
    canvas.setSubject(diagram.description)
    canvas.setCreator("trial.consort")
    _place(canvas, diagram)
    for rect in diagram.rects:
        _rect(canvas, rect)
    for arrow in diagram.arrows:
        _arrow(canvas, arrow)
    canvas.setFillColor(HexColor(STYLE["text"]))
    for text in diagram.texts:
        _text(canvas, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def register_fonts() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in FONTS.values():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / filename)))


def _place(canvas: Canvas, diagram: Diagram) -> None:
    """Map layout points (top-left origin, y down) onto the page: centred, top-aligned, shrunk to fit."""
    page_width, page_height = A4
    scale = min(1.0, (page_width - 2 * PAGE_MARGIN) / diagram.width,
                (page_height - 2 * PAGE_MARGIN) / diagram.height)
    canvas.translate((page_width - diagram.width * scale) / 2, page_height - PAGE_MARGIN)
    canvas.scale(scale, scale)


def _rect(canvas: Canvas, rect: Rect) -> None:
    stage = rect.kind == "stage"
    canvas.setLineWidth(STYLE["box_line"])
    canvas.setFillColor(HexColor(STYLE["stage_fill" if stage else "box_fill"]))
    canvas.setStrokeColor(HexColor(STYLE["stage_stroke" if stage else "stroke"]))
    if stage:
        canvas.roundRect(rect.x, -rect.bottom, rect.w, rect.h, 4, stroke=1, fill=1)
    else:
        canvas.rect(rect.x, -rect.bottom, rect.w, rect.h, stroke=1, fill=1)


def _arrow(canvas: Canvas, arrow: Arrow) -> None:
    canvas.setLineWidth(STYLE["arrow_line"])
    canvas.setStrokeColor(HexColor(STYLE["stroke"]))
    canvas.setFillColor(HexColor(STYLE["stroke"]))
    for points, closed in ((arrow.points, False), (arrow.head, True)):
        path = canvas.beginPath()
        path.moveTo(points[0][0], -points[0][1])
        for x, y in points[1:]:
            path.lineTo(x, -y)
        if closed:
            path.close()
        canvas.drawPath(path, stroke=0 if closed else 1, fill=1 if closed else 0)


def _text(canvas: Canvas, text: Text) -> None:
    canvas.setFont(FONTS[text.bold][0], text.size)
    if text.rotated:
        canvas.saveState()
        canvas.translate(text.x, -text.y)
        canvas.rotate(90)
        canvas.drawCentredString(0, 0, text.text)
        canvas.restoreState()
    elif text.anchor == "middle":
        canvas.drawCentredString(text.x, -text.y, text.text)
    else:
        canvas.drawString(text.x, -text.y, text.text)
