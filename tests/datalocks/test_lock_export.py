"""Exports of a real lock: the same data in every format, the manifest, the same bytes every time,
the codebook a statistician reads, and what a blinded statistician may see."""
from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from trial import clock
from trial.exports import verify_manifest

from .conftest import WITHDRAWAL_REASON, Api, BuiltTrial, csv_rows, download, entries, read_stat

TIMEPOINTS = ("baseline", "6m", "12m")


def codebook(files: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(files["codebook.json"])


def shape_variables(book: dict[str, Any], shape: str) -> list[dict[str, Any]]:
    """The codebook's variables as the long or wide file lays them out (README: X becomes X_<timepoint>,
    its label gains " [<timepoint>]")."""
    if shape == "long":
        return book["variables"]
    participant = [v for v in book["variables"] if v["level"] == "participant"]
    visit = [v for v in book["variables"] if v["level"] == "visit" and v["variable"] != "timepoint"]
    return participant + [{**v, "variable": f"{v['variable']}_{t}", "label": f"{v['label']} [{t}]"}
                           for t in book["timepoints"] for v in visit]


def same_cell(kind: str, text: str, value: Any) -> bool:
    if text == "":
        return value is None or value == ""
    if kind == "string":
        return bool(value == text)
    if kind == "date":
        return bool(value == date.fromisoformat(text))
    return bool(value == float(text))


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_files_read_back_equal_to_the_csv(built: BuiltTrial, statistician: Api, lock_id: str,
                                                         fmt: str, tmp_path: Path) -> None:
    csv_files = entries(download(statistician, lock_id, "csv"))
    stat_files = entries(download(statistician, lock_id, fmt))
    book = codebook(stat_files)
    assert book == codebook(csv_files)
    for shape in ("long", "wide"):
        variables = shape_variables(book, shape)
        expected = csv_rows(csv_files[f"{shape}.csv"])
        frame, meta = read_stat(stat_files[f"{shape}.{fmt}"], fmt, tmp_path)
        assert frame.columns == [v["variable"] for v in variables] == list(expected[0])
        assert frame.height == len(expected) == (12 if shape == "long" else 4)
        for v in variables:
            for text, value in zip((row[v["variable"]] for row in expected), frame[v["variable"]].to_list(),
                                   strict=True):
                assert same_cell(v["type"], text, value), (shape, v["variable"], text, value)
        assert meta.column_names_to_labels == {v["variable"]: v["label"] for v in variables}
        assert meta.variable_value_labels["sex"] == {1: "Female", 2: "Male", 3: "Other"}


@pytest.mark.parametrize("fmt", ["csv", "sav", "dta"])
def test_every_export_verifies_against_its_manifest(built: BuiltTrial, statistician: Api, lock_id: str,
                                                    fmt: str) -> None:
    data = download(statistician, lock_id, fmt)
    assert verify_manifest(data) == []
    manifest = json.loads(entries(data)["manifest.json"])
    _, lock, _ = statistician.get(f"/locks/{lock_id}")
    assert manifest["lock"]["sha256"] == lock["sha256"] and manifest["participants"] == 4


def test_the_same_lock_exports_to_the_same_bytes(built: BuiltTrial, statistician: Api, lock_id: str) -> None:
    formats = ("csv", "sav", "dta")
    first = {fmt: download(statistician, lock_id, fmt) for fmt in formats}
    time.sleep(1.1)  # past a second of real time: no file may carry the time of writing
    assert {fmt: download(statistician, lock_id, fmt) for fmt in formats} == first
    with time_machine.travel(clock.now() + timedelta(days=400, seconds=7), tick=True):
        assert {fmt: download(statistician, lock_id, fmt) for fmt in formats} == first


def test_the_dataset_carries_allocation_dates_from_randomisation_and_scores(
        built: BuiltTrial, statistician: Api, lock_id: str) -> None:
    files = entries(download(statistician, lock_id, "csv"))
    wide = {row["participant_id"]: row for row in csv_rows(files["wide.csv"])}
    assert set(wide) == set(built.participants)
    first, prorated, withdrawn = (wide[code] for code in ("BER-0001", "BER-0002", "OSL-0002"))
    assert {code: row["arm"] for code, row in wide.items()} == built.participants
    assert (first["site"], first["stratum"], first["allocation_period"], first["allocation_ratio"]) == (
        "bergen", "bergen", "start-up", "2:1")
    assert float(first["allocation_probability"]) in (2 / 3, 1 / 3)
    assert (first["randomized_on"], first["sex"], first["age_at_randomization"]) == ("2014-01-20", "1", "29")
    assert first["days_from_randomization_baseline"] == "0" and first["days_from_randomization_6m"] == "183"
    assert (first["completion_mode_6m"], prorated["completion_mode_6m"]) == ("paper", "online")
    assert first["hads_1_6m"] == "2" and first["eq5d5l_mo_6m"] == "2" and first["whodas12_s1_6m"] == "2"
    assert prorated["hads_3_6m"] == "" and float(prorated["hads_anxiety_6m"]) == pytest.approx(8 * 7 / 6)
    assert first["eq5d5l_index_6m"] != "" and first["whodas12_simple_0_100_6m"] == "25.0"
    assert (withdrawn["withdrawal_scope"], withdrawn["withdrawn_follow_up_on"],
            withdrawn["withdrawn_follow_up_days"]) == ("follow-up", "2014-07-22", "183")
    assert withdrawn["visit_status_12m"] == "cancelled" and first["visit_status_12m"] == "scheduled"


def test_the_codebook_describes_labels_units_derivations_and_instruments(built: BuiltTrial, statistician: Api,
                                                                       lock_id: str) -> None:
    book = {v["variable"]: v for v in codebook(entries(download(statistician, lock_id, "csv")))["variables"]}
    names = ("hads_1", "hads_anxiety", "eq5d5l_mo", "eq5d5l_index", "whodas12_s1", "whodas12_simple_0_100")
    for name in names:
        assert book[name]["level"] == "visit" and book[name]["instrument"] == name.split("_")[0]
        assert book[name]["instrument_version"] == "1"
    assert "sum of items 1,3,5,7,9,11,13" in book["hads_anxiety"]["derivation"]
    assert "one missing item prorated x7/6" in book["hads_anxiety"]["derivation"]
    assert book["eq5d5l_index"]["label"] == "EQ-5D-5L index value (norway value set)"
    assert book["completion_mode"]["values"] == {"online": "Online, by the participant",
                                                 "paper": "Paper, entered by staff",
                                                 "device": "On a device at the site"}
    assert book["arm"]["values"] == {"ips": "Individual Placement and Support",
                                     "control": "High-quality usual follow-up"}
    assert book["days_from_randomization"]["unit"] == "days"


def test_identity_numbers_names_and_free_text_never_appear(built: BuiltTrial, statistician: Api,
                                                          lock_id: str) -> None:
    for fmt in ("csv", "sav", "dta"):
        for name, data in entries(download(statistician, lock_id, fmt)).items():
            text = data.decode("latin-1")
            for secret in (*built.national_ids.values(), "Kari", "Nordmann", WITHDRAWAL_REASON):
                assert secret not in text, (fmt, name)


def test_a_blinded_statistician_gets_only_masked_arms(built: BuiltTrial, blinded_statistician: Api,
                                                     lock_id: str, tmp_path: Path) -> None:
    assert blinded_statistician.get(f"/locks/{lock_id}/export?format=csv&blinded=false")[0] == 403
    default = download(blinded_statistician, lock_id, "csv", blinded=None)
    assert default == download(blinded_statistician, lock_id, "csv", blinded="true")
    wide = csv_rows(entries(default)["wide.csv"])
    assert {row["arm"] for row in wide} <= {"A", "B"} and "allocation_probability" not in wide[0]
    # The masks are the ones the CONSORT flow shows this role ("Arm A" there is "A" here).
    _, flow, _ = blinded_statistician.get("/consort?as_of=2014-04-01")
    assert {f"Arm {arm}": sum(r["arm"] == arm for r in wide) for arm in ("A", "B")} == {
        name: arm["allocated"] for name, arm in flow["arms"].items()}
    arm_word = re.compile(r"(?<![\w-])(ips|control)(?![\w-])", re.IGNORECASE)
    for fmt in ("csv", "sav", "dta"):
        files = entries(download(blinded_statistician, lock_id, fmt, blinded="true"))
        for name, data in files.items():
            text = data.decode("latin-1")
            assert not arm_word.search(text), (fmt, name, arm_word.search(text))
            assert "Individual Placement" not in text and "usual follow-up" not in text
        if fmt != "csv":
            frame, meta = read_stat(files[f"wide.{fmt}"], fmt, tmp_path)
            assert set(frame["arm"].to_list()) <= {"A", "B"}
            assert not arm_word.search(json.dumps(meta.variable_value_labels) + json.dumps(
                meta.column_names_to_labels) + str(meta.file_label))


def test_an_unblinded_statistician_may_choose(built: BuiltTrial, statistician: Api, lock_id: str) -> None:
    masked = csv_rows(entries(download(statistician, lock_id, "csv", blinded="true"))["wide.csv"])
    plain = csv_rows(entries(download(statistician, lock_id, "csv", blinded="false"))["wide.csv"])
    assert {r["arm"] for r in masked} <= {"A", "B"}
    assert {r["participant_id"]: r["arm"] for r in plain} == built.participants
    assert statistician.get(f"/locks/{lock_id}/export?format=xlsx")[0] == 422
    assert statistician.get(f"/locks/{lock_id}/export?format=csv&blinded=maybe")[0] == 422
