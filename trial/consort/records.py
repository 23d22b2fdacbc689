"""Plain participant-level records the CONSORT flow is computed from.

The database adapter builds these; nothing here knows about the database. Each record checks
its own shape on construction, so a malformed record fails where it is built rather than as a
wrong number in a published diagram.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

ScreeningStatus = Literal["screening", "excluded", "randomized"]
ExclusionCategory = Literal["not-eligible", "declined", "other"]
DepartureKind = Literal[
    "withdrawn-intervention", "withdrawn-follow-up", "withdrawn-all", "died", "lost-to-follow-up",
]

SCREENING_STATUSES: tuple[str, ...] = ("screening", "excluded", "randomized")
EXCLUSION_CATEGORIES: tuple[str, ...] = ("not-eligible", "declined", "other")
DEPARTURE_KINDS: tuple[str, ...] = (
    "withdrawn-intervention", "withdrawn-follow-up", "withdrawn-all", "died", "lost-to-follow-up",
)


@dataclass(frozen=True)
class Screening:
    """One referral, from the screening log. `ended_on` is the day it was excluded or randomised."""

    id: str
    site: str
    referred_on: date
    status: ScreeningStatus
    ended_on: date | None = None
    category: ExclusionCategory | None = None
    reason: str | None = None
    sex: str | None = None
    birth_year: int | None = None

    def __post_init__(self) -> None:
        if self.status not in SCREENING_STATUSES:
            raise ValueError(f"screening {self.id}: unknown status {self.status!r}")
        if (self.status == "screening") != (self.ended_on is None):
            raise ValueError(f"screening {self.id}: ended_on is required exactly when screening has ended")
        if self.ended_on is not None and self.ended_on < self.referred_on:
            raise ValueError(f"screening {self.id}: ended before it was referred")
        if (self.status == "excluded") != (self.category is not None):
            raise ValueError(f"screening {self.id}: a category is required exactly when it is excluded")
        if self.category is not None and self.category not in EXCLUSION_CATEGORIES:
            raise ValueError(f"screening {self.id}: unknown exclusion category {self.category!r}")


@dataclass(frozen=True)
class Visit:
    """One follow-up timepoint of a participant's schedule: when its window closes, when answered."""

    timepoint: str
    closes_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class Departure:
    """A withdrawal (of some scope), a death or a loss to follow-up, dated."""

    kind: DepartureKind
    on: date
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in DEPARTURE_KINDS:
            raise ValueError(f"unknown departure kind {self.kind!r}")


@dataclass(frozen=True)
class Participant:
    """A randomised participant, in the arm and allocation period they were allocated to."""

    id: str
    site: str
    arm: str
    period: str
    randomized_on: date
    departures: tuple[Departure, ...] = ()
    visits: tuple[Visit, ...] = ()

    def __post_init__(self) -> None:
        # Lists are accepted for convenience but stored as tuples so the record stays immutable.
        object.__setattr__(self, "departures", tuple(self.departures))
        object.__setattr__(self, "visits", tuple(self.visits))
        timepoints = [v.timepoint for v in self.visits]
        if len(set(timepoints)) != len(timepoints):
            raise ValueError(f"participant {self.id}: more than one visit for a timepoint")
        if any(d.on < self.randomized_on for d in self.departures):
            raise ValueError(f"participant {self.id}: a departure is dated before randomisation")

    def visit(self, timepoint: str) -> Visit:
        """The visit for `timepoint`; every follow-up timepoint of the design must have one."""
        for visit in self.visits:
            if visit.timepoint == timepoint:
                return visit
        raise ValueError(f"participant {self.id}: no visit for timepoint {timepoint!r}")


class Arm(NamedTuple):
    code: str
    label: str


class AllocationPeriod(NamedTuple):
    name: str
    ratio: str  # as printed, e.g. "2:1"


@dataclass(frozen=True)
class FlowDesign:
    """What the diagram is drawn for: arms, allocation periods and follow-up timepoints, in order.

    `timepoints` are the follow-up timepoint codes after randomisation (not baseline), earliest
    first; withdrawals, deaths and losses carry forward along this order.
    """

    arms: tuple[Arm, ...]
    periods: tuple[AllocationPeriod, ...]
    timepoints: tuple[str, ...]
    primary_timepoint: str | None = None
    trial_title: str = ""

    def __post_init__(self) -> None:
        # Plain (code, label) and (name, ratio) pairs are accepted and named here.
        object.__setattr__(self, "arms", tuple(Arm(*a) for a in self.arms))
        object.__setattr__(self, "periods", tuple(AllocationPeriod(*p) for p in self.periods))
        object.__setattr__(self, "timepoints", tuple(self.timepoints))
        for what, names in (("arm", [a.code for a in self.arms]), ("period", [p.name for p in self.periods]),
                            ("timepoint", list(self.timepoints))):
            if len(set(names)) != len(names):
                raise ValueError(f"flow design: duplicate {what} in {names}")
        if len(self.arms) < 2:
            raise ValueError("flow design: a randomised trial has at least two arms")
        if not self.periods:
            raise ValueError("flow design: at least one allocation period is required")
        if not self.timepoints:
            raise ValueError("flow design: at least one follow-up timepoint is required")
        if self.primary_timepoint is not None and self.primary_timepoint not in self.timepoints:
            raise ValueError(f"flow design: primary timepoint {self.primary_timepoint!r} "
                             "is not a follow-up timepoint")
