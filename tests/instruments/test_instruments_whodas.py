"""WHODAS 2.0: 12-item simple scores and 36-item complex scores (reference section 3)."""

from fractions import Fraction

import pytest

import instruments

WHODAS36 = instruments.get("whodas36")
WORK = ("D5.5", "D5.6", "D5.7", "D5.8")
ITEMS_36 = [code for code in WHODAS36.item_codes if code != "works_or_studies"]
# The manual's SPSS recodes mapped to printed numbers (reference section 3.3): these items are
# recoded 1..5 -> 0..4; every other item 1..5 -> 0,1,1,2,2.
FLAT = {
    "D1.1",
    "D1.2",
    "D1.3",
    "D1.4",
    "D2.1",
    "D2.4",
    "D2.5",
    "D3.2",
    "D4.4",
    "D5.3",
    "D5.6",
    "D5.7",
    "D5.8",
    "D6.2",
    "D6.4",
    "D6.5",
    "D6.7",
}
# Manual denominators: the sum of each domain's item maxima.
DENOMINATORS = {
    "cognition": 20,
    "mobility": 16,
    "self_care": 10,
    "getting_along": 12,
    "household": 10,
    "work_school": 14,
    "participation": 24,
}
DOMAINS = tuple(DENOMINATORS)


def all_36(level: int, works: bool | None = True) -> dict[str, object]:
    answers: dict[str, object] = {code: level for code in ITEMS_36 if works is not False or code not in WORK}
    return answers if works is None else answers | {"works_or_studies": works}


# --- 12 items -----------------------------------------------------------------------------


def test_whodas12_items_and_domain_map():
    whodas12 = instruments.get("whodas12")
    assert whodas12.item_codes == tuple(f"S{n}" for n in range(1, 13))
    assert {group.code: group.items for group in whodas12.groups} == {
        "cognition": ("S3", "S6"),
        "mobility": ("S1", "S7"),
        "self_care": ("S8", "S9"),
        "getting_along": ("S10", "S11"),
        "life_activities": ("S2", "S12"),
        "participation": ("S4", "S5"),
    }
    assert all(item.options == (1, 2, 3, 4, 5) for item in whodas12.items)


@pytest.mark.parametrize(
    ("answers", "simple", "transformed"),
    [
        ([1] * 12, 12, 0),
        ([5] * 12, 60, 100),
        ([3] * 12, 36, 50),  # MII's example: all "moderate" sums to 24 in 0-4 codes, 36 in 1-5
        ([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2], 33, 43.75),
        ([2] + [1] * 11, 13, 100 / 48),
    ],
)
def test_whodas12_simple_score_and_its_0_100_transform(answers, simple, transformed):
    result = instruments.score("whodas12", {f"S{n}": a for n, a in enumerate(answers, start=1)})
    assert result == {"simple": simple, "simple_0_100": pytest.approx(transformed)}


def test_whodas12_is_unscored_when_any_item_is_unanswered():
    answers = {f"S{n}": 2 for n in range(1, 12)}
    assert instruments.score("whodas12", answers) == {"simple": None, "simple_0_100": None}
    assert instruments.score("whodas12", answers | {"S12": None}) == {"simple": None, "simple_0_100": None}


# --- 36 items: structure -------------------------------------------------------------------


def test_whodas36_items_domains_and_the_work_skip_rule():
    assert len(ITEMS_36) == 36
    assert WHODAS36.item_codes.index("works_or_studies") == WHODAS36.item_codes.index("D5.5") - 1
    assert WHODAS36.item("works_or_studies").kind == "boolean"
    sizes = {group.code: len(group.items) for group in WHODAS36.groups}
    assert sizes == {
        "cognition": 6,
        "mobility": 5,
        "self_care": 4,
        "getting_along": 5,
        "household": 4,
        "work_school": 4,
        "participation": 8,
    }
    asked_if = {item.code: item.asked_if for item in WHODAS36.items if item.asked_if}
    assert asked_if == dict.fromkeys(WORK, instruments.AskedIf("works_or_studies", True))


