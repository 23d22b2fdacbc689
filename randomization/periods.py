"""Ratio periods and the checks shared by every allocation method.

A period is chosen either by date or by how many participants the stratum already holds
(reference section 1.5: "a calendar date ... or a per-site count"). Each period has its own
lists, so a switch abandons the unfinished block of the period before it (option (a) there).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from types import MappingProxyType

from .errors import (
    InvalidPeriodsError,
    InvalidPositionError,
    InvalidRatioError,
    NoPeriodError,
    RandomizationError,
    UnknownArmError,
)

__all__ = ["Period", "check_arms", "check_count", "check_ratio", "check_schedule", "period_by_count",
           "period_by_date", "ratio_weights"]


def _is_count(value: object) -> bool:
    # bool is an int subclass; True must not pass as a ratio of 1.
    return isinstance(value, int) and not isinstance(value, bool)


def check_count(value: object, what: str) -> int:
    """``value`` as a non-negative int, or ``InvalidPositionError`` naming ``what``."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise InvalidPositionError(f"{what} must be a non-negative integer, got {value!r}")


def check_arms(arms: Sequence[str]) -> tuple[str, ...]:
    """Two or more distinct, non-empty arm codes, in the declared order."""
    if isinstance(arms, str) or not isinstance(arms, Sequence):
        raise RandomizationError("arms must be a sequence of arm codes")
    if len(arms) < 2:
        raise RandomizationError(f"arms needs at least two arm codes, got {len(arms)}")
    for arm in arms:
        if not isinstance(arm, str) or not arm:
            raise RandomizationError(f"arm codes must be non-empty strings, got {arm!r}")
    if len(set(arms)) != len(arms):
        raise RandomizationError(f"arms repeats a code: {list(arms)}")
    return tuple(arms)


def check_ratio(ratio: Mapping[str, int], where: str) -> dict[str, int]:
    """A copy of ``ratio`` once every weight is a positive integer."""
    if not isinstance(ratio, Mapping) or not ratio:
        raise InvalidRatioError(f"{where}: ratio must be a non-empty mapping of arm to weight")
    for arm, weight in ratio.items():
        if not _is_count(weight) or weight <= 0:
            raise InvalidRatioError(f"{where}: ratio for arm {arm!r} must be a positive integer, "
                                    f"got {weight!r}")
    return dict(ratio)


def ratio_weights(ratio: Mapping[str, int], arms: Sequence[str], where: str) -> tuple[int, ...]:
    """The weights in arm order; the ratio must name every arm and no other."""
    unknown = [arm for arm in ratio if arm not in arms]
    if unknown:
        raise UnknownArmError(f"{where}: ratio names unknown arm(s) {unknown}; arms are {list(arms)}")
    missing = [arm for arm in arms if arm not in ratio]
    if missing:
        raise InvalidRatioError(f"{where}: ratio gives no weight to arm(s) {missing}")
    return tuple(ratio[arm] for arm in arms)


def _check_date(value: object, what: str) -> None:
    # A datetime would compare against dates with a TypeError later; the caller must first
    # convert to the trial's local date.
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidPeriodsError(f"{what} must be a date in the trial's time zone, got {value!r}")


