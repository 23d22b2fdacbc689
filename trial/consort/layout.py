"""The CONSORT 2010 flow diagram laid out once, for the SVG and PDF painters to paint.

Template (reference section 4.1, 4.4): stage bands Enrollment, Allocation, Follow-Up, Analysis
down the left; "Assessed for eligibility" centred with the "Excluded" side box to its right;
"Randomized" with the allocation by period; then one column per arm: Allocated, one box per
follow-up timepoint (the first also holding "Discontinued intervention"), and Analysis naming the
primary timepoint. Arrows are orthogonal.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .boxes import BODY_SIZE, PADDING, Arrow, Entry, Rect, Text, arrow, box, box_height, bullet, wrap
from .labels import Labels, LabelSet, Language
from .metrics import text_width
from .records import FlowDesign

MARGIN = 20.0
STAGE_WIDTH = 18.0
STAGE_GAP = 10.0
COLUMN_WIDTH = 230.0
COLUMN_GAP = 30.0
ENROLMENT_WIDTH = 210.0
ROW_GAP = 24.0
BRANCH = 30.0  # spine to the Excluded box
TITLE_SIZE = 11.0
STAGE_SIZE = 9.0
NOTE_SIZE = 7.5
NOTE_GAP = 14.0
# Colours and line widths both painters use.
STYLE = {"stage_fill": "#dce8f5", "stage_stroke": "#4a6f96", "box_fill": "#ffffff", "stroke": "#000000",
         "text": "#000000", "box_line": 0.8, "arrow_line": 0.9}


@dataclass(frozen=True)
class Diagram:
    """Everything to paint, in points: the page size, shapes, arrows and text lines."""

    width: float
    height: float
    title: str
    description: str
    rects: tuple[Rect, ...]
    arrows: tuple[Arrow, ...]
    texts: tuple[Text, ...]


class _Canvas:
    """Collects shapes while the layout walks down the page."""

    def __init__(self) -> None:
        self.rects: list[Rect] = []
        self.arrows: list[Arrow] = []
        self.texts: list[Text] = []

    def box(self, x: float, y: float, width: float, entries: Sequence[Entry], *, height: float = 0.0,
            centred: bool = False) -> Rect:
        rect, texts = box(x, y, width, entries, height=height, centred=centred)
        self.rects.append(rect)
        self.texts.extend(texts)
        return rect

    def row(self, xs: Sequence[float], y: float, contents: Sequence[Sequence[Entry]],
            min_height: float) -> list[Rect]:
        """One box per arm column, all as tall as the tallest so the row reads as one stage."""
        height = max([min_height, *(box_height(c, COLUMN_WIDTH) for c in contents)])
        return [self.box(x, y, COLUMN_WIDTH, c, height=height) for x, c in zip(xs, contents, strict=True)]


def layout(result: Mapping[str, Any], design: FlowDesign, *, labels: LabelSet = "2010",
           language: Language = "en") -> Diagram:
    """Lay out the diagram of a `consort()` result for `design`."""
    say = Labels(labels, language)
    left = MARGIN + STAGE_WIDTH + STAGE_GAP
    xs = [left + i * (COLUMN_WIDTH + COLUMN_GAP) for i in range(len(design.arms))]
    right = xs[-1] + COLUMN_WIDTH
    canvas = _Canvas()
    title = say("title", title=design.trial_title) if design.trial_title else say("title_plain")
    top = _heading(canvas, [title, say("as_of", date=result["as_of"])], right)
    randomized = _enrolment(canvas, say, result, design, top, left, right)
    rows = _arm_rows(say, result, design, [result["arms"][arm.code] for arm in design.arms])
    stages = [("stage_enrollment", top, randomized.bottom), *_columns(canvas, say, rows, xs, randomized)]
    _stage_bands(canvas, say, _merge(stages))
    bottom = _notes(canvas, [say("note_cumulative"), say("note_itt")], stages[-1][2] + NOTE_GAP, right)
    return Diagram(width=right + MARGIN, height=bottom + MARGIN, title=title,
                   description=_summary(say, result, design),
                   rects=tuple(canvas.rects), arrows=tuple(canvas.arrows), texts=tuple(canvas.texts))


def _columns(canvas: _Canvas, say: Labels, rows: Sequence[Sequence[Sequence[Entry]]], xs: Sequence[float],
             randomized: Rect) -> list[tuple[str, float, float]]:
    """The arm columns, row by row, joined by arrows; returns each row's (stage, top, bottom)."""
    # A row must be tall enough for its stage's rotated label.
    min_height = max(text_width(say(k), STAGE_SIZE, bold=True) for k in _STAGE_KEYS) + 2 * PADDING
    split = randomized.bottom + ROW_GAP
    y = split + ROW_GAP
    stages = []
    previous: list[Rect] = []
    for i, contents in enumerate(rows):
        current = canvas.row(xs, y, contents, min_height)
        for above, below in zip(previous or [randomized] * len(current), current, strict=True):
            # From Randomized the arrows fork along a horizontal line; later rows join straight down.
            fork = [(above.centre_x, split), (below.centre_x, split)] if not previous else []
            canvas.arrows.append(arrow([(above.centre_x, above.bottom), *fork, (below.centre_x, below.y)]))
        stages.append((_row_stage(i, len(rows)), current[0].y, current[0].bottom))
        previous, y = current, current[0].bottom + ROW_GAP
    return stages


