"""Trial-specific instruments defined in TOML: items, validation, sum/mean scoring, own wording."""


import pytest

import instruments

from .trial_defined import FOLLOWUP, definition_problems, example, minimal


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
