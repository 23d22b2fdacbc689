"""Instrument variables of a locked dataset: item answers and scores, named for SPSS and Stata.

Names are `<instrument>_<item or score>` in lower case (hads_1, eq5d5l_mo, whodas12_s1,
hads_anxiety, eq5d5l_index, whodas12_simple_0_100). The built-in HADS, EQ-5D and WHODAS 12 get
labels, value labels and derivations from reference/instruments.md; any other instrument gets
its items and the scores the lock holds, typed by what the responses contain. Free-text items
are never exported.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import instruments
from instruments.hads import ANXIETY, BANDINGS, DEPRESSION

from ..exports import Variable

MAX_NAME = 32
MAX_LABEL = 80
EQ5D_DIMENSIONS = {"MO": "mobility", "SC": "self-care", "UA": "usual activities", "PD": "pain/discomfort",
                   "AD": "anxiety/depression"}
EQ5D_LEVELS = {
    5: {1: "No problems", 2: "Slight problems", 3: "Moderate problems", 4: "Severe problems",
        5: "Unable or extreme problems"},
    3: {1: "No problems", 2: "Some problems", 3: "Extreme problems or unable"},
}
WHODAS_LEVELS = {1: "None", 2: "Mild", 3: "Moderate", 4: "Severe", 5: "Extreme or cannot do"}
BAND_LABELS = {"normal": "Normal", "borderline": "Borderline", "abnormal": "Abnormal", "mild": "Mild",
               "moderate": "Moderate", "severe": "Severe"}
# Scores that repeat an item (the EQ VAS) or a protocol setting (the value set) are not repeated.
SKIPPED_SCORES = {"eq5d5l": {"vas", "value_set"}, "eq5d3l": {"vas", "value_set"}}
_JSON_TO_TYPE = {"integer": "integer", "float": "float", "string": "string", "boolean": "integer"}


def variable_name(*parts: str, reserve: int = 0) -> str:
    """`parts` joined by _, lower case, letters/digits/_ only; shortened with a hash suffix when the
    name plus `reserve` characters (a wide file's _<timepoint>) would pass Stata's 32."""
    name = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_")
    name = name if name[:1].isalpha() else f"v_{name}"
    room = MAX_NAME - reserve
    if len(name) <= room:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:4]
    return f"{name[:room - 5].rstrip('_')}_{digest}"


@dataclass(frozen=True)
class Column:
    """One visit variable of an instrument and how to read its cell from a response."""

    variable: Variable
    read: Callable[[Mapping[str, Any], Mapping[str, Any]], Any]   # (answers, scores) -> cell


def instrument_columns(code: str, options: Mapping[str, Any], design: Mapping[str, Any], reserve: int,
                       instrument: Any) -> list[Column]:
    """The item and score columns of one instrument as the lock's protocol used it."""
    versions = ",".join(design.get("versions", ())) or instrument.version
    columns = [_item_column(instrument, item, versions, reserve)
               for item in instrument.items if item.kind != "text"]
    skipped = SKIPPED_SCORES.get(code, set())
    known = _known_scores(code, options)
    observed = design.get("score_types", {})
    for score in instrument.scores:
        if score in skipped:
            continue
        kind, label, extra = known.get(score) or (_observed_type(observed.get(score, [])),
                                                  f"{instrument.short_label} {score}", {})
        if kind is None:
            continue
        variable = Variable(variable_name(code, score, reserve=reserve), _short(label, reserve), kind,
                            level="visit", instrument=code, instrument_version=versions, **extra)
        columns.append(Column(variable, _score_reader(score, kind)))
    return columns


def _item_column(instrument: Any, item: Any, versions: str, reserve: int) -> Column:
    code = instrument.code
    kind, values, unit, label = _item_shape(instrument, item)
    variable = Variable(variable_name(code, item.code, reserve=reserve), _short(label, reserve), kind,
                        level="visit", values=values, unit=unit, instrument=code, instrument_version=versions,
                        derivation="answer as recorded; empty when not answered or not asked")
    return Column(variable, _answer_reader(item.code, kind))


def _item_shape(instrument: Any, item: Any) -> tuple[Any, dict[int | str, str] | None, str, str]:
    code, short = instrument.code, instrument.short_label
    if code in ("eq5d5l", "eq5d3l") and item.code in EQ5D_DIMENSIONS:
        levels = EQ5D_LEVELS[len(item.options)]
        return "integer", dict(levels), "level", f"{short} {EQ5D_DIMENSIONS[item.code]}"
    if code in ("eq5d5l", "eq5d3l") and item.code == "VAS":
        return "integer", None, "0-100 (best imaginable health = 100)", "EQ VAS, self-rated health"
    if code.startswith("whodas") and item.kind == "choice":
        return "integer", dict(WHODAS_LEVELS), "level 1-5", f"{short} item {item.code}"
    if code == "hads":
        group = "anxiety" if item.code in ANXIETY else "depression"
        return "integer", None, "printed score 0-3", f"HADS item {item.code} ({group})"
    if item.kind == "boolean":
        return "integer", {0: "No", 1: "Yes"}, "", f"{short} item {item.code}"
    if item.kind == "date":
        return "date", None, "", f"{short} item {item.code}"
    return "integer", None, "", f"{short} item {item.code}"


def _known_scores(code: str, options: Mapping[str, Any]) -> dict[str, tuple[Any, str, dict[str, Any]]]:
    if code == "hads":
        return _hads_scores(options)
    if code in ("eq5d5l", "eq5d3l"):
        value_set = options.get("value_set") or instruments.get(code).default_value_set
        name = instruments.get(code).short_label
        return {
            "profile": ("string", f"{name} health state (MO SC UA PD AD)",
                        {"derivation": "levels of the five dimensions in order; 9 = dimension not answered"}),
            "index": ("float", f"{name} index value ({value_set} value set)",
                      {"derivation": f"{name} index under the {value_set} value set; missing if any "
                                     "dimension is not answered (never imputed)",
                       "unit": "utility (1 = full health)"}),
        }
    if code == "whodas12":
        return {
            "simple": ("integer", "WHODAS 2.0 (12) simple sum",
                       {"derivation": "sum of items S1-S12 coded 1-5 (range 12-60); missing if any item "
                                      "is not answered", "unit": "points 12-60"}),
            "simple_0_100": ("float", "WHODAS 2.0 (12) simple score 0-100",
                             {"derivation": "(simple sum - 12) x 100 / 48; 0 = no disability, 100 = full; "
                                            "missing if any item is not answered", "unit": "0-100"}),
        }
    return {}


def _hads_scores(options: Mapping[str, Any]) -> dict[str, tuple[Any, str, dict[str, Any]]]:
    bands = BANDINGS[options.get("bands") or "three-band"]
    missing = options.get("max_missing", 1)
    prorate = ("one missing item prorated x7/6 (unrounded)" if missing == 1
               else f"up to {missing} missing items prorated x7/(items answered), unrounded" if missing
               else "no missing item allowed")
    ranges, low = {}, 0
    for upper, band in bands:
        ranges[band] = f"{BAND_LABELS.get(band, band)} ({low}-{upper})"
        low = upper + 1

    def subscale(name: str, items: tuple[str, ...]) -> tuple[Any, str, dict[str, Any]]:
        return ("float", f"HADS {name} (HADS-{name[0].upper()})",
                {"derivation": f"HADS {name}: sum of items {','.join(items)}; {prorate}; otherwise missing",
                 "unit": "points 0-21"})

    def band(name: str) -> tuple[Any, str, dict[str, Any]]:
        return ("string", f"HADS {name} band", {"values": dict(ranges), "derivation":
                f"HADS {name} score rounded half up, then banded: " + "; ".join(ranges.values())})

    return {"anxiety": subscale("anxiety", ANXIETY), "depression": subscale("depression", DEPRESSION),
            "total": ("float", "HADS total", {"derivation": "HADS anxiety + HADS depression; missing unless "
                                                            "both are scored", "unit": "points 0-42"}),
            "anxiety_band": band("anxiety"), "depression_band": band("depression")}


def _observed_type(types: list[str]) -> str | None:
    kinds = {_JSON_TO_TYPE.get(t) for t in types} - {None}
    if not kinds:
        return None
    if kinds <= {"integer", "float"}:
        return "float" if "float" in kinds else "integer"
    return "string"


def _short(label: str, reserve: int) -> str:
    room = MAX_LABEL - reserve - 3  # the wide label adds " [<timepoint>]"
    return label if len(label) <= room else label[:room - 3].rstrip() + "..."


def _answer_reader(item: str, kind: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    def read(answers: Mapping[str, Any], _scores: Mapping[str, Any]) -> Any:
        return cell(answers.get(item), kind)

    return read


def _score_reader(score: str, kind: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    def read(_answers: Mapping[str, Any], scores: Mapping[str, Any]) -> Any:
        return cell(scores.get(score), kind)

    return read


def cell(value: Any, kind: str) -> Any:
    """A stored JSON value as the export's cell of `kind` (booleans as 0/1, ISO dates as dates)."""
    if value is None:
        return None
    # Anything else passes as stored, so the export's own checks name a value that does not fit.
    if kind == "integer" and isinstance(value, bool):
        return int(value)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "string" and not isinstance(value, str):
        return str(value)
    return value
