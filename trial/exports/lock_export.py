"""The export of a locked dataset: data files, codebook, README and manifest in one ZIP."""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .archive import ArchiveWriter, ManifestEntry
from .dataset import DatasetSpec
from .errors import ExportError
from .layout import codebook_variables, long_variables, wide_variables
from .readme import Counts, readme_text
from .rows import ParticipantRecord, RowSource, long_rows, participant_records, rows_of, wide_rows
from .tabular import write_codebook_csv, write_codebook_json, write_csv

ExportFormat = Literal["csv", "sav", "dta"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "sav", "dta")


def write_lock_export(spec: DatasetSpec, participants: RowSource, visits: RowSource, out: IO[bytes],
                      format: ExportFormat = "csv") -> tuple[ManifestEntry, ...]:
    """Write a lock's export as a ZIP to the binary stream `out`; return its manifest entries.

    `participants` and `visits` are callables returning fresh iterables of row mappings (or
    lists): participants in export order, visits grouped by participant in the same order. The
    ZIP holds long.<format> and wide.<format>, codebook.csv, codebook.json, README.txt,
    manifest.json and MANIFEST.sha256. The same spec and rows give the same bytes.
    Raises `ExportError` (before or while writing) for data the spec does not allow.
    """
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r}: use one of {', '.join(FORMATS)}")

    def records() -> Iterator[ParticipantRecord]:
        return participant_records(spec, rows_of(participants), rows_of(visits))

    with ArchiveWriter(out, spec.locked_at_utc) as archive:
        counts = _write_data(archive, spec, records, format)
        variables = codebook_variables(spec)
        with archive.open_text("codebook.csv") as text:
            write_codebook_csv(text, variables)
        with archive.open_text("codebook.json") as text:
            write_codebook_json(text, spec, variables)
        with archive.open_text("README.txt") as text:
            text.write(readme_text(spec, format, counts))
        return archive.close(_description(spec, format, counts))


def _write_data(archive: ArchiveWriter, spec: DatasetSpec, records: Callable[[], Iterator[ParticipantRecord]],
                fmt: ExportFormat) -> Counts:
    """Write long.<fmt> then wide.<fmt>, each from a fresh pass over the rows."""
    shapes = (("long", long_variables(spec), long_rows), ("wide", wide_variables(spec), wide_rows))
    counted: dict[str, int] = {}
    if fmt == "csv":
        for shape, variables, rows in shapes:
            with archive.open_text(f"{shape}.csv") as text:
                counted[shape] = write_csv(text, variables, rows(spec, records()))
    else:
        # Imported here so the web app and CSV exports do not load polars and pyreadstat (~40 MB).
        from .statfiles import write_stat_file

        with tempfile.TemporaryDirectory(prefix="trial-export-") as folder:
            for shape, variables, rows in shapes:
                path = Path(folder) / f"{shape}.{fmt}"
                counted[shape] = write_stat_file(path, fmt, spec, variables, rows(spec, records()))
                archive.copy_file(path.name, path)
                path.unlink()  # one frame's file on disk at a time
    return Counts(participants=counted["wide"], long_rows=counted["long"])


def _description(spec: DatasetSpec, fmt: str, counts: Counts) -> dict[str, Any]:
    return {
        "trial": spec.trial_code,
        "lock": {"label": spec.lock_label, "version": spec.lock_version,
                 "locked_at": f"{spec.locked_at_utc:%Y-%m-%dT%H:%M:%SZ}", "sha256": spec.lock_sha256 or None},
        "format": fmt,
        "blinded": spec.blinded,
        "participants": counts.participants,
        "long_rows": counts.long_rows,
        "timepoints": list(spec.timepoints),
    }
