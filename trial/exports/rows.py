"""From the caller's plain row mappings to checked cells, laid out long or wide.

Participants arrive in export order (the adapter sorts them by participant_id) and visits in the
same order, grouped by participant; only one participant's rows are held at a time, so memory
does not grow with the trial.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import Any

from .dataset import PARTICIPANT_ID, TIMEPOINT, DatasetSpec, Variable
from .errors import ExportError
from .identifiers import refuse_identifier_value

Row = Mapping[str, Any]
RowSource = Callable[[], Iterable[Row]] | Iterable[Row]
Cell = str | int | float | date | None
Converter = Callable[[Any, str], Cell]

# Stata's long and double ranges (the top of each is kept for missing values); SPSS stores every
# number as a double, so Stata is the narrower of the two.
INT_MIN, INT_MAX = -2_147_483_647, 2_147_483_620
FLOAT_MAX = 8.988465674311579e307


@dataclass(frozen=True)
class ParticipantRecord:
    """One participant's checked values and their visits' values, keyed by timepoint."""

    values: tuple[Cell, ...]
    visits: Mapping[str, tuple[Cell, ...]]


def rows_of(source: RowSource) -> Iterable[Row]:
    """A fresh pass over a row source: a callable is called; a list or tuple is used as is."""
    if callable(source):
        return source()
    if iter(source) is source:
        raise ExportError("rows must come as a callable or a collection: the export reads them twice")
    return source


def participant_records(spec: DatasetSpec, participants: Iterable[Row], visits: Iterable[Row]) -> Iterator[
    ParticipantRecord
]:
    """Join participants with their visits, checking every cell on the way."""
    check_participant = _row_checker(spec, spec.participant_variables, frozenset())
    check_visit = _row_checker(spec, spec.visit_variables, frozenset({PARTICIPANT_ID, TIMEPOINT}))
    pending = iter(visits)
    visit = next(pending, None)
    previous = None
    for row in participants:
        pid = row.get(PARTICIPANT_ID)
        if not isinstance(pid, str) or not pid:
            raise ExportError(f"a participant row after {previous!r} has no participant_id")
        if pid == previous:
            raise ExportError(f"participant {pid!r} occurs twice")
        values = check_participant(row, f"participant {pid}")
        by_timepoint: dict[str, tuple[Cell, ...]] = {}
        while visit is not None and visit.get(PARTICIPANT_ID) == pid:
            timepoint = visit.get(TIMEPOINT)
            if timepoint not in spec.timepoints or timepoint in by_timepoint:
                raise ExportError(f"participant {pid}: unknown or repeated timepoint {timepoint!r}")
            by_timepoint[timepoint] = check_visit(visit, f"participant {pid} at {timepoint}")
            visit = next(pending, None)
        yield ParticipantRecord(values, by_timepoint)
        previous = pid
    if visit is not None:
        raise ExportError(
            f"a visit of participant {visit.get(PARTICIPANT_ID)!r} is out of order or has no "
            "participant row; give participants and visits in the same participant order"
        )


def long_rows(spec: DatasetSpec, records: Iterable[ParticipantRecord]) -> Iterator[tuple[Cell, ...]]:
    """One row per participant and timepoint; a visit that did not happen has empty visit cells."""
    blank = (None,) * len(spec.visit_variables)
    for record in records:
        for timepoint in spec.timepoints:
            yield (*record.values, timepoint, *record.visits.get(timepoint, blank))


def wide_rows(spec: DatasetSpec, records: Iterable[ParticipantRecord]) -> Iterator[tuple[Cell, ...]]:
    """One row per participant; visit cells follow in timepoint order."""
    blank = (None,) * len(spec.visit_variables)
    for record in records:
        visits = chain.from_iterable(record.visits.get(t, blank) for t in spec.timepoints)
        yield (*record.values, *visits)


def _row_checker(spec: DatasetSpec, variables: tuple[Variable, ...], structural: frozenset[str]) -> Callable[
    [Row, str], tuple[Cell, ...]
]:
    names = tuple(v.name for v in variables)
    known = frozenset(names) | structural
    converters = tuple(converter(spec, v) for v in variables)

    def check(row: Row, where: str) -> tuple[Cell, ...]:
        unknown = row.keys() - known
        if unknown:
            raise ExportError(f"{where}: keys not in the dataset spec: {sorted(unknown)}")
        return tuple(convert(row.get(name), where) for name, convert in zip(names, converters, strict=True))

    return check


def converter(spec: DatasetSpec, variable: Variable) -> Converter:
    """A function checking one cell of `variable` and returning the value to write (None = missing)."""
    if variable.type == "string":
        return _string(spec, variable)
    return {"integer": _integer, "float": _float, "date": _date}[variable.type](variable.name)


def _string(spec: DatasetSpec, variable: Variable) -> Converter:
    masks = dict(spec.arm_masks or {}) if spec.blinded else {}
    name = variable.name

    def convert(value: Any, where: str) -> Cell:
        if type(value) is not str:
            if value is None:
                return None
            raise ExportError(f"{where}: {name} must be text, not {type(value).__name__}")
        # SPSS pads text with spaces and drops them on reading, so no format keeps trailing spaces.
        text: str = value.rstrip(" ")
        if not text:
            return None
        if variable.allocation and masks:
            if text not in masks:
                raise ExportError(f"{where}: {name} holds an arm without a masked code")
            return masks[text]
        if text in masks:
            # A blinded export must not reveal an arm through some other column.
            raise ExportError(f"{where}: {name} holds an arm code in a blinded export")
        refuse_identifier_value(name, text)
        return text

    return convert


def _integer(name: str) -> Converter:
    def convert(value: Any, where: str) -> Cell:
        if value is None:
            return None
        if type(value) is not int:
            raise ExportError(f"{where}: {name} must be a whole number, not {type(value).__name__}")
        if not INT_MIN <= value <= INT_MAX:
            raise ExportError(f"{where}: {name} is outside the range Stata and SPSS hold")
        return value

    return convert


def _float(name: str) -> Converter:
    def convert(value: Any, where: str) -> Cell:
        if value is None:
            return None
        if type(value) not in (float, int, Decimal) or not math.isfinite(value) or abs(value) > FLOAT_MAX:
            raise ExportError(f"{where}: {name} must be a finite number Stata can hold (None when missing)")
        return float(value)

    return convert


def _date(name: str) -> Converter:
    def convert(value: Any, where: str) -> Cell:
        if value is None:
            return None
        if type(value) is not date:
            kind = "a datetime: give its date" if isinstance(value, datetime) else type(value).__name__
            raise ExportError(f"{where}: {name} must be a date, not {kind}")
        return value

    return convert
