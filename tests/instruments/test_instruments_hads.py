"""HADS: the printed-score key, subscales, bands and the missing-item rule (reference section 1)."""

import pytest

import instruments

# Reference section 1.2: printed score of each option, top to bottom, from two public form
# transcriptions (intellirehab hads_view.php, NUBIC/eNOTIS hads_form.rb).
PRINTED = {
    1: (3, 2, 1, 0),
    2: (0, 1, 2, 3),
    3: (3, 2, 1, 0),
    4: (0, 1, 2, 3),
    5: (3, 2, 1, 0),
    6: (3, 2, 1, 0),
    7: (0, 1, 2, 3),
    8: (3, 2, 1, 0),
    9: (0, 1, 2, 3),
    10: (3, 2, 1, 0),
    11: (3, 2, 1, 0),
    12: (0, 1, 2, 3),
    13: (3, 2, 1, 0),
    14: (0, 1, 2, 3),
}
ANXIETY = [str(n) for n in range(1, 15, 2)]
DEPRESSION = [str(n) for n in range(2, 15, 2)]


def answers(anxiety: list[int], depression: list[int]) -> dict[str, object]:
    """Answers giving these printed scores to the anxiety and depression items in order."""
    return dict(zip(ANXIETY, anxiety, strict=True)) | dict(zip(DEPRESSION, depression, strict=True))


def with_sum(total: int, size: int = 7) -> list[int]:
    """``size`` item scores (0-3) adding up to ``total``."""
    scores = []
    for _ in range(size):
        scores.append(min(3, total))
        total -= scores[-1]
    assert total == 0
    return scores


def test_items_are_1_to_14_in_printed_order_with_the_printed_key():
    hads = instruments.get("hads")
    assert [item.code for item in hads.items] == [str(n) for n in range(1, 15)]
    assert {int(item.code): item.options for item in hads.items} == PRINTED
    assert [item.group for item in hads.items] == ["anxiety", "depression"] * 7


def test_the_first_printed_option_of_every_item_is_not_zero_zero():
    # The reverse-keying trap: scoring option positions would give 0/0 here.
    first = {str(n): options[0] for n, options in PRINTED.items()}
    result = instruments.score("hads", first)
    assert (result["anxiety"], result["depression"], result["total"]) == (15, 9, 24)
    last = {str(n): options[-1] for n, options in PRINTED.items()}
    assert (instruments.score("hads", last)["anxiety"], instruments.score("hads", last)["depression"]) == (
        6,
        12,
    )


def test_extremes():
    assert instruments.score("hads", answers([0] * 7, [0] * 7)) == {
        "anxiety": 0,
        "depression": 0,
        "total": 0,
        "anxiety_band": "normal",
        "depression_band": "normal",
    }
    assert instruments.score("hads", answers([3] * 7, [3] * 7)) == {
        "anxiety": 21,
        "depression": 21,
        "total": 42,
        "anxiety_band": "abnormal",
        "depression_band": "abnormal",
    }


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "normal"),
        (7, "normal"),
        (8, "borderline"),
        (10, "borderline"),
        (11, "abnormal"),
        (21, "abnormal"),
    ],
)
def test_three_band_edges(total, band):
    result = instruments.score("hads", answers(with_sum(total), with_sum(21 - total)))
    assert (result["anxiety"], result["anxiety_band"]) == (total, band)
    assert (
        result["depression_band"]
        == {0: "abnormal", 7: "abnormal", 8: "abnormal", 10: "abnormal", 11: "borderline", 21: "normal"}[
            total
        ]
    )


@pytest.mark.parametrize(
    ("option", "total", "band"),
    [
        ("four-band", 10, "mild"),
        ("four-band", 11, "moderate"),
        ("four-band", 14, "moderate"),
        ("four-band", 15, "severe"),
        ("four-band-16", 15, "moderate"),
        ("four-band-16", 16, "severe"),
        ("three-band", 15, "abnormal"),
    ],
)
def test_alternative_bandings(option, total, band):
    result = instruments.score("hads", answers(with_sum(total), with_sum(total)), bands=option)
    assert result["anxiety_band"] == band == result["depression_band"]


def test_one_missing_item_is_prorated_unrounded_and_banded_rounded_half_up():
    given = answers(with_sum(9, 6) + [0], with_sum(7, 6) + [0])
    del given["13"], given["14"]  # one item missing from each subscale
    result = instruments.score("hads", given)
    # 9 x 7/6 = 10.5 rounds half up to 11 (Python's round() would give 10, "borderline").
    assert result["anxiety"] == 10.5 and result["anxiety_band"] == "abnormal"
    assert result["depression"] == pytest.approx(49 / 6) and result["depression_band"] == "borderline"
    assert result["total"] == pytest.approx(10.5 + 49 / 6)


def test_a_whole_prorated_score_stays_whole():
    given = answers(with_sum(6, 6) + [0], [0] * 7)
    del given["13"]
    assert instruments.score("hads", given)["anxiety"] == 7
    assert instruments.score("hads", given)["anxiety_band"] == "normal"


def test_two_missing_items_leave_the_subscale_and_total_unscored():
    given = answers([1] * 7, [2] * 7)
    del given["1"], given["3"]
    result = instruments.score("hads", given)
    assert result == {
        "anxiety": None,
        "depression": 14,
        "total": None,
        "anxiety_band": None,
        "depression_band": "abnormal",
    }


def test_max_missing_option_gives_the_half_rule_or_complete_cases():
    given = answers([2] * 7, [1] * 7)
    for code in ("1", "3", "5"):
        del given[code]
    assert instruments.score("hads", given)["anxiety"] is None
    assert instruments.score("hads", given, max_missing=3)["anxiety"] == 14  # 8 x 7/4
    del given["7"]
    assert instruments.score("hads", given, max_missing=3)["anxiety"] is None
    del given["2"]
    assert instruments.score("hads", given, max_missing=0)["depression"] is None
    assert instruments.score("hads", given, max_missing=None)["depression"] == pytest.approx(7)


@pytest.mark.parametrize(
    "options",
    [
        {"bands": "five-band"},
        {"max_missing": 7},
        {"max_missing": True},
        {"max_missing": "1"},
        {"value_set": "norway"},
    ],
)
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError, match="option|max_missing"):
        instruments.score("hads", answers([0] * 7, [0] * 7), **options)


def test_an_answer_is_the_printed_score_not_a_position():
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.score("hads", {"1": 4})
    assert caught.value.problems == (instruments.Problem("1", "4 is not one of the options 3, 2, 1, 0"),)
