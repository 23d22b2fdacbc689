"""EQ-5D: profiles, every state of every value set, the VAS kept apart (reference section 2)."""

import csv
from pathlib import Path

import pytest

import instruments

FIXTURES = Path(__file__).parent / "fixtures"
DIMENSIONS = ("MO", "SC", "UA", "PD", "AD")


def table(name: str) -> list[dict[str, str]]:
    """States and values written by make_fixtures.py from the published coefficients."""
    with open(FIXTURES / name, newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def state(profile: str, vas: int | None = None) -> dict[str, object]:
    answers: dict[str, object] = {d: int(level) for d, level in zip(DIMENSIONS, profile, strict=True)}
    return answers | ({} if vas is None else {"VAS": vas})


def mismatches(code: str, rows: list[dict[str, str]], value_set: str) -> list[str]:
    wrong = []
    for row in rows:
        index = instruments.score(code, state(row["state"]), value_set=value_set)["index"]
        if index != pytest.approx(float(row[value_set]), abs=1e-12):
            wrong.append(f"{row['state']}: {index} != {row[value_set]}")
    return wrong


@pytest.mark.parametrize("value_set", ["norway", "england", "uk2026"])
def test_every_5l_state_matches_the_published_coefficients(value_set):
    rows = table("eq5d5l_values.csv")
    assert len(rows) == 3125 == len({row["state"] for row in rows})
    assert mismatches("eq5d5l", rows, value_set) == []


def test_every_3l_state_matches_dolan_1997():
    rows = table("eq5d3l_values.csv")
    assert len(rows) == 243 == len({row["state"] for row in rows})
    assert mismatches("eq5d3l", rows, "uk-tto") == []


@pytest.mark.parametrize(
    ("code", "value_set", "profile", "value"),
    [
        ("eq5d5l", "norway", "11112", 0.928256),
        ("eq5d5l", "norway", "12345", 0.13692),
        ("eq5d5l", "norway", "55555", -0.453),
        ("eq5d5l", "england", "23245", 0.247),
        ("eq5d5l", "england", "55555", -0.285),
        ("eq5d5l", "uk2026", "55555", -0.567),
        ("eq5d3l", "uk-tto", "33333", -0.594),
        ("eq5d3l", "uk-tto", "11112", 0.848),
    ],
)
def test_spot_values_quoted_by_the_reference(code, value_set, profile, value):
    # Exact decimal arithmetic: the published value, not 0.9282560000000001.
    assert instruments.score(code, state(profile), value_set=value_set)["index"] == value


@pytest.mark.parametrize("code", ["eq5d5l", "eq5d3l"])
def test_full_health_is_one(code):
    assert instruments.score(code, state("11111"))["index"] == 1


def test_norway_is_the_default_5l_value_set_and_uk_tto_the_3l_one():
    assert instruments.get("eq5d5l").default_value_set == "norway"
    assert instruments.get("eq5d5l").value_sets == ("norway", "england", "uk2026")
    assert instruments.score("eq5d5l", state("12345"))["index"] == 0.13692
    assert instruments.score("eq5d5l", state("12345"), value_set=None)["value_set"] == "norway"
    assert instruments.get("eq5d3l").value_sets == ("uk-tto",)
    assert instruments.score("eq5d3l", state("33333"))["index"] == -0.594


def test_items_and_levels():
    assert [i.code for i in instruments.get("eq5d5l").items] == [*DIMENSIONS, "VAS"]
    assert instruments.get("eq5d5l").items[0].options == (1, 2, 3, 4, 5)
    assert instruments.get("eq5d3l").items[0].options == (1, 2, 3)
    vas = instruments.get("eq5d3l").item("VAS")
    assert (vas.kind, vas.minimum, vas.maximum) == ("integer", 0, 100)


def test_the_vas_is_reported_apart_from_the_index():
    result = instruments.score("eq5d5l", state("21111", vas=35))
    assert result == {
        "profile": "21111",
        "index": pytest.approx(1 - 0.03116),
        "vas": 35,
        "value_set": "norway",
    }
    assert instruments.score("eq5d5l", state("21111"))["vas"] is None
    assert instruments.score("eq5d5l", {"VAS": 0}) == {
        "profile": "99999",
        "index": None,
        "vas": 0,
        "value_set": "norway",
    }


def test_a_missing_dimension_is_9_in_the_profile_and_leaves_no_index():
    answers = state("12345")
    del answers["UA"]
    assert instruments.score("eq5d5l", answers)["profile"] == "12945"
    assert instruments.score("eq5d5l", answers)["index"] is None
    assert instruments.score("eq5d3l", {"MO": 3, "AD": None})["profile"] == "39999"


@pytest.mark.parametrize(
    ("code", "answers", "item"),
    [
        ("eq5d3l", {"MO": 4}, "MO"),
        ("eq5d5l", {"SC": 0}, "SC"),
        ("eq5d5l", {"VAS": 101}, "VAS"),
        ("eq5d5l", {"VAS": 50.0}, "VAS"),
        ("eq5d5l", {"PD": "2"}, "PD"),
    ],
)
def test_out_of_range_and_wrongly_typed_levels_are_refused(code, answers, item):
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.score(code, answers)
    assert [problem.item for problem in caught.value.problems] == [item]


@pytest.mark.parametrize(
    ("code", "value_set"), [("eq5d3l", "norway"), ("eq5d5l", "uk-tto"), ("eq5d5l", "Norway")]
)
def test_a_value_set_the_instrument_does_not_have_is_refused(code, value_set):
    with pytest.raises(ValueError, match=f"value_set={value_set!r}"):
        instruments.score(code, state("11111"), value_set=value_set)


def test_an_unknown_option_is_refused():
    with pytest.raises(ValueError, match="valueset"):
        instruments.score("eq5d5l", state("11111"), valueset="england")
