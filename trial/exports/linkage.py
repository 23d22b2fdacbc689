"""The linkage key: pseudonymous participant_id to national identity number, for register linkage.

It is the only file that joins the two, so it travels apart from the analysis export, in its own
ZIP with its own manifest; only an administrator's view or command should call this.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

from .archive import ArchiveWriter, ManifestEntry
from .errors import ExportError

LINKAGE_FILE = "linkage_key.csv"


def write_linkage_key(rows: Iterable[tuple[str, str | None]], out: IO[bytes], locked_at: datetime,
                      trial_code: str = "", lock_label: str = "") -> tuple[ManifestEntry, ...]:
    """Write (participant_id, national_id) pairs as linkage_key.csv in a ZIP with a manifest.

    A participant without a recorded identity number gets an empty cell. Rows are written in the
    order given, one at a time; the same rows and `locked_at` give the same bytes.
    """
    if locked_at.utcoffset() is None:
        raise ExportError("locked_at must be timezone-aware (UTC)")
    when = locked_at.astimezone(UTC)
    count = 0
    with ArchiveWriter(out, when) as archive:
        with archive.open_text(LINKAGE_FILE) as text:
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(("participant_id", "national_id"))
            for participant_id, national_id in rows:
                if not isinstance(participant_id, str) or not participant_id:
                    raise ExportError(f"linkage row {count + 1} has no participant_id")
                writer.writerow((participant_id, national_id or ""))
                count += 1
        with archive.open_text("README.txt") as text:
            text.write(_readme(trial_code, lock_label, when, count))
        return archive.close({
            "trial": trial_code, "lock": {"label": lock_label, "locked_at": f"{when:%Y-%m-%dT%H:%M:%SZ}"},
            "content": "linkage key", "participants": count,
        })


def _readme(trial_code: str, lock_label: str, when: datetime, count: int) -> str:
    return "\n".join([
        f"Trial {trial_code}: linkage key for locked dataset {lock_label!r}",
        f"Locked at: {when:%Y-%m-%dT%H:%M:%SZ}",
        "",
        "CONFIDENTIAL. This file links each pseudonymous participant_id to the participant's national",
        "identity number, for linkage with registers. Keep it apart from the analysis dataset: send it",
        "only to the register holder, by a secure channel, and delete it when the linkage is done.",
        "",
        f"  {LINKAGE_FILE}  participant_id, national_id ({count} rows; empty when not recorded)",
        "  manifest.json, MANIFEST.sha256  SHA-256 of every file (sha256sum -c MANIFEST.sha256)",
    ]) + "\n"
