"""Trial-specific instruments defined in TOML: items, validation, sum/mean scoring, own wording."""

import tomllib
from pathlib import Path

import pytest

import instruments

EXAMPLE = """
code = "ips-followup"
version = "1"
name = "IPS follow-up questions"
score = "sum"
max_missing = 1
title = { nb = "Oppfølging", en = "Follow-up" }
instructions = { en = "Answer every question." }

[[items]]
code = "ladder"
type = "ladder"
scored = false
text = { nb = "Hvor på stigen står du?", en = "Where on the ladder are you?" }

[[items]]
code = "works"
type = "yes-no"
text = { nb = "Er du i arbeid?", en = "Are you working?" }
labels = { en = ["I work", "I do not work"] }

[[items]]
code = "hours"
type = "number"
minimum = 0
maximum = 80
asked_if = { item = "works", equals = true }
text = { nb = "Timer per uke", en = "Hours a week" }

[[items]]
code = "fatigue"
type = "likert"
points = 4
start = 0
reverse = true
group = "health"
text = { nb = "Sliten", en = "Tired" }
labels = { nb = ["Aldri", "Sjelden", "Ofte", "Alltid"], en = ["Never", "Rarely", "Often", "Always"] }

[[items]]
code = "worry"
type = "likert"
points = 4
start = 0
group = "health"
text = { nb = "Bekymret", en = "Worried" }
labels = { nb = ["Aldri", "Sjelden", "Ofte", "Alltid"], en = ["Never", "Rarely", "Often", "Always"] }

[[items]]
code = "work_stress"
type = "likert"
points = 4
start = 0
group = "health"
asked_if = { item = "works", equals = true }
text = { nb = "Stress på jobb", en = "Stress at work" }
labels = { nb = ["Aldri", "Sjelden", "Ofte", "Alltid"], en = ["Never", "Rarely", "Often", "Always"] }

[[items]]
code = "sector"
type = "choice"
options = [1, 2, 9]
scored = false
required = false
text = { nb = "Sektor", en = "Sector" }
labels = { nb = ["Privat", "Offentlig", "Annet"], en = ["Private", "Public", "Other"] }

[[items]]
code = "started"
type = "date"
required = false
text = { nb = "Startdato", en = "Start date" }

[[items]]
code = "comment"
type = "text"
max_length = 200
required = false
text = { nb = "Kommentar", en = "Comment" }
"""


def example(**changes: object) -> dict[str, object]:
    return tomllib.loads(EXAMPLE) | changes


def minimal(**changes: object) -> dict[str, object]:
    return {"code": "t", "version": "1", "name": "T", "items": [{"code": "q", "type": "yes-no"}]} | changes


FOLLOWUP = instruments.define(example())


def definition_problems(mapping: object, **options: str) -> list[str]:
    with pytest.raises(instruments.InstrumentDefinitionError) as caught:
        instruments.define(mapping, **options)  # type: ignore[arg-type]  # deliberately malformed input
    return [str(problem) for problem in caught.value.problems]


def test_the_definition_becomes_items():
    items = {item.code: item for item in FOLLOWUP.items}
    assert FOLLOWUP.item_codes == (
        "ladder",
        "works",
        "hours",
        "fatigue",
        "worry",
        "work_stress",
        "sector",
        "started",
        "comment",
    )
    assert items["ladder"].kind == "choice" and items["ladder"].options == tuple(range(10, 0, -1))
    assert items["works"].kind == "boolean"
    assert (items["hours"].kind, items["hours"].minimum, items["hours"].maximum) == ("integer", 0, 80)
    assert items["hours"].asked_if == instruments.AskedIf("works", True)
    assert items["fatigue"].options == (0, 1, 2, 3) and items["fatigue"].group == "health"
    assert items["sector"].options == (1, 2, 9) and not items["sector"].required
    assert items["comment"].max_length == 200 and items["started"].kind == "date"
    assert FOLLOWUP.scores == ("sum",) and FOLLOWUP.groups == (
        instruments.Group("health", "health", ("fatigue", "worry", "work_stress")),
    )
    assert not FOLLOWUP.licensed and "ips-followup" not in instruments.codes()


def test_sum_scoring_with_reverse_keying_skip_rules_and_prorating():
    # fatigue is reversed (0 counts 3); work_stress is not asked of people who do not work.
    assert instruments.score(FOLLOWUP, {"works": False, "fatigue": 0, "worry": 2}) == {"sum": 5}
    assert instruments.score(FOLLOWUP, {"works": True, "fatigue": 3, "worry": 1, "work_stress": 2}) == {
        "sum": 3
    }
    # One missing of the items asked: prorated (x 3/2, x 2/1); two missing: None.
    assert instruments.score(FOLLOWUP, {"works": True, "fatigue": 3, "worry": 1}) == {"sum": 1.5}
    assert instruments.score(FOLLOWUP, {"works": False, "fatigue": 0}) == {"sum": 6}
    assert instruments.score(FOLLOWUP, {"works": True, "fatigue": 0}) == {"sum": None}
    assert instruments.score(FOLLOWUP, {"ladder": 7, "hours": 20}) == {"sum": None}


