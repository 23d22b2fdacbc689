"""A dataset spec refuses what SPSS or Stata could not hold, and anything like a direct identifier."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from trial.exports import DatasetSpec, ExportError, IdentifierRefused, Variable, suggests_identifier

from .builders import MASKS, PARTICIPANT_VARIABLES, VISIT_VARIABLES, make_spec


def with_variable(variable: Variable) -> DatasetSpec:
    return make_spec(variables=PARTICIPANT_VARIABLES + VISIT_VARIABLES + (variable,))


def test_the_example_spec_is_valid_and_splits_its_levels() -> None:
    spec = make_spec()
    assert spec.participant_variables == PARTICIPANT_VARIABLES
    assert spec.visit_variables == VISIT_VARIABLES


@pytest.mark.parametrize("name", [
    "6m_score", "_private", "hads-1", "hads 1", "x" * 33, "with", "BY", "str12", "strL", "angst_ø", "",
])
def test_names_spss_or_stata_cannot_hold_are_refused(name: str) -> None:
    with pytest.raises(ExportError, match="invalid variable name"):
        with_variable(Variable(name, "A label", "integer"))


def test_a_32_character_name_is_the_longest_allowed() -> None:
    with_variable(Variable("a" * 32, "A label", "integer"))


def test_a_wide_name_over_32_characters_is_refused() -> None:
    # 24 + "_baseline" = 33 characters in the wide file.
    with pytest.raises(ExportError, match="wide variable name 'whodas12_simple_0_100_xx_baseline'"):
        with_variable(Variable("whodas12_simple_0_100_xx", "WHODAS", "float", level="visit"))


def test_names_that_differ_only_in_case_are_refused() -> None:
    with pytest.raises(ExportError, match="occurs twice"):
        with_variable(Variable("Site", "Site again", "string"))


def test_a_participant_variable_may_not_collide_with_a_wide_name() -> None:
    with pytest.raises(ExportError, match="hads_1_6m"):
        with_variable(Variable("hads_1_6m", "Clash", "integer"))


@pytest.mark.parametrize("timepoints", [(), ("6m", "6m"), ("6 m",), ("-6m",)])
def test_bad_timepoints_are_refused(timepoints: tuple[str, ...]) -> None:
    with pytest.raises(ExportError, match="timepoint"):
        make_spec(timepoints=timepoints)


def test_participant_id_must_come_first() -> None:
    with pytest.raises(ExportError, match="participant_id"):
        make_spec(variables=PARTICIPANT_VARIABLES[1:] + PARTICIPANT_VARIABLES[:1])


@pytest.mark.parametrize("variable, message", [
    (Variable("score", "Score", "float", values={1: "One"}), "integer or string"),
    (Variable("sex2", "Sex", "integer", values={"1": "One"}), "not of the variable's type"),
    (Variable("sex2", "Sex", "integer", values={True: "One"}), "not of the variable's type"),
    (Variable("sex2", "Sex", "integer", values={1: "x" * 121}), "1-120 bytes"),
    (Variable("item", "", "integer"), "needs a label"),
    (Variable("item", "x" * 81, "integer"), "longer than 80"),
    (Variable("item", "Item", "boolean"), "type must be"),
    (Variable("timepoint", "Timepoint", "string"), "reserved"),
    (Variable("arm2", "Arm", "integer", allocation=True), "allocation variable"),
])
def test_invalid_variables_are_refused_with_a_reason(variable: Variable, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        with_variable(variable)


def test_locked_at_must_be_timezone_aware() -> None:
    with pytest.raises(ExportError, match="timezone-aware"):
        make_spec(locked_at=datetime(2016, 4, 30, 12, 0))


def test_blinding_needs_distinct_masks_that_are_not_arm_codes() -> None:
    with pytest.raises(ExportError, match="needs arm_masks"):
        make_spec(blinded=True)
    with pytest.raises(ExportError, match="share a masked code"):
        make_spec(blinded=True, arm_masks={"treatment_ips": "A", "usual_care": "A"})
    with pytest.raises(ExportError, match="equals an arm code"):
        make_spec(blinded=True, arm_masks={"a": "b", "b": "a"})
    with pytest.raises(ExportError, match="blinded export only"):
        make_spec(arm_masks=MASKS)
    unmarked = tuple(replace(v, allocation=False) for v in PARTICIPANT_VARIABLES) + VISIT_VARIABLES
    with pytest.raises(ExportError, match="allocation=True"):
        make_spec(blinded=True, arm_masks=MASKS, variables=unmarked)


@pytest.mark.parametrize("name, label", [
    ("national_id", "Identity number"), ("fnr", "F"), ("fodselsnummer", "F"), ("name", "N"),
    ("first_name", "Given"), ("email", "E"), ("phone_number", "P"), ("home_address", "A"), ("dob", "D"),
    ("pid_key", "National identity number"), ("x1", "Participant's name"), ("x2", "Fødselsnummer"),
    ("x3", "E-mail"), ("x4", "Date of birth"), ("x5", "Telefon"),
])
def test_a_variable_that_looks_like_a_direct_identifier_is_refused(name: str, label: str) -> None:
    with pytest.raises(IdentifierRefused, match="direct identifier"):
        with_variable(Variable(name, label, "string"))


@pytest.mark.parametrize("text", [
    "participant_id", "hads_anxiety", "eq5d5l_mo", "whodas12_s1", "days_from_randomization",
    "withdrawal_reason", "Completion mode", "HADS item 7", "Allocation period",
])
def test_ordinary_variables_do_not_look_like_identifiers(text: str) -> None:
    assert not suggests_identifier(text)
