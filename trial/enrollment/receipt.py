"""The participant's consent receipt (a PDF), and the consent document's text as headings and paragraphs.

`render_receipt` is a function from plain data to bytes (style point 15); `receipt_data` gathers
those data in the participant's language. The document text is the approved markdown stored with
the trial; only headings and paragraphs are recognised and everything else is shown as the text it
is, so nothing in a document can become markup on a page or in the PDF.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from markupsafe import escape as html_escape
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..models import Consent, Screening
from ..protocol import Protocol
from ..sealing import unseal

# Bitstream Vera ships with ReportLab and covers æ, ø and å; it is embedded in every receipt.
FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
FONT, BOLD = "Vera", "Vera-Bold"
HOW = {"electronic": _l("Electronically, signed on the device"), "paper": _l("On a signed paper form")}


@dataclass(frozen=True)
class Block:
    kind: str   # "heading" (level 1-3) or "paragraph"
    text: str
    level: int = 0


def document_blocks(markdown: str) -> list[Block]:
    """Split a document into headings (#, ##, ###) and paragraphs (lines joined up to a blank line)."""
    blocks: list[Block] = []
    lines: list[str] = []

    def close() -> None:
        if lines:
            blocks.append(Block("paragraph", " ".join(lines)))
            lines.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        hashes = len(line) - len(line.lstrip("#"))
        if 1 <= hashes <= 3 and line[hashes:hashes + 1] == " ":
            close()
            blocks.append(Block("heading", line[hashes:].strip(), level=hashes))
        elif not line:
            close()
        else:
            lines.append(line)
    close()
    return blocks


def document_html(markdown: str, top_level: int = 2) -> Markup:
    """The document as escaped HTML: headings start at <h{top_level}>, everything else is a paragraph."""
    parts = []
    for block in document_blocks(markdown):
        text = html_escape(block.text)
        if block.kind == "heading":
            level = min(block.level + top_level - 1, 6)
            parts.append(f"<h{level}>{text}</h{level}>")
        else:
            parts.append(f"<p>{text}</p>")
    return Markup("\n".join(parts))  # noqa: S704 - every piece of text above is escaped


@dataclass(frozen=True)
class ReceiptData:
    """Everything on a receipt, already in the participant's language."""

    heading: str
    trial_title: str
    facts: list[tuple[str, str]]          # label, value: name, version, date, method, taken by...
    options_heading: str
    options: list[tuple[str, str]]        # option text, "Yes"/"No"
    document_heading: str
    document: str                         # the consent document's markdown


def _fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT not in registered:
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "Vera.ttf")))
    if BOLD not in registered:
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "VeraBd.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=6)
    return {"body": body,
            "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20,
                                    spaceAfter=4),
            "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=13, leading=17, spaceBefore=8),
            "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=11, leading=15, spaceBefore=6)}


def render_receipt(data: ReceiptData) -> bytes:
    """An A4 PDF receipt with the Vera font embedded; every text is escaped before ReportLab reads it."""
    _fonts()
    styles = _styles()

    def para(text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    story: list[Flowable] = [para(data.heading, "title"), para(data.trial_title, "h2"), Spacer(1, 4 * mm)]
    story.append(_table([(para(label), para(value)) for label, value in data.facts]))
    if data.options:
        story += [para(data.options_heading, "h1"),
                  _table([(para(text), para(answer)) for text, answer in data.options])]
    story.append(para(data.document_heading, "h1"))
    for block in document_blocks(data.document):
        story.append(para(block.text, "h1" if block.kind == "heading" and block.level == 1 else
                          "h2" if block.kind == "heading" else "body"))
    buffer = io.BytesIO()
    # The PDF's own metadata names no person: the file may be stored or forwarded.
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                      bottomMargin=20 * mm, title=data.heading, author=data.trial_title).build(story)
    return buffer.getvalue()


def _table(rows: list[tuple[Paragraph, Paragraph]]) -> Table:
    table = Table(rows, colWidths=[55 * mm, 115 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#c4c9d2")]))
    return table


def receipt_data(p: Protocol, screening: Screening, consent: Consent, document: str) -> ReceiptData:
    """A consent's receipt in the language it was given in, with the participant's name: it is their own."""
    language = consent.language
    with force_locale(language):
        facts = [(_("Participant"), unseal(screening, "name")),
                 (_("Guardian"), unseal(consent, "guardian_name")),
                 (_("Consent version"), consent.version),
                 (_("Date of consent"), consent.consented_on.isoformat()),
                 (_("How consent was given"), str(HOW[consent.method])),
                 (_("Signed on the device as"), unseal(consent, "signature")),
                 (_("Consent taken by"), consent.taken_by), (_("Site"), screening.site.name)]
        texts = {o.code: o.text.get(language) or next(iter(o.text.values())) for o in p.consent_options}
        options = [(texts.get(code, code), _("Yes") if given else _("No"))
                   for code, given in consent.options.items()]
        return ReceiptData(
            heading=_("Consent receipt"), trial_title=p.trial.title,
            facts=[(label, value) for label, value in facts if value], options_heading=_("Separate consents"),
            options=options, document_heading=_("The information you consented to"), document=document)
