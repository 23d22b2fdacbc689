"""WHODAS 2.0 36-item complex (IRT-based) scoring, WHO manual (ISBN 9789241547598) chapter 8.

The recodes and denominators are the manual's SPSS syntax as transcribed by two independent
public sources that agree on every value (reference/instruments.md section 3.3): each item is
recoded "flat" (1..5 -> 0..4) or "collapsed" (1..5 -> 0,1,1,2,2); a domain score is its recoded
sum x 100 / the sum of its items' maxima; the summary is the same over all 36 items (/106) or,
for people who neither work nor study, over the 32 others (/92). The denominators are derived
from the item maxima here; a test holds them to the manual's 20/16/10/12/10/14/24, 92 and 106.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from instruments.model import Group, Instrument
from instruments.scoring import number, option_choice, unknown_options

__all__ = ["HOUSEHOLD_FLAT_CHOICES", "score_complex"]

_COLLAPSED = {1: 0, 2: 1, 3: 1, 4: 2, 5: 2}
# The manual's SPSS names for domain 5 are not the printed numbers; mapped in order they make
# D5.3 the flat household item (and D5.6-D5.8 flat). A later revision of source (b) makes D5.4
# flat instead: UNVERIFIED against the manual, so ``household_flat_item="D5.4"`` selects that.
HOUSEHOLD_FLAT_CHOICES = ("D5.3", "D5.4")
_FLAT = frozenset(
    {
        "D1.1",
        "D1.2",
        "D1.3",
        "D1.4",
        "D2.1",
        "D2.4",
        "D2.5",
        "D3.2",
        "D4.4",
        "D5.6",
        "D5.7",
        "D5.8",
        "D6.2",
        "D6.4",
        "D6.5",
        "D6.7",
    }
)
# Manual section 6.5: one or two missing items get the domain mean; with more the questionnaire
# is not scored, and a domain score is not computed when both missing items are in that domain.
_MAX_IMPUTED = 2


def _recode(code: str, raw: Fraction, flat: frozenset[str]) -> Fraction:
    """The item's complex-scoring value. A fractional ``raw`` (an imputed domain mean) is
    interpolated linearly between the recodes of the neighbouring answers: an assumption, since
    the manual does not say how a mean answer is recoded (UNVERIFIED, reference section 3.4)."""
    if code in flat:
        return raw - 1
    low = math.floor(raw)
    if low == raw:
        return Fraction(_COLLAPSED[low])
    return _COLLAPSED[low] + (raw - low) * (_COLLAPSED[low + 1] - _COLLAPSED[low])


def _maximum(code: str, flat: frozenset[str]) -> int:
    return 4 if code in flat else 2


def _item_scores(
    group: Group, answers: Mapping[str, object], flat: frozenset[str], impute: str
) -> dict[str, Fraction]:
    """Recoded score of every item of the domain, each missing one given the domain mean."""
    answered = {
        code: Fraction(value)
        for code, value in answers.items()
        if code in group.items and isinstance(value, int)
    }
    scores = {code: _recode(code, value, flat) for code, value in answered.items()}
    for code in group.items:
        if code in scores:
            continue
        if impute == "raw":
            # Default: the mean of the raw 1-5 answers, recoded as this item recodes
            # (reference example: all "moderate", D1.1 missing -> cognition 50).
            scores[code] = _recode(code, sum(answered.values(), Fraction(0)) / len(answered), flat)
        else:
            # The alternative reading: the mean of the recoded scores (same example -> 48),
            # capped at the item's maximum because flat and collapsed items share a domain.
            mean = sum((scores[c] for c in answered), Fraction(0)) / len(answered)
            scores[code] = min(mean, Fraction(_maximum(code, flat)))
    return scores


def _percent(scores: Mapping[str, Fraction], flat: frozenset[str]) -> Fraction:
    return sum(scores.values(), Fraction(0)) * 100 / sum(_maximum(code, flat) for code in scores)


def score_complex(
    instrument: Instrument, answers: Mapping[str, object], options: Mapping[str, object]
) -> dict[str, object]:
    """Domain scores and the summary on 0-100 (0 = no disability), plus the simple sum."""
    unknown_options(instrument, options)
    household_flat = option_choice(options, "household_flat_item", HOUSEHOLD_FLAT_CHOICES, "D5.3")
    flat = _FLAT | {household_flat}
    impute = option_choice(options, "impute", ("raw", "recoded"), "raw")
    # Not working or studying -> the 32-item score, comparable to the 36-item one (manual 6.5).
    # While works_or_studies is unanswered the work items count as missing: never guess.
    domains = tuple(
        group
        for group in instrument.groups
        if not (group.code == "work_school" and answers.get("works_or_studies") is False)
    )
    scored = tuple(code for group in domains for code in group.items)
    missing = sum(code not in answers for code in scored)
    result: dict[str, object] = {group.code: None for group in instrument.groups}
    all_scores: dict[str, Fraction] = {}
    for group in domains:
        domain_missing = sum(code not in answers for code in group.items)
        if domain_missing and missing > _MAX_IMPUTED:
            continue
        scores = _item_scores(group, answers, flat, impute)
        all_scores.update(scores)
        if domain_missing <= 1:
            result[group.code] = number(_percent(scores, flat))
    summary = _percent(all_scores, flat) if missing <= _MAX_IMPUTED else None
    simple = sum(value for code, value in answers.items() if code in scored and isinstance(value, int))
    result.update(
        {
            "summary": number(summary),
            "items_in_summary": len(scored),
            "simple": simple if missing == 0 else None,
        }
    )
    return result
