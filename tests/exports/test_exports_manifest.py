"""Every export carries a manifest that verifies, and that catches a changed, added or lost file."""
from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import pytest

from trial.exports import MANIFEST, verify_manifest, write_linkage_key, write_lock_export

from .builders import LOCKED_AT, blinded_spec, csv_rows, entries, export_bytes, make_spec, participants
from .builders import visits as visit_rows

FORMATS = ["csv", "sav", "dta"]


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_manifest_lists_every_other_file_with_its_sha256(fmt: str) -> None:
    data = export_bytes(fmt=fmt)
    files = entries(data)
    lines = files[MANIFEST].decode().splitlines()
    assert lines == [f"{hashlib.sha256(files[n]).hexdigest()}  {n}" for n in files if n != MANIFEST]
    described = json.loads(files["manifest.json"])
    listed = [n for n in files if n not in (MANIFEST, "manifest.json")]
    assert [f["name"] for f in described["files"]] == listed
    assert all(f["bytes"] == len(files[f["name"]]) for f in described["files"])
    assert (described["format"], described["participants"], described["long_rows"]) == (fmt, 4, 12)
    assert verify_manifest(data) == []


def test_verify_reads_a_path_or_an_open_file(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(export_bytes())
    assert verify_manifest(path) == []
    with path.open("rb") as f:
        assert verify_manifest(f) == []


def test_a_changed_file_is_detected() -> None:
    files = entries(export_bytes())
    files["long.csv"] = files["long.csv"].replace(b"treatment_ips", b"usual_care", 1)
    assert verify_manifest(rezip(files)) == [
        "long.csv: SHA-256 does not match the manifest",
        "long.csv: SHA-256 or size does not match manifest.json",
    ]


def test_an_added_or_lost_file_is_detected() -> None:
    files = entries(export_bytes())
    files["extra.csv"] = b"x\n"
    del files["wide.csv"]
    problems = verify_manifest(rezip(files))
    assert "wide.csv is in the manifest but not in the archive" in problems
    assert "extra.csv is not in the manifest" in problems


def test_a_changed_manifest_json_or_missing_manifest_is_detected() -> None:
    files = entries(export_bytes())
    described = json.loads(files["manifest.json"])
    described["files"][0]["bytes"] += 1
    assert "manifest.json: SHA-256 does not match the manifest" in verify_manifest(
        rezip({**files, "manifest.json": json.dumps(described).encode()}))
    del files[MANIFEST]
    assert verify_manifest(rezip(files)) == ["MANIFEST.sha256 is missing"]
    assert verify_manifest(b"not a zip")[0].startswith("not a readable ZIP archive")


def test_exporting_the_same_lock_twice_gives_identical_bytes() -> None:
    specs = {"unblinded": make_spec(), "blinded": blinded_spec()}
    first = {(name, fmt): export_bytes(spec, fmt) for name, spec in specs.items() for fmt in FORMATS}
    # SPSS stamps its header to the second and Stata to the minute: wait past a second.
    time.sleep(1.1)
    second = {(name, fmt): export_bytes(spec, fmt) for name, spec in specs.items() for fmt in FORMATS}
    assert first == second
    assert len(set(first.values())) == len(first)


def test_the_bytes_do_not_depend_on_the_kind_of_output_stream(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with path.open("wb") as out:  # seekable, unlike a pipe or a streamed response
        write_lock_export(make_spec(), participants, visit_rows, out, format="sav")
    assert path.read_bytes() == export_bytes(fmt="sav")


def test_zip_entries_carry_the_lock_time() -> None:
    with zipfile.ZipFile(io.BytesIO(export_bytes(fmt="dta"))) as zf:
        # ZIP keeps time in two-second steps.
        assert {info.date_time for info in zf.infolist()} == {(2016, 4, 30, 12, 0, 4)}


def test_the_linkage_key_is_a_separate_zip_with_its_own_manifest() -> None:
    out = io.BytesIO()
    pairs = [("BER-0001", "01019012345"), ("BER-0002", None)]
    write_linkage_key(pairs, out, LOCKED_AT, trial_code="ips-norway", lock_label="primary-12m")
    files = entries(out.getvalue())
    assert list(files) == ["linkage_key.csv", "README.txt", "manifest.json", MANIFEST]
    assert csv_rows(files["linkage_key.csv"]) == [
        {"participant_id": "BER-0001", "national_id": "01019012345"},
        {"participant_id": "BER-0002", "national_id": ""},
    ]
    assert "CONFIDENTIAL" in files["README.txt"].decode()
    assert verify_manifest(out.getvalue()) == []
    again = io.BytesIO()
    write_linkage_key(iter(pairs), again, LOCKED_AT, trial_code="ips-norway", lock_label="primary-12m")
    assert again.getvalue() == out.getvalue()