@pytest.mark.parametrize("code", ITEMS_36)
def test_each_item_is_recoded_flat_or_collapsed_as_the_manual_says(code):
    # Only this item at "extreme": its domain score is its maximum over the manual's denominator.
    answers = all_36(1) | {code: 5}
    domain = WHODAS36.item(code).group
    maximum = 4 if code in FLAT else 2
    result = instruments.score("whodas36", answers)
    assert result[domain] == pytest.approx(maximum * 100 / DENOMINATORS[domain])
    assert result["summary"] == pytest.approx(maximum * 100 / 106)
    answers[code] = 3  # "moderate": 2 when flat, 1 when collapsed
    assert instruments.score("whodas36", answers)[domain] == pytest.approx(
        maximum / 2 * 100 / DENOMINATORS[domain]
    )


# --- 36 items: complete answers ------------------------------------------------------------


def test_all_none_scores_zero_and_all_extreme_one_hundred():
    for level, expected in ((1, 0), (5, 100)):
        result = instruments.score("whodas36", all_36(level))
        assert result == dict.fromkeys(DOMAINS, expected) | {
            "summary": expected,
            "items_in_summary": 36,
            "simple": 36 * level,
        }


def test_all_mild_is_hand_computed_from_the_manual_denominators():
    # "Mild" (2) recodes to 1 on both patterns, so each score is (items in domain) x 100 / denominator.
    result = instruments.score("whodas36", all_36(2))
    sizes = {group.code: len(group.items) for group in WHODAS36.groups}
    assert result == {
        domain: pytest.approx(sizes[domain] * 100 / DENOMINATORS[domain]) for domain in DOMAINS
    } | {"summary": pytest.approx(3600 / 106), "items_in_summary": 36, "simple": 72}
    assert result["mobility"] == 31.25


def test_mixed_answers():
    answers = all_36(1) | {"D1.1": 4, "D1.5": 4, "D2.2": 5, "D3.2": 2, "D5.3": 5, "D5.5": 3, "D6.8": 4}
    result = instruments.score("whodas36", answers)
    assert result["cognition"] == (3 + 2) * 100 / 20
    assert result["mobility"] == 2 * 100 / 16
    assert result["self_care"] == 1 * 100 / 10
    assert result["getting_along"] == 0
    assert result["household"] == 4 * 100 / 10
    assert result["work_school"] == pytest.approx(1 * 100 / 14)
    assert result["participation"] == pytest.approx(2 * 100 / 24)
    assert result["summary"] == pytest.approx((5 + 2 + 1 + 4 + 1 + 2) * 100 / 106)


def test_people_not_working_or_studying_get_the_32_item_score():
    for level, expected in ((1, 0), (5, 100)):
        result = instruments.score("whodas36", all_36(level, works=False))
        assert result["summary"] == expected and result["work_school"] is None
        assert result["items_in_summary"] == 32 and result["simple"] == 32 * level
    assert instruments.score("whodas36", all_36(2, works=False))["summary"] == pytest.approx(3200 / 92)


def test_work_items_count_as_missing_while_works_or_studies_is_unanswered():
    result = instruments.score("whodas36", all_36(2, works=False) | {"works_or_studies": None})
    assert result["summary"] is None and result["simple"] is None and result["items_in_summary"] == 36
    assert result["cognition"] == 30  # complete domains are still scored
    assert instruments.score("whodas36", all_36(2, works=None))["summary"] == pytest.approx(3600 / 106)


# --- 36 items: missing data (manual section 6.5) -------------------------------------------


def without(answers: dict[str, object], *codes: str) -> dict[str, object]:
    return {code: value for code, value in answers.items() if code not in codes}