@dataclass(frozen=True)
class Period:
    """One allocation ratio and when it applies.

    Date-based: ``starts`` required, ``ends`` inclusive or ``None`` (open). Count-based:
    ``first_n`` is cumulative -- ``first_n=12`` covers the first 12 participants randomized in
    each stratum and the next period takes over from the 13th. The last count-based period has
    no ``first_n``. Arm names in ``ratio`` are checked against the plan's arms by the plan.
    """

    name: str
    ratio: Mapping[str, int] = field(hash=False)
    starts: date | None = None
    ends: date | None = None
    first_n: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidPeriodsError(f"period name must be a non-empty string, got {self.name!r}")
        where = f"period {self.name!r}"
        object.__setattr__(self, "ratio", MappingProxyType(check_ratio(self.ratio, where)))
        _check_date(self.starts, f"{where}: starts")
        _check_date(self.ends, f"{where}: ends")
        if self.ends is not None and self.starts is None:
            raise InvalidPeriodsError(f"{where}: ends is given without starts")
        if self.ends is not None and self.starts is not None and self.ends < self.starts:
            raise InvalidPeriodsError(f"{where}: ends {self.ends} is before starts {self.starts}")
        if self.first_n is not None:
            if not _is_count(self.first_n) or self.first_n < 1:
                raise InvalidPeriodsError(f"{where}: first_n must be a positive integer, "
                                          f"got {self.first_n!r}")
            if self.starts is not None:
                raise InvalidPeriodsError(f"{where}: give either dates or first_n, not both")

    @property
    def by_date(self) -> bool:
        """True when the period is chosen by date rather than by count."""
        return self.starts is not None

    def covers(self, on: date) -> bool:
        """Whether the (local) date ``on`` falls in this date-based period, bounds inclusive."""
        return (self.starts is not None and self.starts <= on
                and (self.ends is None or on <= self.ends))


def check_schedule(periods: Sequence[Period]) -> tuple[Period, ...]:
    """Periods that are all date-based and contiguous, or all count-based and increasing."""
    if isinstance(periods, str | Period) or not isinstance(periods, Sequence) or not periods:
        raise InvalidPeriodsError("periods must be a non-empty sequence of Period")
    names = [p.name for p in periods]
    if len(set(names)) != len(names):
        raise InvalidPeriodsError(f"period names repeat: {names}")
    kinds = {p.by_date for p in periods}
    if len(kinds) > 1:
        raise InvalidPeriodsError("periods mix dates and first_n; use one kind for a plan")
    if kinds == {True}:
        _check_dates(periods)
    else:
        _check_counts(periods)
    return tuple(periods)


def _check_dates(periods: Sequence[Period]) -> None:
    for earlier, later in pairwise(periods):
        if earlier.ends is None:
            raise InvalidPeriodsError(f"period {earlier.name!r} has no end but {later.name!r} follows; "
                                      "only the last period may be open-ended")
        if later.starts != earlier.ends + timedelta(days=1):
            overlaps = later.starts is not None and later.starts <= earlier.ends
            problem = "overlaps" if overlaps else "leaves a gap after"
            raise InvalidPeriodsError(f"period {later.name!r} starts {later.starts}, which {problem} "
                                      f"period {earlier.name!r} ending {earlier.ends}")


def _check_counts(periods: Sequence[Period]) -> None:
    *leading, last = periods
    if last.first_n is not None:
        raise InvalidPeriodsError(f"the last period {last.name!r} takes everyone after the previous "
                                  "ones and must not have first_n")
    previous = 0
    for period in leading:
        if period.first_n is None:
            raise InvalidPeriodsError(f"period {period.name!r} needs first_n (or dates); only the "
                                      "last period may omit it")
        if period.first_n <= previous:
            raise InvalidPeriodsError(f"period {period.name!r}: first_n {period.first_n} must exceed "
                                      f"the previous period's {previous} (first_n is cumulative)")
        previous = period.first_n


def period_by_date(periods: Sequence[Period], on: date) -> Period:
    """The date-based period covering ``on``; ``NoPeriodError`` outside every period."""
    _check_date(on, "the randomization date")
    if not periods[0].by_date:
        raise NoPeriodError("this plan's periods are chosen by count; use period_for()")
    for period in periods:
        if period.covers(on):
            return period
    raise NoPeriodError(f"{on} is outside every period ({periods[0].starts} to "
                        f"{periods[-1].ends or 'open'})")


def period_by_count(periods: Sequence[Period], randomized_in_stratum: int) -> Period:
    """The count-based period for the next participant of a stratum holding that many."""
    n = check_count(randomized_in_stratum, "randomized_in_stratum")
    return next(p for p in periods if p.first_n is None or n < p.first_n)
