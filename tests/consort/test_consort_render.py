"""The diagram: golden SVG, both label sets and languages, sane geometry, and a PDF that renders."""
from __future__ import annotations

import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from trial.consort import (
    DEFAULT_REASONS,
    NO_REASON_GIVEN,
    Departure,
    FlowDesign,
    Participant,
    Screening,
    Visit,
    consort,
    render_pdf,
    render_svg,
)
from trial.consort.boxes import PADDING, wrap
from trial.consort.labels import Labels, LabelSet, Language
from trial.consort.layout import Diagram, layout
from trial.consort.metrics import text_width
from trial.consort.pdf import FONTS, register_fonts
from trial.consort.records import DEPARTURE_KINDS

from .ips_records import AS_OF, ips_trial
from .make_golden import CASES, GOLDEN, golden_svg

SVG = "{http://www.w3.org/2000/svg}"
COMBINATIONS = list(itertools.product(("2010", "2025"), ("en", "nb")))
EXPECTED = {
    ("2010", "en"): ["Enrollment", "Allocation", "Follow-Up", "Analysis", "Assessed for eligibility (n=429)",
                     "Excluded (n=19)", "Not meeting inclusion criteria (n=1)",
                     "Declined to participate (n=15)", "Other reasons (n=3)",
                     "Disability pension quarantine (n=2)", "Randomized (n=410)",
                     "start-up 2:1 (n=120)", "main 1:1 (n=290)", "start-up 2:1 (n=80)",
                     "Allocated to Individual Placement and Support (n=229)", "Follow-up at 6 months",
                     "Missed visit, remains in study (n=110)", "Died (n=2)", "Lost to follow-up (n=1)",
                     "Discontinued intervention (give reasons) (n=0)",
                     "Analysed, primary outcome at 12 months (n=105)", "Analysed at 6 months (n=78)"],
    ("2025", "en"): ["Lost to follow-up for primary outcome (n=1)", "Lost to follow-up (n=0)",
                     "Analysed for primary outcome (12 months) (n=105)"],
    ("2010", "nb"): ["Inklusjon", "Allokering", "Oppfølging", "Analyse", "Vurdert for inklusjon (n=429)",
                     "Ekskludert (n=19)", "Takket nei (n=15)", "Randomisert (n=410)",
                     "Allokert til High-quality usual follow-up (n=181)", "Oppfølging ved 12 måneder",
                     "Døde (n=3)", "Trakk seg (n=2)", "Analysert, primærutfall ved 12 måneder (n=75)"],
    ("2025", "nb"): ["Tapt for oppfølging for primærutfall (n=1)",
                     "Analysert for primærutfall (12 måneder) (n=105)"],
}


def ips_result() -> tuple[dict, FlowDesign]:
    design, screenings, participants = ips_trial()
    return consort(design, screenings, participants, as_of=AS_OF), design


def words(svg: str) -> str:
    """All visible text with wrapped lines joined again."""
    root = ET.fromstring(svg.encode("utf-8"))
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize(("name", "labels", "language"), CASES)
def test_the_svg_matches_its_golden_file_byte_for_byte(name: str, labels: LabelSet,
                                                       language: Language) -> None:
    # After a deliberate drawing change: python -m tests.consort.make_golden, then look at the result.
    assert golden_svg(labels, language).encode("utf-8") == (GOLDEN / name).read_bytes()


@pytest.mark.parametrize(("labels", "language"), COMBINATIONS)
def test_every_label_set_and_language_renders_accessible_svg(labels: LabelSet, language: Language) -> None:
    result, design = ips_result()
    svg = render_svg(result, design, labels=labels, language=language)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert [ids[i].tag for i in root.get("aria-labelledby", "").split()] == [f"{SVG}title", f"{SVG}desc"]
    assert "IPS for moderate to severe mental illness" in (ids["consort-title"].text or "")
    text = words(svg)
    for phrase in EXPECTED[(labels, language)]:
        assert phrase in text, phrase
    assert "<style" not in svg and "@import" not in svg and "href" not in svg


def test_text_from_records_is_escaped() -> None:
    design = FlowDesign(arms=(("a", 'A & <B> "one"'), ("b", "B")), periods=(("p", "1:1"),),
                        timepoints=("6m",))
    screening = Screening("S1", "s", date(2020, 1, 1), "excluded", ended_on=date(2020, 1, 2),
                          category="other", reason="Left </text><script>\x07")
    svg = render_svg(consort(design, [screening], [], as_of=date(2020, 2, 1)), design)
    assert 'A & <B> "one"' in words(svg)
    assert "Left </text><script> (n=1)" in words(svg)


