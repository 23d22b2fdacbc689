"""HADS, the Hospital Anxiety and Depression Scale (Zigmond & Snaith 1983, Acta Psychiatr Scand 67:361).

Only the structure and scoring are here: the item and option wording is licensed by GL Assessment
and is loaded from a wording pack at deployment (reference/instruments.md section 1.5).

An answer is the score printed next to the chosen option (0-3), never the option's position: on
items 1, 3, 5, 6, 8, 10, 11 and 13 the printed order runs 3 -> 0, so scoring positions would
silently reverse them (reference section 1.2, from two independent public form transcriptions:
intellirehab ``hads_view.php`` and NUBIC/eNOTIS ``hads_form.rb``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from instruments.model import Group, Instrument, Item
from instruments.scoring import number, option_choice, round_half_up, unknown_options

__all__ = ["BANDINGS", "HADS"]

# Printed score of each option, top to bottom (reference section 1.2).
_DESCENDING = (3, 2, 1, 0)
_ASCENDING = (0, 1, 2, 3)
_DESCENDING_ITEMS = frozenset({1, 3, 5, 6, 8, 10, 11, 13})

ANXIETY = tuple(str(n) for n in range(1, 15, 2))
DEPRESSION = tuple(str(n) for n in range(2, 15, 2))

# (upper bound inclusive, band) per subscale. The three-band cut-offs are Zigmond & Snaith 1983
# and the contract's default. The four-band variants are UNVERIFIED against the GL Assessment
# manual (reference section 1.3): "four-band" is attributed to Snaith & Zigmond 1994 / Snaith
# 2003; "four-band-16" (moderate to 15) appears in Eye 2011 and a bio-protocol text.
BANDINGS: dict[str, tuple[tuple[int, str], ...]] = {
    "three-band": ((7, "normal"), (10, "borderline"), (21, "abnormal")),
    "four-band": ((7, "normal"), (10, "mild"), (14, "moderate"), (21, "severe")),
    "four-band-16": ((7, "normal"), (10, "mild"), (15, "moderate"), (21, "severe")),
}

_SUBSCALE_SIZE = 7
# The contract's default: a subscale with one unanswered item is prorated (sum x 7/6); two or more
# -> None. No primary source states a HADS missing-item rule (reference section 1.4, UNVERIFIED);
# ``max_missing=3`` gives the "half rule" Bell et al. 2016 (BMC Res Notes 9:479) recommend, and
# ``max_missing=0`` complete-case scoring.
_DEFAULT_MAX_MISSING = 1


def _item(number_: int) -> Item:
    group = "anxiety" if number_ % 2 else "depression"
    options = _DESCENDING if number_ in _DESCENDING_ITEMS else _ASCENDING
    return Item(code=str(number_), kind="choice", options=options, group=group)


def _score(
    instrument: Instrument, answers: Mapping[str, object], options: Mapping[str, object]
) -> dict[str, object]:
    unknown_options(instrument, options)
    bands = BANDINGS[option_choice(options, "bands", tuple(BANDINGS), "three-band")]
    max_missing = _max_missing(options)
    anxiety = _subscale(answers, ANXIETY, max_missing)
    depression = _subscale(answers, DEPRESSION, max_missing)
    total = None if anxiety is None or depression is None else anxiety + depression
    return {
        "anxiety": number(anxiety),
        "depression": number(depression),
        "total": number(total),
        "anxiety_band": _band(anxiety, bands),
        "depression_band": _band(depression, bands),
    }


def _max_missing(options: Mapping[str, object]) -> int:
    value = options.get("max_missing")
    if value is None:
        return _DEFAULT_MAX_MISSING
    if type(value) is not int or not 0 <= value < _SUBSCALE_SIZE:
        raise ValueError(f"hads option max_missing must be a whole number from 0 to 6, got {value!r}")
    return value


def _subscale(answers: Mapping[str, object], codes: tuple[str, ...], max_missing: int) -> Fraction | None:
    """Sum of the subscale, prorated to 7 items (exactly, as a fraction) when some are missing."""
    given = [answers[code] for code in codes if code in answers]
    if _SUBSCALE_SIZE - len(given) > max_missing:
        return None
    total = sum(int(value) for value in given if isinstance(value, int))
    return Fraction(total * _SUBSCALE_SIZE, len(given))


def _band(value: Fraction | None, bands: tuple[tuple[int, str], ...]) -> str | None:
    # A prorated score is banded on its value rounded half up (the contract): 10.5 is "abnormal".
    if value is None:
        return None
    rounded = round_half_up(value)
    return next(band for upper, band in bands if rounded <= upper)


HADS = Instrument(
    code="hads",
    version="1",
    name="Hospital Anxiety and Depression Scale",
    label="HADS",
    items=tuple(_item(n) for n in range(1, 15)),
    groups=(
        Group("anxiety", "Anxiety (HADS-A)", ANXIETY),
        Group("depression", "Depression (HADS-D)", DEPRESSION),
    ),
    scores=("anxiety", "depression", "total", "anxiety_band", "depression_band"),
    score_options=("bands", "max_missing"),
    licensed=True,
    scorer=_score,
)