_STAGE_KEYS = ("stage_enrollment", "stage_allocation", "stage_followup", "stage_analysis")


def _row_stage(index: int, count: int) -> str:
    if index == 0:
        return "stage_allocation"
    return "stage_analysis" if index == count - 1 else "stage_followup"


def _heading(canvas: _Canvas, lines: Sequence[str], right: float) -> float:
    y = MARGIN
    for size, text in zip((TITLE_SIZE, BODY_SIZE), lines, strict=True):
        for line in wrap(text, right - MARGIN, size=size, bold=size == TITLE_SIZE):
            y += size * 1.3
            canvas.texts.append(Text(line, MARGIN, y, size=size, bold=size == TITLE_SIZE))
    return y + ROW_GAP * 0.75


def _enrolment(canvas: _Canvas, say: Labels, result: Mapping[str, Any], design: FlowDesign, top: float,
               left: float, right: float) -> Rect:
    """Assessed, Excluded and Randomized boxes joined by the spine; returns the Randomized box."""
    centre = (left + right) / 2
    assessed_entries = [Entry(say("assessed", n=result["assessed"]), bold=True)]
    if result["screening"]:
        assessed_entries.append(Entry(say("screening", n=result["screening"])))
    assessed = canvas.box(centre - ENROLMENT_WIDTH / 2, top, ENROLMENT_WIDTH, assessed_entries, centred=True)
    excluded = canvas.box(centre + BRANCH, assessed.bottom + ROW_GAP, right - centre - BRANCH,
                          _excluded_entries(say, result["excluded"]))
    arms = result["arms"].values()
    totals = {p.name: sum(arm["by_period"][p.name] for arm in arms) for p in design.periods}
    randomized = canvas.box(centre - ENROLMENT_WIDTH / 2, excluded.bottom + ROW_GAP, ENROLMENT_WIDTH,
                            [Entry(say("randomized", n=result["randomized"]), bold=True),
                             *(Entry(say("period", period=p.name, ratio=p.ratio, n=totals[p.name]))
                               for p in design.periods)], centred=True)
    branch_y = excluded.y + excluded.h / 2
    canvas.arrows.append(arrow([(centre, assessed.bottom), (centre, randomized.y)]))
    canvas.arrows.append(arrow([(centre, branch_y), (excluded.x, branch_y)]))
    return randomized


def _excluded_entries(say: Labels, excluded: Mapping[str, Any]) -> list[Entry]:
    entries = [Entry(say("excluded", n=excluded["total"]), bold=True),
               *(bullet(say(c, n=excluded[c])) for c in ("not-eligible", "declined", "other"))]
    if excluded["reasons"]:
        # The contract's reasons are not keyed by category, so they get their own list.
        entries.append(Entry(say("reasons"), indent=8.0))
        entries.extend(bullet(say("reason", reason=say.reason(r), n=n), indent=16.0)
                       for r, n in excluded["reasons"].items())
    return entries


