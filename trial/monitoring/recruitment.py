"""Recruitment and follow-up monitoring counted from the CONSORT engine's plain records.

Pure functions: no Flask, no database, no clock. They keep the trial's "honest numbers"
(reference/trial-domain.md):
- a rate's denominator is everyone randomised (intention to treat), never those who stayed;
- rates over sites or arms pool numerators and denominators, never average percentages;
- every rate travels with its numerator, denominator and the missing and pending counts.
"""
from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

from ..consort import FlowDesign, Participant, Screening, followup_states
from ..consort.compute import screening_state

SEXES = ("female", "male", "other", "not-recorded")


@dataclass(frozen=True)
class Rate:
    """`n` of `of`; the percentage is derived, so it can never disagree with the counts."""

    n: int
    of: int

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded half up; None when the denominator is empty."""
        if self.of == 0:
            return None
        return (200 * self.n + self.of) // (2 * self.of)


def month_ends(first: date, as_of: date) -> list[date]:
    """The last day of every month from `first`'s to `as_of`'s; the final point is `as_of` itself."""
    days, year, month = [], first.year, first.month
    while (year, month) < (as_of.year, as_of.month):
        following = date(year + month // 12, month % 12 + 1, 1)
        days.append(following - timedelta(days=1))
        year, month = following.year, following.month
    return [*days, as_of]


def cumulative_randomized(participants: Iterable[Participant], sites: Sequence[str],
                          days: Sequence[date]) -> dict[str, list[int]]:
    """Site -> how many had been randomised there by each of `days` (same order)."""
    dates: dict[str, list[date]] = {site: [] for site in sites}
    for p in participants:
        if p.site in dates:
            dates[p.site].append(p.randomized_on)
    return {site: [bisect_right(sorted_days, day) for day in days]
            for site, sorted_days in ((s, sorted(d)) for s, d in dates.items())}


def allocations_by_period(design: FlowDesign, participants: Iterable[Participant],
                          as_of: date) -> dict[str, Counter[str]]:
    """Allocation period -> arm -> participants randomised by `as_of` (every period of the design)."""
    counts: dict[str, Counter[str]] = {period.name: Counter() for period in design.periods}
    for p in participants:
        if p.randomized_on <= as_of:
            counts[p.period][p.arm] += 1
    return counts


@dataclass(frozen=True)
class AgeSummary:
    """Age at referral in whole years (referral year minus birth year): median and quartiles."""

    known: int
    missing: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None


@dataclass(frozen=True)
class Group:
    """Who was in a group (decliners, or those randomised) by sex and age at referral."""

    total: int
    sex: dict[str, int]
    age: AgeSummary

    def sex_rate(self, sex: str) -> Rate:
        return Rate(self.sex[sex], self.total)


def age_summary(ages: Sequence[int], missing: int) -> AgeSummary:
    """Median and interquartile range (25th and 75th percentiles, inclusive method)."""
    if not ages:
        return AgeSummary(0, missing)
    q1, median, q3 = statistics.quantiles(ages, n=4, method="inclusive") if len(ages) > 1 else [ages[0]] * 3
    return AgeSummary(len(ages), missing, float(median), float(q1), float(q3))


def _group(screenings: Sequence[Screening]) -> Group:
    sex = Counter(s.sex if s.sex in SEXES else "not-recorded" for s in screenings)
    ages = [s.referred_on.year - s.birth_year for s in screenings if s.birth_year is not None]
    return Group(len(screenings), {key: sex[key] for key in SEXES},
                 age_summary(sorted(ages), len(screenings) - len(ages)))


def decliners_and_participants(screenings: Iterable[Screening], as_of: date) -> dict[str, Group]:
    """Those who declined to take part against those randomised, as the screening log stood on `as_of`."""
    seen = [(s, screening_state(s, as_of)) for s in screenings]
    declined = [s for s, state in seen if state == "excluded" and s.category == "declined"]
    randomized = [s for s, state in seen if state == "randomized"]
    return {"declined": _group(declined), "randomized": _group(randomized)}


@dataclass(frozen=True)
class Completion:
    """Follow-up at one timepoint for a set of randomised participants; the states sum to `randomized`.

    `withdrawn`, `died` and `lost` are cumulative (left before the window closed); `missed` means still
    in the study without a questionnaire; `pending` means the window is still open.
    """

    randomized: int = 0
    completed: int = 0
    missed: int = 0
    withdrawn: int = 0
    died: int = 0
    lost: int = 0
    pending: int = 0

    @property
    def returned(self) -> Rate:
        return Rate(self.completed, self.randomized)

    @property
    def left(self) -> int:
        return self.withdrawn + self.died + self.lost

    def __add__(self, other: Completion) -> Completion:
        return Completion(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def pooled(cells: Iterable[Completion]) -> Completion:
    """Numerators and denominators added up: the honest rate over sites or arms."""
    return sum(cells, Completion())


def followup_completion(design: FlowDesign, participants: Iterable[Participant],
                        as_of: date) -> dict[str, dict[tuple[str, str], Completion]]:
    """Timepoint -> (site, arm) -> follow-up of those randomised by `as_of`, as the CONSORT flow counts it."""
    tallies: dict[str, Counter[tuple[str, str, str]]] = {tp: Counter() for tp in design.timepoints}
    for p in participants:
        if p.randomized_on > as_of:
            continue
        for timepoint, state in followup_states(design, p, as_of).items():
            tallies[timepoint][(p.site, p.arm, state)] += 1
    result: dict[str, dict[tuple[str, str], Completion]] = {}
    for timepoint, tally in tallies.items():
        cells: dict[tuple[str, str], Counter[str]] = {}
        for (site, arm, state), n in tally.items():
            cells.setdefault((site, arm), Counter())[state] += n
        result[timepoint] = {key: Completion(randomized=sum(c.values()), **c) for key, c in cells.items()}
    return result
