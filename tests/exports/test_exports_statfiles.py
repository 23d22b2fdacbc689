"""SPSS and Stata files read back with pyreadstat hold what the CSV holds, with their labels."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pyreadstat
import pytest
from hypothesis import HealthCheck, example, given, settings

from trial.exports import DatasetSpec, Variable, long_variables, wide_variables, write_lock_export
from trial.exports.rows import FLOAT_MAX

from .builders import blinded_spec, csv_rows, entries, export_bytes, make_spec


def read_back(data: bytes, fmt: str, folder: Path) -> tuple[Any, Any]:
    path = folder / f"data.{fmt}"
    path.write_bytes(data)
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    return reader(str(path), output_format="polars")


def same_cell(variable: Variable, text: str, value: Any) -> bool:
    """A CSV cell and a pyreadstat value agree (SPSS holds every number as a double)."""
    if text == "":
        return value is None or value == ""
    if variable.type == "string":
        return bool(value == text)
    if variable.type == "date":
        return bool(value == date.fromisoformat(text))
    return bool(value == float(text))


def assert_equal_to_csv(spec: DatasetSpec, csv_data: bytes, frame: Any, meta: Any, shape: str,
                        fmt: str) -> None:
    variables = long_variables(spec) if shape == "long" else wide_variables(spec)
    expected = csv_rows(csv_data)
    assert frame.columns == [v.name for v in variables]
    assert frame.height == len(expected)
    for variable in variables:
        column = frame[variable.name].to_list()
        for text, value in zip((row[variable.name] for row in expected), column, strict=True):
            assert same_cell(variable, text, value), (variable.name, text, value)
    assert meta.column_names_to_labels == {v.name: v.label for v in variables}
    labelled = {v.name: dict(v.values or {}) for v in variables
                if v.values and (fmt == "sav" or v.type == "integer")}
    assert meta.variable_value_labels == labelled  # 1.0 == 1, so SPSS's double keys compare equal


@pytest.mark.parametrize("fmt", ["sav", "dta"])
@pytest.mark.parametrize("shape", ["long", "wide"])
@pytest.mark.parametrize("blinded", [False, True])
def test_stat_files_read_back_equal_to_the_csv(fmt: str, shape: str, blinded: bool, tmp_path: Path) -> None:
    spec = blinded_spec() if blinded else make_spec()
    csv_data = entries(export_bytes(spec))[f"{shape}.csv"]
    frame, meta = read_back(entries(export_bytes(spec, fmt))[f"{shape}.{fmt}"], fmt, tmp_path)
    assert_equal_to_csv(spec, csv_data, frame, meta, shape, fmt)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_dates_are_dates_and_labels_are_kept(fmt: str, tmp_path: Path) -> None:
    frame, meta = read_back(entries(export_bytes(fmt=fmt))[f"long.{fmt}"], fmt, tmp_path)
    assert frame["randomized_on"][0] == date(2013, 10, 14)
    assert meta.variable_value_labels["sex"] == {1: "Female", 2: "Male"}
    assert meta.column_names_to_labels["hads_anxiety"] == "HADS anxiety score"
    assert meta.file_label == "ips-norway primary-12m v1"
    if fmt == "sav":
        assert meta.variable_value_labels["arm"] == {"treatment_ips": "IPS", "usual_care": "Usual follow-up"}
    else:
        assert "arm" not in meta.variable_value_labels  # Stata labels whole numbers only


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stat_file_headers_carry_the_lock_time(fmt: str) -> None:
    data = entries(export_bytes(fmt=fmt))[f"wide.{fmt}"]
    if fmt == "sav":
        assert data[92:109] == b"30 Apr 1612:00:05"
    else:
        assert b"<timestamp>\x1130 Apr 2016 12:00</timestamp>" in data[:400]


cells = st.one_of(st.none(), st.integers(-2_147_483_647, 2_147_483_620))
floats = st.one_of(st.none(), st.floats(-FLOAT_MAX, FLOAT_MAX))
# Spaces, line breaks and Norwegian letters are the likely trouble in real text; NUL cannot be stored.
texts = st.one_of(
    st.none(),
    st.text(st.sampled_from(" \t\r\n,\"'aøÅ;="), max_size=12),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
)
dates = st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31)))
PROPERTY_SPEC = make_spec(
    variables=(
        Variable("participant_id", "ID", "string"),
        Variable("count", "A count", "integer", values={0: "None", 1: "One"}),
        Variable("measure", "A measure", "float", level="visit"),
        Variable("note", "A note", "string", level="visit"),
        Variable("day", "A day", "date", level="visit"),
    ),
    timepoints=("t0", "t1"),
)


EDGES = [(2_147_483_620, [(5e-324, "abc  ", date(1900, 1, 1)), (-FLOAT_MAX, " x\r\ny\t", None)]),
         (-2_147_483_647, [(FLOAT_MAX, "ø" * 1500, date(2100, 12, 31)), (0.1, "   ", None)])]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(
    st.tuples(cells, st.lists(st.tuples(floats, texts, dates), min_size=2, max_size=2)), max_size=6,
))
@example(people=EDGES)
def test_any_values_read_back_from_sav_and_dta_as_in_the_csv(people: list[Any], tmp_path: Path) -> None:
    participants = [{"participant_id": f"P{i:03d}", "count": count} for i, (count, _) in enumerate(people)]
    visits = [
        {"participant_id": f"P{i:03d}", "timepoint": tp, "measure": m, "note": n, "day": d}
        for i, (_, seen) in enumerate(people) for tp, (m, n, d) in zip(("t0", "t1"), seen, strict=True)
    ]
    exports = {}
    for fmt in ("csv", "sav", "dta"):
        out = io.BytesIO()
        write_lock_export(PROPERTY_SPEC, participants, visits, out, format=fmt)
        with zipfile.ZipFile(out) as zf:
            exports[fmt] = {name: zf.read(name) for name in zf.namelist()}
    for fmt in ("sav", "dta"):
        for shape in ("long", "wide"):
            frame, meta = read_back(exports[fmt][f"{shape}.{fmt}"], fmt, tmp_path)
            assert_equal_to_csv(PROPERTY_SPEC, exports["csv"][f"{shape}.csv"], frame, meta, shape, fmt)
