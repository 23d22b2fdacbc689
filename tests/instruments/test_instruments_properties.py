"""Properties over random answers: scores stay in range; answering more never loses a score."""

import tomllib
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import instruments

TRIAL_DEFINED = instruments.define(
    tomllib.loads((Path(__file__).parent / "fixtures" / "trial-instrument.toml").read_text(encoding="utf-8"))
)
ALL = [instruments.get(code) for code in instruments.codes()] + [TRIAL_DEFINED]
# Lowest index of each value set (its worst state), reference section 2.2.
LOWEST_INDEX = {"norway": -0.453, "england": -0.285, "uk2026": -0.567, "uk-tto": -0.594}
# Options each instrument can be scored with, so every variant is exercised.
OPTIONS = {
    "hads": st.fixed_dictionaries(
        {
            "bands": st.sampled_from(["three-band", "four-band", "four-band-16"]),
            "max_missing": st.integers(0, 6),
        }
    ),
    "eq5d5l": st.fixed_dictionaries({"value_set": st.sampled_from(["norway", "england", "uk2026"])}),
    "eq5d3l": st.just({"value_set": "uk-tto"}),
    "whodas12": st.just({}),
    "whodas36": st.fixed_dictionaries(
        {
            "impute": st.sampled_from(["raw", "recoded"]),
            "household_flat_item": st.sampled_from(["D5.3", "D5.4"]),
        }
    ),
    TRIAL_DEFINED.code: st.just({}),
}


def answer(item: instruments.Item) -> st.SearchStrategy[object]:
    if item.kind == "choice":
        return st.sampled_from(item.options)
    if item.kind == "integer":
        return st.integers(item.minimum, item.maximum)
    if item.kind == "boolean":
        return st.booleans()
    if item.kind == "date":
        return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    return st.text(st.characters(codec="utf-8"), min_size=1, max_size=10).filter(str.strip)


@st.composite
def complete_answers(draw, instrument: instruments.Instrument) -> dict:
    """Every item answered that the skip rules ask."""
    full = {item.code: draw(answer(item)) for item in instrument.items}
    return {code: value for code, value in full.items() if instrument.item(code).is_asked(full) is not False}


@st.composite
def nested_answers(draw, instrument: instruments.Instrument) -> tuple[dict, dict]:
    """Two valid answer sets for ``instrument``, the first a subset of the second."""
    full = draw(complete_answers(instrument))
    codes = st.sampled_from(list(full))
    larger = {code: value for code, value in full.items() if code not in draw(st.sets(codes))}
    smaller = {code: value for code, value in larger.items() if code not in draw(st.sets(codes))}
    return smaller, larger


@st.composite
def scored_case(draw) -> tuple[instruments.Instrument, dict, dict, dict]:
    instrument = draw(st.sampled_from(ALL))
    smaller, larger = draw(nested_answers(instrument))
    return instrument, smaller, larger, draw(OPTIONS[instrument.code])


def in_range(value: object, low: float, high: float) -> bool:
    return value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
    )


def check_ranges(code: str, result: dict[str, object], options: dict[str, object]) -> None:
    if code == "hads":
        assert all(in_range(result[key], 0, 21) for key in ("anxiety", "depression"))
        assert in_range(result["total"], 0, 42)
        bands = {"normal", "borderline", "abnormal", "mild", "moderate", "severe", None}
        assert {result["anxiety_band"], result["depression_band"]} <= bands
    elif code.startswith("eq5d"):
        assert in_range(result["index"], LOWEST_INDEX[str(options["value_set"])], 1)
        assert in_range(result["vas"], 0, 100)
        assert len(str(result["profile"])) == 5 and set(str(result["profile"])) <= set("123459")
    elif code == "whodas12":
        assert in_range(result["simple"], 12, 60) and in_range(result["simple_0_100"], 0, 100)
    elif code == "whodas36":
        percentages = [value for key, value in result.items() if key not in ("simple", "items_in_summary")]
        assert all(in_range(value, 0, 100) for value in percentages)
        assert in_range(result["simple"], 32, 180) and result["items_in_summary"] in (32, 36)
    else:
        assert in_range(result["sum"], 0, 3 * 3)  # three scored 0-3 items


@settings(database=None, max_examples=400)
@given(scored_case())
def test_scores_stay_in_range(case):
    instrument, _smaller, larger, options = case
    result = instruments.score(instrument, larger, **options)
    assert tuple(result) == instrument.scores
    check_ranges(instrument.code, result, options)


@settings(database=None, max_examples=400)
@given(scored_case())
def test_answering_more_items_never_makes_a_score_none(case):
    instrument, smaller, larger, options = case
    before = instruments.score(instrument, smaller, **options)
    after = instruments.score(instrument, larger, **options)
    lost = [key for key, value in before.items() if value is not None and after[key] is None]
    assert lost == []


@settings(database=None)
@given(st.sampled_from(ALL).flatmap(lambda i: st.tuples(st.just(i), nested_answers(i))))
def test_validation_keeps_valid_answers_as_they_are(case):
    instrument, (_smaller, larger) = case
    assert instruments.validate(instrument, larger) == larger


@settings(database=None)
@given(st.sampled_from(ALL).flatmap(lambda i: st.tuples(st.just(i), complete_answers(i))))
def test_complete_answers_are_accepted_and_fully_scored(case):
    instrument, answers = case
    assert instruments.validate(instrument, answers, complete=True) == answers
    result = instruments.score(instrument, answers)
    not_applicable = {"work_school"} if answers.get("works_or_studies") is False else set()
    assert [key for key, value in result.items() if value is None] == sorted(not_applicable)