def _arm_rows(say: Labels, result: Mapping[str, Any], design: FlowDesign,
              arms: Sequence[Mapping[str, Any]]) -> list[list[list[Entry]]]:
    """Entries of each row (Allocated, each timepoint, Analysis), one list per arm."""
    rows = [[_allocated(say, design, arm.label, data) for arm, data in zip(design.arms, arms, strict=True)]]
    for i, timepoint in enumerate(design.timepoints):
        rows.append([_followup(say, design, timepoint, data, first=i == 0) for data in arms])
    rows.append([_analysis(say, design, data) for data in arms])
    return rows


def _allocated(say: Labels, design: FlowDesign, label: str, arm: Mapping[str, Any]) -> list[Entry]:
    return [Entry(say("allocated", arm=label, n=arm["allocated"]), bold=True),
            *(bullet(say("period", period=p.name, ratio=p.ratio, n=arm["by_period"][p.name]))
              for p in design.periods)]


def _followup(say: Labels, design: FlowDesign, timepoint: str, arm: Mapping[str, Any], *,
              first: bool) -> list[Entry]:
    states = arm["followup"][timepoint]
    entries = [Entry(say("followup", tp=say.timepoint(timepoint)), bold=True),
               *(Entry(say(s, n=states[s])) for s in ("completed", "missed", "withdrawn", "died")),
               Entry(say.lost(primary=timepoint == design.primary_timepoint, n=states["lost"]))]
    if states["pending"]:
        entries.append(Entry(say("pending", n=states["pending"])))
    if first:
        stopped = arm["discontinued_intervention"]
        entries.append(Entry(say("discontinued", n=stopped["total"])))
        entries.extend(bullet(say("reason", reason=say.reason(reason), n=n))
                       for reason, n in stopped["reasons"].items())
    return entries


def _analysis(say: Labels, design: FlowDesign, arm: Mapping[str, Any]) -> list[Entry]:
    primary = design.primary_timepoint
    entries = []
    if primary is not None:
        analysed = arm["analysed"][primary]
        entries.append(Entry(say.analysed(timepoint=primary, primary=True, n=analysed), bold=True))
        entries.append(Entry(say("not_analysed", tp=say.timepoint(primary),
                                 n=arm["allocated"] - analysed)))
    entries.extend(Entry(say.analysed(timepoint=tp, primary=False, n=arm["analysed"][tp]))
                   for tp in design.timepoints if tp != primary)
    return entries


def _merge(stages: Sequence[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Consecutive rows of one stage (the follow-up timepoints) share one band."""
    merged: list[tuple[str, float, float]] = []
    for key, top, bottom in stages:
        if merged and merged[-1][0] == key:
            merged[-1] = (key, merged[-1][1], bottom)
        else:
            merged.append((key, top, bottom))
    return merged


def _stage_bands(canvas: _Canvas, say: Labels, stages: Sequence[tuple[str, float, float]]) -> None:
    for key, top, bottom in stages:
        canvas.rects.append(Rect(MARGIN, top, STAGE_WIDTH, bottom - top, kind="stage"))
        # The baseline sits right of the band's centre so the rotated capitals are centred in it.
        canvas.texts.append(Text(say(key), MARGIN + STAGE_WIDTH / 2 + STAGE_SIZE * 0.36, (top + bottom) / 2,
                                 size=STAGE_SIZE, bold=True, anchor="middle", rotated=True))


def _notes(canvas: _Canvas, notes: Sequence[str], top: float, right: float) -> float:
    y = top
    for note in notes:
        for line in wrap(note, right - MARGIN, size=NOTE_SIZE):
            y += NOTE_SIZE * 1.35
            canvas.texts.append(Text(line, MARGIN, y, size=NOTE_SIZE))
    return y


def _summary(say: Labels, result: Mapping[str, Any], design: FlowDesign) -> str:
    arms = ", ".join(f"{arm.label} {result['arms'][arm.code]['allocated']}" for arm in design.arms)
    counts = say("summary", assessed=result["assessed"], excluded=result["excluded"]["total"],
                 randomized=result["randomized"], arms=arms)
    return f"{say('as_of', date=result['as_of'])}. {counts}"
