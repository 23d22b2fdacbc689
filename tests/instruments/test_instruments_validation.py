"""The registry and answer validation: every problem named by item, nothing guessed."""

from datetime import date, datetime

import pytest

import instruments

HADS_ALL_ONE = {str(n): 1 for n in range(1, 15)}


def problems(code_or_instrument, answers, *, complete=False) -> list[tuple[str, str]]:
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.validate(code_or_instrument, answers, complete=complete)
    return [(problem.item, problem.message) for problem in caught.value.problems]


def test_codes_and_get():
    assert instruments.codes() == ("hads", "eq5d5l", "eq5d3l", "whodas12", "whodas36")
    for code in instruments.codes():
        instrument = instruments.get(code)
        assert instrument.code == code and instrument.version and instrument.licensed
        assert set(instrument.scores) == set(instruments.score(code, {}))


def test_an_unknown_instrument_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="'sf36'"):
        instruments.get("sf36")
    with pytest.raises(KeyError, match="'sf36'"):
        instruments.score("sf36", {})


def test_instrument_item_lookup():
    assert instruments.get("eq5d5l").item("VAS").kind == "integer"
    with pytest.raises(KeyError, match="'XX'"):
        instruments.get("eq5d5l").item("XX")


def test_validate_returns_the_answered_items_only():
    cleaned = instruments.validate("hads", {"2": 3, "1": 0, "3": None})
    assert cleaned == {"1": 0, "2": 3} and list(cleaned) == ["1", "2"]
    assert instruments.validate("hads", HADS_ALL_ONE, complete=True) == HADS_ALL_ONE


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (4, "4 is not one of the options 3, 2, 1, 0"),
        (-1, "-1 is not one of the options 3, 2, 1, 0"),
        (True, "expected a whole number, one of 3, 2, 1, 0; got bool True"),
        (1.0, "expected a whole number, one of 3, 2, 1, 0; got float 1.0"),
        ("1", "expected a whole number, one of 3, 2, 1, 0; got str '1'"),
        ([1], "expected a whole number, one of 3, 2, 1, 0; got list [1]"),
    ],
)
def test_a_bad_choice_answer_names_the_item_and_the_problem(value, message):
    assert problems("hads", {"1": value}) == [("1", message)]


def test_every_problem_is_reported_in_printed_order_then_unknown_items():
    found = problems("hads", {"99": 1, "14": 9, "2": "x", "1": 0}, complete=True)
    assert [item for item, _ in found] == [str(n) for n in range(2, 15)] + ["99"]
    assert found[0] == ("2", "expected a whole number, one of 0, 1, 2, 3; got str 'x'")
    assert found[1] == ("3", "required item is unanswered")
    assert found[-2] == ("14", "9 is not one of the options 0, 1, 2, 3")
    assert found[-1] == ("99", "unknown item code for hads")


def test_the_error_message_lists_every_problem():
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.score("eq5d5l", {"MO": 6, "VAS": 200, "XX": 1})
    assert str(caught.value) == (
        "3 problem(s) in the eq5d5l answers:\n- MO: 6 is not one of the options "
        "1, 2, 3, 4, 5\n- VAS: 200 is outside the range 0 to 100\n- XX: unknown "
        "item code for eq5d5l"
    )
    assert isinstance(caught.value, ValueError) and caught.value.instrument == "eq5d5l"


def test_answers_must_be_a_mapping():
    assert problems("hads", [1, 2]) == [
        ("", "answers must be a mapping of item code to answer, got list [1, 2]")
    ]
    assert problems("hads", "x" * 80)[0][1].endswith("...")


def test_integer_answers():
    assert problems("eq5d5l", {"VAS": -1}) == [("VAS", "-1 is outside the range 0 to 100")]
    assert problems("eq5d5l", {"VAS": 50.5}) == [
        ("VAS", "expected a whole number from 0 to 100; got float 50.5")
    ]
    assert problems("eq5d5l", {"VAS": False})[0][0] == "VAS"
    assert instruments.validate("eq5d5l", {"VAS": 0}) == {"VAS": 0}


