"""The CSV export: long and wide files, codebook and README, as a statistician opens them."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from trial.exports import ExportError, IdentifierRefused

from .builders import TIMEPOINTS, blinded_spec, csv_rows, entries, export_bytes, participants, visits


def test_the_zip_holds_data_codebook_readme_and_manifest_in_a_fixed_order() -> None:
    assert list(entries(export_bytes())) == [
        "long.csv", "wide.csv", "codebook.csv", "codebook.json", "README.txt",
        "manifest.json", "MANIFEST.sha256",
    ]


def test_the_long_file_has_every_participant_at_every_timepoint() -> None:
    rows = csv_rows(entries(export_bytes())["long.csv"])
    assert len(rows) == len(participants()) * len(TIMEPOINTS)
    assert [(r["participant_id"], r["timepoint"]) for r in rows[:3]] == [
        ("BER-0001", "baseline"), ("BER-0001", "6m"), ("BER-0001", "12m"),
    ]
    assert list(rows[0])[:3] == ["participant_id", "site", "arm"]
    # OSL-0001 came only at baseline: its later rows carry the participant but no visit values.
    osl_12m = next(r for r in rows if r["participant_id"] == "OSL-0001" and r["timepoint"] == "12m")
    assert osl_12m["site"] == "oslo" and osl_12m["randomized_on"] == "2014-03-01"
    assert osl_12m["hads_1"] == osl_12m["completion_mode"] == osl_12m["days_from_randomization"] == ""


def test_cells_are_written_so_they_read_back_exactly() -> None:
    rows = csv_rows(entries(export_bytes())["long.csv"])
    six_months = rows[1]
    assert float(six_months["hads_anxiety"]) == 28 / 3
    assert six_months["days_from_randomization"] == "183"
    assert six_months["completed_on"] == "2014-01-01"
    assert six_months["arm"] == "treatment_ips" and six_months["allocation_ratio"] == "2:1"
    assert rows[3]["withdrawal_reason"] == 'Moved to Tromsø; said "no more", thanks'
    assert rows[6]["sex"] == ""  # missing


def test_the_wide_file_has_one_row_per_participant_with_suffixed_visit_variables() -> None:
    files = entries(export_bytes())
    wide, long = csv_rows(files["wide.csv"]), csv_rows(files["long.csv"])
    assert [r["participant_id"] for r in wide] == [p["participant_id"] for p in participants()]
    assert "hads_anxiety_6m" in wide[0] and "timepoint" not in wide[0]
    header = list(wide[0])
    assert header.index("hads_1_baseline") < header.index("hads_1_6m") < header.index("hads_1_12m")
    for row in long:
        person = next(w for w in wide if w["participant_id"] == row["participant_id"])
        assert row["eq5d5l_index"] == person[f"eq5d5l_index_{row['timepoint']}"]


def test_the_codebook_describes_every_variable_in_csv_and_json() -> None:
    files = entries(export_bytes())
    book = {r["variable"]: r for r in csv_rows(files["codebook.csv"])}
    assert list(book)[:2] == ["participant_id", "site"] and "timepoint" in book
    assert book["eq5d5l_mo"]["values"].startswith("1=No problems; 2=Slight problems")
    assert (book["hads_1"]["instrument"], book["hads_1"]["instrument_version"], book["hads_1"]["level"]) == (
        "hads", "1983", "visit")
    assert book["withdrawal_days"]["unit"] == "days"
    assert book["withdrawal_days"]["derivation"] == "withdrawn_on - randomized_on"
    document = json.loads(files["codebook.json"])
    assert document["blinded"] is False and document["timepoints"] == list(TIMEPOINTS)
    by_name = {v["variable"]: v for v in document["variables"]}
    assert by_name["sex"]["values"] == {"1": "Female", "2": "Male"}
    assert by_name["hads_anxiety"]["values"] is None
    assert list(by_name) == list(book)


def test_readme_names_the_lock_and_says_the_export_is_unblinded() -> None:
    readme = entries(export_bytes())["README.txt"].decode("utf-8")
    assert "ips-norway" in readme and "'primary-12m', lock version 1" in readme
    assert "2016-04-30T12:00:05Z" in readme and "UNBLINDED" in readme
    assert "Participants: 4." in readme and "(12 rows)" in readme


@pytest.mark.parametrize("fmt", ["csv", "sav", "dta"])
def test_no_file_of_a_blinded_export_holds_an_arm_code_or_arm_label(fmt: str) -> None:
    # The search would find them: the unblinded export holds them in its data file.
    assert b"treatment_ips" in entries(export_bytes(fmt=fmt))[f"long.{fmt}"]
    for name, data in entries(export_bytes(blinded_spec(), fmt)).items():
        for secret in (b"treatment_ips", b"usual_care", b"Usual follow-up"):
            assert secret not in data, f"{name} reveals {secret!r}"


def test_a_blinded_export_shows_masked_codes() -> None:
    files = entries(export_bytes(blinded_spec()))
    assert [r["arm"] for r in csv_rows(files["wide.csv"])] == ["B", "A", "A", "B"]
    readme = files["README.txt"].decode("utf-8")
    assert "BLINDED: allocated arms are replaced by masked codes (A, B)" in readme
    document = json.loads(files["codebook.json"])
    arm = next(v for v in document["variables"] if v["variable"] == "arm")
    assert document["blinded"] is True
    assert arm["values"] == {"A": "Masked arm A", "B": "Masked arm B"} and arm["label"].endswith("(masked)")
    assert json.loads(files["manifest.json"])["blinded"] is True


def test_a_blinded_export_refuses_an_arm_code_in_another_column() -> None:
    people = participants()
    people[0]["withdrawal_reason"] = "usual_care"
    with pytest.raises(ExportError, match="arm code"):
        export_bytes(blinded_spec(), people=people)


def changed(rows: list[dict[str, Any]], index: int, **values: Any) -> list[dict[str, Any]]:
    rows[index].update(values)
    return rows


@pytest.mark.parametrize("people, seen, message", [
    (changed(participants(), 0, sex="1"), None, "sex must be a whole number, not str"),
    (changed(participants(), 0, sex=True), None, "sex must be a whole number, not bool"),
    (changed(participants(), 0, sex=2**31), None, "outside the range"),
    (changed(participants(), 0, randomized_on=datetime(2013, 10, 14)), None, "a datetime: give its date"),
    (changed(participants(), 0, randomized_on="2013-10-14"), None, "must be a date"),
    (changed(participants(), 0, national_id="01019012345"), None, r"spec: \['national_id'\]"),
    (changed(participants(), 1, participant_id="BER-0001"), None, "occurs twice"),
    (None, changed(visits(), 0, hads_anxiety=float("nan")), "finite number"),
    (None, changed(visits(), 0, timepoint="3m"), "unknown or repeated timepoint '3m'"),
    (None, changed(visits(), 1, timepoint="baseline"), "unknown or repeated timepoint"),
    (None, list(reversed(visits())), "out of order"),
    (None, [*visits(), dict(visits()[0], participant_id="TRO-0001")], "'TRO-0001' is out of order"),
    (None, iter(visits()), "callable or a collection"),
    (changed(participants(), 0, arm="treatment_ips", site=None), None, None),
])
def test_rows_the_spec_does_not_allow_stop_the_export(people: Any, seen: Any, message: str | None) -> None:
    if message is None:
        export_bytes(people=people, seen=seen)  # a missing value is fine
        return
    with pytest.raises(ExportError, match=message):
        export_bytes(people=people, seen=seen)


@pytest.mark.parametrize("reason", ["fnr 01019012345", "010190 12345", "mail ola@example.no please"])
def test_an_identity_number_or_email_in_a_text_value_stops_the_export(reason: str) -> None:
    with pytest.raises(IdentifierRefused, match="withdrawal_reason"):
        export_bytes(people=changed(participants(), 1, withdrawal_reason=reason))


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        export_bytes(fmt="xlsx")


def test_a_trial_without_participants_exports_empty_files_with_headers() -> None:
    files = entries(export_bytes(people=[], seen=[]))
    assert files["long.csv"].decode().splitlines()[0].startswith("participant_id,site,arm")
    assert len(files["wide.csv"].decode().splitlines()) == 1


def test_rows_may_come_from_callables_returning_generators() -> None:
    def people() -> Any:
        yield from participants()

    def seen() -> Any:
        return (v for v in visits())

    assert export_bytes(people=people, seen=seen) == export_bytes()


def test_values_of_decimal_type_and_whole_numbers_count_as_floats() -> None:
    seen = changed(visits(), 0, eq5d5l_index=Decimal("0.876"), hads_anxiety=9)
    assert export_bytes(seen=seen) == export_bytes()