def test_mean_scoring():
    mean = instruments.define(example(score="mean", max_missing=0))
    assert instruments.score(mean, {"works": False, "fatigue": 1, "worry": 3}) == {"mean": 2.5}
    assert instruments.score(mean, {"works": True, "fatigue": 1, "worry": 3}) == {"mean": None}


def test_a_prorated_sum_needs_items_on_one_scale():
    mapping = example()
    mapping["items"][0]["scored"] = True
    assert definition_problems(mapping) == [
        "max_missing: prorating a sum needs scored items on one scale; "
        "got ladder 1-10, fatigue 0-3, worry 0-3, work_stress 0-3"
    ]
    assert instruments.define(example(items=mapping["items"], max_missing=0)).scores == ("sum",)
    assert instruments.define(example(items=mapping["items"], score="mean")).scores == ("mean",)


def test_a_yes_no_item_counts_only_when_marked_scored():
    assert definition_problems(minimal(score="sum")) == [
        "score: score = 'sum' needs at least one scored item"
    ]
    scored = instruments.define(minimal(score="sum", items=[{"code": "q", "type": "yes-no", "scored": True}]))
    assert instruments.score(scored, {"q": True}) == {"sum": 1}
    assert instruments.score(scored, {"q": False}) == {"sum": 0}
    two = [
        {"code": "q", "type": "yes-no", "scored": True},
        {"code": "r", "type": "likert", "points": 2, "start": 0},
    ]
    prorated = instruments.define(minimal(score="sum", max_missing=1, items=two))
    assert instruments.score(prorated, {"q": True}) == {"sum": 2}
    two[1]["start"] = 1
    assert definition_problems(minimal(score="sum", max_missing=1, items=two)) == [
        "max_missing: prorating a sum needs scored items on one scale; got q 0-1, r 1-2"
    ]


def test_a_reversed_number_counts_from_the_other_end():
    mapping = {
        "code": "n",
        "version": "1",
        "name": "N",
        "score": "sum",
        "items": [
            {"code": "x", "type": "number", "minimum": 5, "maximum": 10, "reverse": True, "scored": True}
        ],
    }
    assert instruments.score(instruments.define(mapping), {"x": 6}) == {"sum": 9}


def test_no_score_by_default():
    plain = instruments.define(
        {"code": "plain", "version": "1", "name": "Plain", "items": [{"code": "q", "type": "yes-no"}]}
    )
    assert plain.scores == () and instruments.score(plain, {"q": True}) == {}
    with pytest.raises(ValueError, match="no scoring option"):
        instruments.score(plain, {}, value_set="norway")


def test_validation_is_the_same_as_for_built_in_instruments():
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.validate(
            FOLLOWUP,
            {
                "ladder": 11,
                "works": False,
                "hours": 3,
                "fatigue": 1.0,
                "sector": 3,
                "started": "1.1.2024",
                "comment": "x" * 201,
                "other": 1,
            },
            complete=True,
        )
    assert [p.item for p in caught.value.problems] == [
        "ladder",
        "hours",
        "fatigue",
        "worry",
        "sector",
        "started",
        "comment",
        "other",
    ]


def test_the_code_may_come_from_where_the_definition_is_listed():
    keyed = {key: value for key, value in example().items() if key != "code"}
    assert instruments.define(keyed, code="ips-followup").code == "ips-followup"
    assert instruments.define(example(), code="ips-followup").code == "ips-followup"
    assert definition_problems(example(), code="other") == [
        "code: 'ips-followup' differs from the code it is listed under, 'other'"
    ]


def test_the_definition_carries_its_own_wording():
    nb, en = instruments.wording(FOLLOWUP, "nb"), instruments.wording(FOLLOWUP, "en")
    assert (nb.source, nb.title, nb.instructions, en.instructions) == (
        "definition",
        "Oppfølging",
        "",
        "Answer every question.",
    )
    assert nb.item_text("ladder") == "Hvor på stigen står du?" and nb.option_label("ladder", 10) == "10"
    assert en.option_label("fatigue", 0) == "Never" and nb.option_label("sector", 9) == "Annet"
    assert en.option_label("works", True) == "I work" and nb.option_label("works", False) == "Nei"
    plain = instruments.define(
        {
            "code": "plain",
            "version": "1",
            "name": "Plain questions",
            "items": [{"code": "q", "type": "yes-no"}],
        }
    )
    placeholder = instruments.wording(plain, "nb")
    assert placeholder.item_text("q") == "Plain questions spørsmål q" and placeholder.instructions == ""


def test_a_trial_pack_overrides_the_definition_text(tmp_path):
    lines = ['instrument = "ips-followup"', 'version = "1"', 'language = "en"', 'title = "Checked"']
    for item in FOLLOWUP.items:
        lines += [f"[items.{item.code}]", 'text = "Checked text"']
        if item.options:
            lines.append(
                "options = [" + ", ".join(f'{{ value = {v}, text = "v{v}" }}' for v in item.options) + "]"
            )
    (tmp_path / "ips-followup.en.toml").write_text("\n".join(lines), encoding="utf-8")
    catalog = instruments.load_wording_packs(tmp_path, instruments.lookup([FOLLOWUP]))
    assert instruments.wording(FOLLOWUP, "en", catalog).title == "Checked"
    assert instruments.wording(FOLLOWUP, "nb", catalog).title == "Oppfølging"


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