def test_one_missing_item_gets_the_domain_mean_raw_by_default_or_recoded_as_an_option():
    # The reference's example: all "moderate" with D1.1 missing -> 50 (raw mean) or 48 (recoded).
    answers = without(all_36(3), "D1.1")
    assert instruments.score("whodas36", answers)["cognition"] == 50
    assert instruments.score("whodas36", answers, impute="recoded")["cognition"] == 48
    assert instruments.score("whodas36", answers)["summary"] == 50
    assert instruments.score("whodas36", answers)["simple"] is None


def test_a_fractional_raw_mean_is_recoded_between_its_neighbours():
    # Raw mean of D1.1-D1.5 = 3.4; D1.6 is collapsed: between 3 -> 1 and 4 -> 2, so 1.4.
    answers = without(all_36(1) | {"D1.1": 3, "D1.2": 3, "D1.3": 4, "D1.4": 4, "D1.5": 3}, "D1.6")
    assert instruments.score("whodas36", answers)["cognition"] == pytest.approx((2 + 2 + 3 + 3 + 1 + 1.4) * 5)
    # A flat item takes the raw mean minus one: D1.1 missing, others 3,4,4,3(D1.5),3(D1.6) -> 3.4 - 1.
    answers = without(all_36(1) | {"D1.2": 3, "D1.3": 4, "D1.4": 4, "D1.5": 3, "D1.6": 3}, "D1.1")
    assert instruments.score("whodas36", answers)["cognition"] == pytest.approx((2.4 + 2 + 3 + 3 + 1 + 1) * 5)


def test_recoded_imputation_never_exceeds_the_item_maximum():
    answers = without(all_36(1) | {f"D1.{n}": 5 for n in range(1, 6)}, "D1.6")
    assert instruments.score("whodas36", answers, impute="recoded")["cognition"] == 100


def test_two_missing_items_in_different_domains_are_imputed():
    result = instruments.score("whodas36", without(all_36(4), "D1.1", "D6.8"))
    # "Severe" (4) recodes to 3 (flat) or 2 (collapsed); the raw domain mean 4 fills each gap.
    assert result["cognition"] == 80 and result["participation"] == pytest.approx(Fraction(2000, 24))
    assert result["summary"] == pytest.approx((17 * 3 + 19 * 2) * 100 / 106)


def test_two_missing_items_in_one_domain_leave_that_domain_unscored_but_not_the_summary():
    result = instruments.score("whodas36", without(all_36(5), "D3.1", "D3.2"))
    assert result["self_care"] is None
    assert result["summary"] == 100 and result["mobility"] == 100


def test_three_missing_items_leave_the_questionnaire_unscored():
    result = instruments.score("whodas36", without(all_36(2), "D1.1", "D2.1", "D2.2"))
    assert result["summary"] is None and result["simple"] is None
    assert result["cognition"] is None and result["mobility"] is None
    assert result["self_care"] == 40  # no imputation needed there


def test_working_people_with_work_items_missing():
    assert instruments.score("whodas36", without(all_36(2), *WORK[:2]))["work_school"] is None
    assert instruments.score("whodas36", without(all_36(2), *WORK[:2]))["summary"] == pytest.approx(
        3600 / 106
    )
    assert instruments.score("whodas36", without(all_36(2), *WORK[:3]))["summary"] is None


def test_the_household_flat_item_can_be_switched_to_d5_4():
    answers = all_36(1) | {"D5.3": 5}
    assert instruments.score("whodas36", answers)["household"] == 40
    assert instruments.score("whodas36", answers, household_flat_item="D5.4")["household"] == 20
    assert instruments.score("whodas36", all_36(5), household_flat_item="D5.4")["household"] == 100


@pytest.mark.parametrize("options", [{"impute": "median"}, {"household_flat_item": "D5.2"}, {"bands": "x"}])
def test_bad_whodas_options_are_refused(options):
    with pytest.raises(ValueError, match="option"):
        instruments.score("whodas36", all_36(1), **options)
