"""What a locked dataset holds: its variables, timepoints and lock.

A `DatasetSpec` is checked when it is built, so every file written from it is valid for SPSS and
Stata and no variable looks like a direct identifier. Rows are plain mappings keyed by variable
name; the spec says what they may hold.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from .errors import ExportError
from .identifiers import refuse_direct_identifiers

VariableType = Literal["string", "integer", "float", "date"]
Level = Literal["participant", "visit"]

PARTICIPANT_ID = "participant_id"
TIMEPOINT = "timepoint"

# Stata allows 32 characters (SPSS 64); both want a letter first, then letters, digits and _.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_TIMEPOINT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*")
_MASK = re.compile(r"[A-Za-z0-9]{1,8}")
# SPSS reserved keywords and Stata reserved names, compared without case (SPSS ignores case).
_RESERVED = frozenset({
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    "byte", "double", "float", "if", "in", "int", "long", "using", "strl",
})
_STATA_STR = re.compile(r"str\d+", re.IGNORECASE)
LABEL_CHARS = 80  # Stata's limit for a variable label
VALUE_LABEL_BYTES = 120  # SPSS's limit for one value label
_TYPES = ("string", "integer", "float", "date")


@dataclass(frozen=True)
class Variable:
    """One column of the analysis dataset, as the codebook describes it.

    `values` are value labels (`{1: "No", 2: "Yes"}` for an integer, `{"paper": "Paper form"}`
    for a string). `allocation` marks a variable holding an arm code: a blinded export shows a
    masked code instead. A visit-level variable appears once per timepoint in the wide file.
    """

    name: str
    label: str
    type: VariableType
    level: Level = "participant"
    values: Mapping[int | str, str] | None = None
    unit: str = ""
    derivation: str = ""
    instrument: str = ""
    instrument_version: str = ""
    allocation: bool = False


@dataclass(frozen=True)
class DatasetSpec:
    """A lock's dataset: the lock, its variables (participant_id first) and its timepoints.

    `locked_at` (timezone-aware) is the timestamp of every file written, so one lock always
    exports to the same bytes. A blinded spec carries `arm_masks` ({arm code: masked code}); the
    key is never written into the export.
    """

    trial_code: str
    lock_label: str
    lock_version: int
    locked_at: datetime
    variables: tuple[Variable, ...]
    timepoints: tuple[str, ...]
    blinded: bool = False
    arm_masks: Mapping[str, str] | None = None
    lock_sha256: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "timepoints", tuple(self.timepoints))
        object.__setattr__(self, "notes", tuple(self.notes))
        validate_spec(self)

    @property
    def participant_variables(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.level == "participant")

    @property
    def visit_variables(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.level == "visit")

    @property
    def locked_at_utc(self) -> datetime:
        return self.locked_at.astimezone(UTC)


def validate_spec(spec: DatasetSpec) -> None:
    """Raise `ExportError` (or `IdentifierRefused`) unless the spec can be exported as is."""
    if spec.locked_at.utcoffset() is None:
        raise ExportError("locked_at must be timezone-aware (UTC)")
    if spec.locked_at_utc.year < 1980:
        raise ExportError("locked_at must be in 1980 or later (ZIP timestamps start there)")
    if not spec.variables or spec.variables[0].name != PARTICIPANT_ID:
        raise ExportError(f"the first variable must be {PARTICIPANT_ID!r}")
    if spec.variables[0].type != "string" or spec.variables[0].level != "participant":
        raise ExportError(f"{PARTICIPANT_ID!r} must be a participant-level string")
    _check_timepoints(spec.timepoints)
    for variable in spec.variables:
        check_variable(variable)
    refuse_direct_identifiers(spec.variables)
    _check_unique_names(spec)
    _check_blinding(spec)


def check_variable(variable: Variable) -> None:
    """Raise `ExportError` unless one variable is valid for CSV, SPSS and Stata."""
    check_name(variable.name)
    if variable.name == TIMEPOINT:
        raise ExportError(f"{TIMEPOINT!r} is reserved for the timepoint column of the long file")
    if variable.type not in _TYPES:
        raise ExportError(f"{variable.name}: type must be one of {', '.join(_TYPES)}, not {variable.type!r}")
    if variable.level not in ("participant", "visit"):
        raise ExportError(f"{variable.name}: level must be 'participant' or 'visit'")
    if not variable.label.strip():
        raise ExportError(f"{variable.name}: a variable needs a label")
    if len(variable.label) > LABEL_CHARS:
        raise ExportError(f"{variable.name}: label longer than {LABEL_CHARS} characters (Stata's limit)")
    if variable.allocation and (variable.type != "string" or variable.level != "participant"):
        raise ExportError(f"{variable.name}: an allocation variable is a participant-level string (arm code)")
    _check_value_labels(variable)


def check_name(name: str) -> None:
    """Raise `ExportError` unless `name` is a valid SPSS and Stata variable name."""
    if not _NAME.fullmatch(name):
        raise ExportError(
            f"invalid variable name {name!r}: use at most 32 letters, digits or _, starting with a letter"
        )
    if name.lower() in _RESERVED or _STATA_STR.fullmatch(name):
        raise ExportError(f"invalid variable name {name!r}: reserved in SPSS or Stata")


def _check_value_labels(variable: Variable) -> None:
    if not variable.values:
        return
    key_type = {"integer": int, "string": str}.get(variable.type)
    if key_type is None:
        raise ExportError(f"{variable.name}: value labels need an integer or string variable")
    for value, text in variable.values.items():
        if type(value) is not key_type:
            raise ExportError(f"{variable.name}: value {value!r} is not of the variable's type")
        if not isinstance(text, str) or not text or len(text.encode("utf-8")) > VALUE_LABEL_BYTES:
            raise ExportError(f"{variable.name}: the label of {value!r} must be 1-{VALUE_LABEL_BYTES} bytes")


def _check_timepoints(timepoints: tuple[str, ...]) -> None:
    if not timepoints:
        raise ExportError("a dataset needs at least one timepoint")
    if len(set(timepoints)) != len(timepoints):
        raise ExportError(f"timepoints repeat: {timepoints}")
    for timepoint in timepoints:
        if not _TIMEPOINT.fullmatch(timepoint):
            raise ExportError(f"timepoint {timepoint!r} must be letters, digits and _ (it ends wide names)")


def wide_name(name: str, timepoint: str) -> str:
    """The wide file's name for a visit variable at one timepoint (`hads_anxiety_6m`)."""
    return f"{name}_{timepoint}"


