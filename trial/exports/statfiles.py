"""SPSS .sav and Stata .dta files through pyreadstat, stamped with the lock's time.

pyreadstat writes a whole data frame to a path, so each file is built as one compact columnar
frame (Int32, Float64, Date and String columns, filled in batches), written to a temporary
file and copied into the ZIP. Both formats put the writing time into their header; it is
overwritten with the lock's time so one lock always gives the same bytes.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyreadstat

from .dataset import DatasetSpec, Variable
from .errors import ExportError
from .rows import Cell

StatFormat = Literal["sav", "dta"]
_DTYPES = {"string": pl.String, "integer": pl.Int32, "float": pl.Float64, "date": pl.Date}
_BATCH = 4096
# Stata 14's format (dta 118): read by Stata 14 and later, R haven and pandas; dta 119 (Stata 15)
# is needed only beyond 32,767 variables.
STATA_VERSION = 14
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def data_frame(variables: tuple[Variable, ...], rows: Iterable[tuple[Cell, ...]]) -> pl.DataFrame:
    """The rows as a typed frame, built in batches so no list of all rows is held."""
    schema = {v.name: _DTYPES[v.type] for v in variables}
    chunks, batch = [], []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            chunks.append(pl.DataFrame(batch, schema=schema, orient="row"))
            batch = []
    chunks.append(pl.DataFrame(batch, schema=schema, orient="row"))
    return pl.concat(chunks, rechunk=True)


def write_stat_file(path: Path, fmt: StatFormat, spec: DatasetSpec, variables: tuple[Variable, ...],
                    rows: Iterable[tuple[Cell, ...]]) -> int:
    """Write rows as .sav or .dta with variable and value labels; return the row count."""
    frame = data_frame(variables, rows)
    labels: list[str | None] = [v.label for v in variables]
    # Stata labels whole numbers only; text codes keep their labels in SPSS and the codebook.
    # pyreadstat's annotation says numeric keys; its SPSS writer takes text keys for text variables.
    value_labels: dict[str, dict[Any, str]] = {
        v.name: dict(v.values) for v in variables if v.values and (fmt == "sav" or v.type == "integer")
    }
    title = f"{spec.trial_code} {spec.lock_label} v{spec.lock_version}{' (blinded)' if spec.blinded else ''}"
    if fmt == "sav":
        # Row (bytecode) compression is what SPSS itself writes; item answers shrink to a byte.
        pyreadstat.write_sav(frame, str(path), file_label=_truncate(title, 64), column_labels=labels,
                             variable_value_labels=value_labels, row_compress=True)
        stamp_sav(path, spec.locked_at_utc)
    else:
        # Stata's missing text is "" anyway; filling it in also avoids a pyreadstat failure on
        # missing values in long (strL, over 2045 bytes) text columns.
        frame = frame.with_columns(pl.col(pl.String).fill_null(""))
        pyreadstat.write_dta(frame, str(path), file_label=_truncate(title, 80), column_labels=labels,
                             variable_value_labels=value_labels, version=STATA_VERSION)
        stamp_dta(path, spec.locked_at_utc)
    return frame.height


def _truncate(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def stamp_sav(path: Path, when: datetime) -> None:
    """Set a .sav header's creation date and time (UTC).

    The SPSS system file header (PSPP's "System File Format" documentation) is rec_type[4],
    prod_name[60], five int32 fields and a float64 bias: creation_date[9] "dd mmm yy" and
    creation_time[8] "hh:mm:ss" follow at offset 92.
    """
    with path.open("r+b") as f:
        if f.read(4) not in (b"$FL2", b"$FL3"):
            raise ExportError(f"{path.name} is not an SPSS system file")
        f.seek(92)
        stamp = f"{when.day:02d} {_MONTHS[when.month - 1]} {when.year % 100:02d}{when:%H:%M:%S}"
        f.write(stamp.encode("ascii"))


def stamp_dta(path: Path, when: datetime) -> None:
    """Set a .dta header's timestamp (UTC).

    A dta 117-119 header reads <stata_dta><header><release>..</release><byteorder>LSF|MSF</byteorder>
    <K>..</K><N>..</N><label>{u16 length}{text}</label><timestamp>{u8 17}"dd Mon yyyy hh:mm"</timestamp>
    (Stata's dta file format documentation).
    """
    with path.open("r+b") as f:
        head = f.read(4096)
        start = head.find(b"<label>") + len(b"<label>")
        order: Literal["little", "big"] = "little" if b"<byteorder>LSF</byteorder>" in head[:start] else "big"
        stamp_at = start + 2 + int.from_bytes(head[start:start + 2], order)
        tag = b"</label><timestamp>\x11"
        if start < len(b"<label>") or head[stamp_at:stamp_at + len(tag)] != tag:
            raise ExportError(f"{path.name}: unexpected Stata header")
        f.seek(stamp_at + len(tag))
        stamp = f"{when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} {when:%H:%M}"
        f.write(stamp.encode("ascii"))