def test_whodas36_skip_rule():
    assert problems("whodas36", {"works_or_studies": False, "D5.5": 2}) == [
        ("D5.5", "not asked when works_or_studies is False; leave it unanswered")
    ]
    assert problems("whodas36", {"works_or_studies": "no"}) == [
        ("works_or_studies", "expected true or false, got str 'no'")
    ]
    assert problems("whodas36", {"works_or_studies": 0}) == [
        ("works_or_studies", "expected true or false, got int 0")
    ]
    assert instruments.validate("whodas36", {"works_or_studies": True, "D5.5": 2}) == {
        "works_or_studies": True,
        "D5.5": 2,
    }


def test_complete_whodas36_answers_depend_on_works_or_studies():
    all_but_work = {c: 1 for c in instruments.get("whodas36").item_codes if c != "works_or_studies"}
    for code in ("D5.5", "D5.6", "D5.7", "D5.8"):
        del all_but_work[code]
    instruments.validate("whodas36", all_but_work | {"works_or_studies": False}, complete=True)
    assert [
        item for item, _ in problems("whodas36", all_but_work | {"works_or_studies": True}, complete=True)
    ] == ["D5.5", "D5.6", "D5.7", "D5.8"]
    # Unanswered: only the question itself is reported; whether D5.5-D5.8 were asked is unknown.
    assert problems("whodas36", all_but_work, complete=True) == [
        ("works_or_studies", "required item is unanswered")
    ]


def test_a_bad_value_is_not_also_reported_as_missing():
    assert problems("hads", HADS_ALL_ONE | {"5": 7}, complete=True) == [
        ("5", "7 is not one of the options 3, 2, 1, 0")
    ]


SIMPLE = instruments.define(
    {
        "code": "simple",
        "version": "1",
        "name": "Simple",
        "items": [
            {"code": "when", "type": "date"},
            {"code": "note", "type": "text", "max_length": 5, "required": False},
        ],
    }
)


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("2024-02-29", "2024-02-29"),
        (date(2024, 1, 5), "2024-01-05"),
    ],
)
def test_dates_are_cleaned_to_iso_text(value, cleaned):
    assert instruments.validate(SIMPLE, {"when": value}) == {"when": cleaned}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-29", "'2023-02-29' is not a calendar date"),
        ("20240101", "expected a date as YYYY-MM-DD, got str '20240101'"),
        ("2024-01-01T00:00", "expected a date as YYYY-MM-DD, got str '2024-01-01T00:00'"),
        (
            datetime(2024, 1, 1),
            "expected a date as YYYY-MM-DD, got datetime datetime.datetime(2024, 1, 1, 0, 0)",
        ),
        (20240101, "expected a date as YYYY-MM-DD, got int 20240101"),
    ],
)
def test_bad_dates(value, message):
    assert problems(SIMPLE, {"when": value}) == [("when", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (" ", "empty text; leave the item out (or send null) when it is unanswered"),
        ("toolong", "text is 7 characters long; at most 5 are allowed"),
        (5, "expected text, got int 5"),
    ],
)
def test_bad_text(value, message):
    assert problems(SIMPLE, {"note": value}) == [("note", message)]


def test_an_optional_item_may_stay_unanswered():
    assert instruments.validate(SIMPLE, {"when": "2024-01-01"}, complete=True) == {"when": "2024-01-01"}
    assert problems(SIMPLE, {"note": "ok"}, complete=True) == [("when", "required item is unanswered")]


def test_lookup_adds_trial_instruments_but_refuses_a_taken_code():
    find = instruments.lookup([SIMPLE])
    assert find("simple") is SIMPLE and find("hads") is instruments.get("hads")
    with pytest.raises(KeyError, match="'nope'"):
        find("nope")
    with pytest.raises(instruments.InstrumentDefinitionError, match="'simple' is already taken"):
        instruments.lookup([SIMPLE, SIMPLE])