def wide_label(label: str, timepoint: str) -> str:
    return f"{label} [{timepoint}]"


def _check_unique_names(spec: DatasetSpec) -> None:
    # SPSS ignores case, so "Arm" and "arm" are one variable; check long and wide names alike.
    names = [v.name for v in spec.variables] + [TIMEPOINT]
    for variable in spec.visit_variables:
        for timepoint in spec.timepoints:
            name = wide_name(variable.name, timepoint)
            if len(name) > 32:
                raise ExportError(f"wide variable name {name!r} is longer than 32 characters (Stata's limit)")
            if len(wide_label(variable.label, timepoint)) > LABEL_CHARS:
                raise ExportError(f"{name}: label with its timepoint is longer than {LABEL_CHARS} characters")
            names.append(name)
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise ExportError(f"variable name {name!r} occurs twice (SPSS ignores case)")
        seen.add(name.lower())


def _check_blinding(spec: DatasetSpec) -> None:
    allocation = [v.name for v in spec.variables if v.allocation]
    if not spec.blinded:
        if spec.arm_masks is not None:
            raise ExportError("arm_masks belong to a blinded export only")
        return
    if not allocation:
        raise ExportError("a blinded export needs the allocation variable marked allocation=True")
    masks = dict(spec.arm_masks or {})
    if not masks:
        raise ExportError("a blinded export needs arm_masks: {arm code: masked code}")
    if len(set(masks.values())) != len(masks):
        raise ExportError("two arms share a masked code")
    for arm, mask in masks.items():
        if not isinstance(mask, str) or not _MASK.fullmatch(mask):
            raise ExportError(f"masked code {mask!r} must be 1-8 letters or digits")
        if mask.lower() in {a.lower() for a in masks}:
            raise ExportError(f"masked code {mask!r} equals an arm code")
        if not isinstance(arm, str) or not arm:
            raise ExportError("arm codes in arm_masks must be non-empty strings")