def _stress() -> tuple[dict, FlowDesign]:
    """Three arms, long labels and reasons, everything non-zero: the layout's hardest case."""
    design = FlowDesign(arms=(("a", "Individual Placement and Support with a very long descriptive arm name"),
                              ("b", "Control"), ("c", "Supercalifragilisticexpialidociouslylongsingleword")),
                        periods=(("start-up", "2:1:1"), ("main", "1:1:1")), timepoints=("6m", "12m", "24m"),
                        primary_timepoint="12m", trial_title="A trial " * 20)
    screenings, participants = [], []
    for i in range(60):
        referred = date(2020, 1, 1 + i % 28)
        if i % 5 == 0:
            reason = f"Reason number {i} that is rather long and needs to wrap in the box"
            screenings.append(Screening(f"X{i}", "s", referred, "excluded", ended_on=referred,
                                        category="other", reason=reason))
            continue
        screenings.append(Screening(f"S{i}", "s", referred, "randomized", ended_on=referred))
        departure = Departure(DEPARTURE_KINDS[i // 2 % 5], date(2020, 6, 1), "Some reason given at length")
        visits = tuple(Visit(tp, date(2020, 8, 1 + k), None if i % 4 else date(2020, 7, 1))
                       for k, tp in enumerate(design.timepoints))
        participants.append(Participant(f"P{i}", "s", "abc"[i % 3], ("start-up", "main")[i % 2], referred,
                                        (departure,), visits))
    return consort(design, screenings, participants, as_of=date(2020, 8, 2)), design


def _boxes_hold_their_text(diagram: Diagram) -> None:
    boxes = [r for r in diagram.rects if r.kind == "box"]
    for one, other in itertools.combinations(boxes, 2):
        apart = (one.x + one.w <= other.x or other.x + other.w <= one.x
                 or one.bottom <= other.y or other.bottom <= one.y)
        assert apart, (one, other)
    for text in diagram.texts:
        width = text_width(text.text, text.size, bold=text.bold)
        if text.rotated:
            band = next(r for r in diagram.rects if r.kind == "stage" and r.y < text.y < r.bottom)
            assert width <= band.h
            continue
        left = text.x - width / 2 if text.anchor == "middle" else text.x
        inside = [b for b in boxes if b.y < text.y < b.bottom]
        if not any(b.x <= left <= b.x + b.w for b in inside):
            assert left + width <= diagram.width, text  # heading or note, on the page
            continue
        holder = next(b for b in inside if b.x <= left <= b.x + b.w)
        assert holder.x + PADDING - 0.01 <= left, text
        assert left + width <= holder.x + holder.w - PADDING + 0.01, text
    for arrow in diagram.arrows:
        for (x0, y0), (x1, y1) in itertools.pairwise(arrow.points):
            assert x0 == x1 or y0 == y1, arrow


@pytest.mark.parametrize(("labels", "language"), COMBINATIONS)
def test_boxes_do_not_overlap_and_text_stays_inside(labels: LabelSet, language: Language) -> None:
    for result, design in (ips_result(), _stress()):
        _boxes_hold_their_text(layout(result, design, labels=labels, language=language))


def test_wrapping_breaks_words_too_long_for_a_line() -> None:
    lines = wrap("Short words then Supercalifragilisticexpialidocious", 60.0)
    assert "".join(lines).replace(" ", "") == "ShortwordsthenSupercalifragilisticexpialidocious"
    assert all(text_width(line, 8.5) <= 60.0 for line in lines)
    assert wrap("", 60.0) == [""]


def test_the_width_table_is_veras() -> None:
    register_fonts()
    for bold, (font, _) in FONTS.items():
        for sample in ("Assessed for eligibility (n=429)", "Ekskludert – æøå ÆØÅ", "Wm.,;:!?[]{}|§½"):
            expected = pdfmetrics.stringWidth(sample, font, 10)
            assert text_width(sample, 10, bold=bold) == pytest.approx(expected)


def test_norwegian_labels_translate_the_default_reasons_and_timepoints() -> None:
    nb, en = Labels("2010", "nb"), Labels("2025", "en")
    for reason in (*DEFAULT_REASONS.values(), NO_REASON_GIVEN):
        assert nb.reason(reason) != reason and en.reason(reason) == reason
    assert nb.reason("Moved abroad") == "Moved abroad"
    assert [nb.timepoint(t) for t in ("1m", "6m", "2w", "1y", "baseline")] == [
        "1 måned", "6 måneder", "2 uker", "1 år", "baseline"]
    assert en.timepoint("12m") == "12 months"
    with pytest.raises(ValueError):
        Labels("2013", "en")  # type: ignore[arg-type]  # deliberately not a label set
    with pytest.raises(ValueError):
        Labels("2010", "de")  # type: ignore[arg-type]  # deliberately not a language


def test_the_pdf_is_a_deterministic_a4_document_with_vera_embedded() -> None:
    result, design = ips_result()
    pdf = render_pdf(result, design, labels="2025", language="nb")
    assert pdf.startswith(b"%PDF-")
    assert pdf == render_pdf(result, design, labels="2025", language="nb")
    assert b"BitstreamVeraSans" in pdf
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


@pytest.mark.parametrize(("labels", "language"), [("2010", "en"), ("2025", "nb")])
def test_the_pdf_renders_to_png_with_its_text_extractable(labels: LabelSet, language: Language,
                                                          tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed")
    result, design = ips_result()
    source = tmp_path / "consort.pdf"
    source.write_bytes(render_pdf(result, design, labels=labels, language=language))
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", source, tmp_path / "page"], check=True,
                   capture_output=True)
    assert (tmp_path / "page.png").read_bytes().startswith(b"\x89PNG")
    extracted = subprocess.run(["pdftotext", "-layout", source, "-"], check=True, capture_output=True).stdout
    text = " ".join(extracted.decode("utf-8").split())
    expected = {"en": ("Randomized (n=410)", "Died (n=3)"), "nb": ("Randomisert (n=410)", "Døde (n=3)")}
    for phrase in expected[language]:
        assert phrase in text, phrase
