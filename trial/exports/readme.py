"""The README.txt of an export: what the files are and how to read them."""
from __future__ import annotations

from dataclasses import dataclass

from .dataset import DatasetSpec

_DATA_FILES = {
    "csv": "CSV (UTF-8, comma-separated, header row, CRLF line ends, quoted where needed)",
    "sav": "SPSS system files (.sav, bytecode-compressed, UTF-8)",
    "dta": "Stata files (.dta, format 118: Stata 14 and later)",
}
_MISSING = {
    "csv": "an empty cell",
    "sav": "system-missing (an empty string for text variables)",
    "dta": "'.' (an empty string for text variables)",
}


@dataclass(frozen=True)
class Counts:
    """How many participants and long rows an export holds."""

    participants: int
    long_rows: int


def blinding_text(spec: DatasetSpec) -> str:
    if not spec.blinded:
        return "UNBLINDED: allocated arms appear as their arm codes."
    text = ("BLINDED: allocated arms are replaced by masked codes ("
            + ", ".join(sorted(set((spec.arm_masks or {}).values())))
            + "). The key from masked code to arm is held back until unblinding and is not in this export.")
    if any(v.name == "allocation_ratio" for v in spec.variables):
        text += (" Where an allocation period used an unequal ratio, the number allocated per masked"
                 " code in that period may hint at the arm.")
    return text


def readme_text(spec: DatasetSpec, fmt: str, counts: Counts) -> str:
    """The README for a lock export in one data format."""
    ext = fmt
    lines = [
        f"Trial {spec.trial_code}: locked dataset {spec.lock_label!r}, lock version {spec.lock_version}",
        f"Locked at: {spec.locked_at_utc:%Y-%m-%dT%H:%M:%SZ} (the timestamp of every file in this ZIP)",
        *([f"Lock SHA-256: {spec.lock_sha256}"] if spec.lock_sha256 else []),
        "",
        blinding_text(spec),
        "",
        f"Participants: {counts.participants}. Timepoints: {', '.join(spec.timepoints)}.",
        "",
        "Files",
        f"  long.{ext}  one row per participant and timepoint ({counts.long_rows} rows); every participant",
        "             has a row at every timepoint, with empty visit variables where no visit took place",
        f"  wide.{ext}  one row per participant; a visit variable X appears as X_<timepoint>",
        "  codebook.csv, codebook.json  every variable: label, type, value labels, unit, derivation,",
        "             instrument and version, level (participant or visit)",
        "  manifest.json, MANIFEST.sha256  SHA-256 of every file; after unpacking, check them with",
        "             sha256sum -c MANIFEST.sha256",
        "",
        "Conventions",
        f"- Data files: {_DATA_FILES[fmt]}.",
        f"- A missing value is {_MISSING[fmt]}.",
        "- Participants are identified by a pseudonymous participant_id only. Names, identity numbers",
        "  and contact details are not in this export; register linkage uses a separate linkage key",
        "  held by the trial administrator.",
        "- Text values carry no trailing spaces (SPSS pads text with spaces and drops them).",
        "- Dates are calendar dates (YYYY-MM-DD in CSV); intervals are counted in days from",
        "  the participant's randomisation, as each variable's derivation says.",
        "- Value labels are in the codebook. Stata files label whole-number variables only; labels of",
        "  text codes are in the codebook (and in the SPSS files).",
    ]
    if spec.notes:
        lines += ["", "Notes", *(f"- {note}" for note in spec.notes)]
    return "\n".join(lines) + "\n"
