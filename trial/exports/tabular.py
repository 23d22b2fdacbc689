"""CSV data files and the codebook (CSV and JSON), written row by row to text streams."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from typing import Any, TextIO

from .dataset import DatasetSpec, Variable
from .rows import Cell

CODEBOOK_COLUMNS = (
    "variable", "label", "type", "values", "unit", "derivation", "instrument", "instrument_version", "level",
)


def csv_cell(value: Cell) -> str:
    """The CSV text of a cell: empty when missing, ISO 8601 dates, floats that read back exactly."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(out: TextIO, variables: tuple[Variable, ...], rows: Iterable[tuple[Cell, ...]]) -> int:
    """Write a header and one line per row (RFC 4180: CRLF, quoted when needed); return the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(v.name for v in variables)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        count += 1
    return count


def values_text(values: dict[int | str, str] | None) -> str:
    """Value labels for the CSV codebook: "1=No; 2=Yes"."""
    return "; ".join(f"{value}={label}" for value, label in (values or {}).items())


def write_codebook_csv(out: TextIO, variables: tuple[Variable, ...]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CODEBOOK_COLUMNS)
    for v in variables:
        writer.writerow([
            v.name, v.label, v.type, values_text(dict(v.values or {})), v.unit, v.derivation,
            v.instrument, v.instrument_version, v.level,
        ])


def codebook_document(spec: DatasetSpec, variables: tuple[Variable, ...]) -> dict[str, Any]:
    """The JSON codebook: the lock, the blinding, the timepoints and every variable."""
    return {
        "trial": spec.trial_code,
        "lock": {"label": spec.lock_label, "version": spec.lock_version,
                 "locked_at": f"{spec.locked_at_utc:%Y-%m-%dT%H:%M:%SZ}"},
        "blinded": spec.blinded,
        "allocation": "masked codes; the key is held back until unblinding" if spec.blinded
        else "arm codes as allocated",
        "timepoints": list(spec.timepoints),
        "wide_names": "each visit-level variable X appears in the wide files as X_<timepoint>",
        "variables": [
            {"variable": v.name, "label": v.label, "type": v.type,
             # JSON keys are strings; the codebook's "type" says whether "1" is the number 1.
             "values": {str(value): label for value, label in (v.values or {}).items()} or None,
             "unit": v.unit, "derivation": v.derivation, "instrument": v.instrument,
             "instrument_version": v.instrument_version, "level": v.level}
            for v in variables
        ],
    }


def write_codebook_json(out: TextIO, spec: DatasetSpec, variables: tuple[Variable, ...]) -> None:
    json.dump(codebook_document(spec, variables), out, ensure_ascii=False, indent=2)
    out.write("\n")
