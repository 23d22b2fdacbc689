"""Trial-specific instruments: bad definitions, items and wording are refused naming the field."""

import tomllib
from pathlib import Path

import pytest

import instruments

from .trial_defined import definition_problems, example, minimal


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("not a table", ["the definition must be a TOML table"]),
        (
            {},
            [
                "code: must be 1-40 lower-case letters, digits, '-' or '_', starting with a letter",
                'version: is required and must be non-empty text (quote numbers: "1")',
                'name: is required and must be non-empty text (quote numbers: "1")',
                "items: add at least one [[items]] table "
                "(types: likert, ladder, choice, yes-no, number, date, text)",
            ],
        ),
        (example(code="hads"), ["code: 'hads' is a built-in instrument; choose another code"]),
        (
            example(code="Bad Code"),
            ["code: must be 1-40 lower-case letters, digits, '-' or '_', starting with a letter"],
        ),
        (example(version=1), ['version: is required and must be non-empty text (quote numbers: "1")']),
        (example(score="median"), ["score: must be one of none, sum, mean, got 'median'"]),
        (example(max_missing=-1), ["max_missing: must be a whole number of 0 or more, got -1"]),
        (example(colour="red"), ["colour: unknown field"]),
        (example(items=["x"]), ["items[0]: must be a table"]),
        (
            minimal(items=[{"code": "d", "type": "date"}], score="sum"),
            ["score: score = 'sum' needs at least one scored item"],
        ),
        (minimal(title={"de": "Titel"}), ["title.de: unknown language; use nb, en"]),
        (minimal(title="Title"), ["title: must be a table by language (nb, en)"]),
    ],
)
def test_bad_definitions_are_refused_naming_the_field(mapping, expected):
    assert definition_problems(mapping) == expected


def items_problems(*items: dict[str, object]) -> list[str]:
    return definition_problems({"code": "t", "version": "1", "name": "T", "items": list(items)})


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"code": "a", "type": "slider"},
            "items[0].type: must be one of likert, ladder, choice, yes-no, number, date, text, got 'slider'",
        ),
        ({"code": "a b", "type": "date"}, "items[0].code: must be 1-40 letters, digits, '.', '-' or '_'"),
        ({"code": "a", "type": "date", "points": 3}, "items[0].points: unknown field for a date item"),
        ({"code": "a", "type": "likert"}, "items[0].points: is required for this item type"),
        (
            {"code": "a", "type": "likert", "points": 12},
            "items[0].points: a Likert scale has 2 to 11 points, got 12",
        ),
        (
            {"code": "a", "type": "likert", "points": 5, "start": "1"},
            "items[0].start: must be a whole number, got '1'",
        ),
        (
            {"code": "a", "type": "choice", "options": [1]},
            "items[0].options: must list at least two whole-number stored values in printed order",
        ),
        (
            {"code": "a", "type": "choice", "options": [1, 1.5]},
            "items[0].options: must list at least two whole-number stored values in printed order",
        ),
        (
            {"code": "a", "type": "choice", "options": [1, 1]},
            "items[0].options: stored values must be distinct",
        ),
        (
            {"code": "a", "type": "number", "minimum": 5, "maximum": 5},
            "items[0].maximum: must be greater than minimum (5)",
        ),
        ({"code": "a", "type": "number", "maximum": 5}, "items[0].minimum: is required for this item type"),
        ({"code": "a", "type": "text", "scored": True}, "items[0].scored: a text item cannot be scored"),
        ({"code": "a", "type": "text", "max_length": 0}, "items[0].max_length: must be at least 1, got 0"),
        (
            {"code": "a", "type": "date", "required": "yes"},
            "items[0].required: must be true or false, got 'yes'",
        ),
        ({"code": "a", "type": "date", "group": ""}, "items[0].group: must be non-empty text"),
        ({"code": "a", "type": "ladder", "reverse": 1}, "items[0].reverse: must be true or false, got 1"),
        (
            {"code": "a", "type": "date", "asked_if": {"item": "a"}},
            'items[0].asked_if: must be { item = "<earlier item code>", equals = <answer> }',
        ),
        (
            {"code": "a", "type": "date", "asked_if": {"item": "z", "equals": True}},
            "items[0].asked_if: 'z' is not an earlier yes-no or choice item",
        ),
    ],
)
def test_bad_items_are_refused_naming_the_field(item, expected):
    assert items_problems(item) == [expected]


def test_item_codes_are_unique_and_skip_rules_point_backwards_with_a_possible_answer():
    assert items_problems({"code": "a", "type": "date"}, {"code": "a", "type": "date"}) == [
        "items[1].code: 'a' is used by an earlier item"
    ]
    assert items_problems(
        {"code": "a", "type": "yes-no"}, {"code": "b", "type": "date", "asked_if": {"item": "a", "equals": 1}}
    ) == ["items[1].asked_if: equals: expected true or false, got int 1"]
    assert items_problems(
        {"code": "a", "type": "date"},
        {"code": "b", "type": "date", "asked_if": {"item": "a", "equals": "2024-01-01"}},
    ) == ["items[1].asked_if: 'a' is not an earlier yes-no or choice item"]
    defined = instruments.define(
        {
            "code": "t",
            "version": "1",
            "name": "T",
            "items": [
                {"code": "a", "type": "likert", "points": 3},
                {"code": "b", "type": "date", "asked_if": {"item": "a", "equals": 3}},
            ],
        }
    )
    assert defined.item("b").asked_if == instruments.AskedIf("a", 3)
    assert instruments.validate(defined, {"a": 1}, complete=True) == {"a": 1}


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"code": "a", "type": "likert", "points": 3, "text": {"en": "A"}},
            ["items[0].labels.en: give 3 labels in printed order"],
        ),
        (
            {"code": "a", "type": "likert", "points": 3, "text": {"en": "A"}, "labels": {"en": ["x", "y"]}},
            ["items[0].labels.en: must be 3 non-empty labels, in printed order"],
        ),
        (
            {"code": "a", "type": "yes-no", "text": {"en": "A"}, "labels": {"en": ["Yes", ""]}},
            ["items[0].labels.en: must be 2 non-empty labels, yes, then no"],
        ),
        (
            {"code": "a", "type": "date", "text": {"nb": "A"}},
            ["title.nb: is missing or empty", "items[0].text.en: is missing or empty"],
        ),
        (
            {"code": "a", "type": "date", "text": "A"},
            ["items[0].text: must be a table by language (nb, en)", "items[0].text.en: is missing or empty"],
        ),
        ({"code": "a", "type": "date"}, ["items[0].text.en: is missing or empty"]),
    ],
)
def test_a_language_used_anywhere_must_be_complete(item, expected):
    assert definition_problems(minimal(title={"en": "T"}, items=[item])) == expected


def test_the_documented_example_is_a_valid_definition():
    doc = (Path(__file__).parents[2] / "docs" / "instrument-wording.md").read_text(encoding="utf-8")
    section = doc.split("## 3. Trial-specific instruments", 1)[1]
    example_toml = section.split("```toml\n", 1)[1].split("```", 1)[0]
    defined = instruments.define(tomllib.loads(example_toml))
    assert defined.item_codes == ("ladder", "works", "hours", "fatigue")
    assert instruments.score(defined, {"works": False, "fatigue": 0}) == {"sum": 3}
