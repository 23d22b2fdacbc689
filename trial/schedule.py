"""Follow-up visits: when each timepoint is due, when its window opens and closes, when to remind.

Pure: standard library only, no clock. Every date here is a date in the trial's own time zone
(``[trial] timezone`` in the protocol file, interfaces section 4). The caller turns an instant into
the trial's date with ``local_date`` (or ``trial.clock.today(tz)``) before asking for a status, so
a window closing on 21 August closes at the end of 21 August in Oslo, not in UTC.

Visits are planned once from the randomization date and stored as rows (style guide point 14);
the dispatcher then only compares stored dates with today, so running it twice changes nothing.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "PlannedVisit",
    "Timepoint",
    "VisitStatus",
    "Window",
    "add_months",
    "local_date",
    "plan_visits",
    "stopped_before_close",
    "visit_status",
    "window_is_open",
]

# The schedule statuses of the API contract (interfaces section 6).
VisitStatus = Literal["scheduled", "open", "completed", "missed", "cancelled"]


class Timepoint(Protocol):
    """What planning reads from a protocol ``[[timepoints]]`` entry (interfaces section 4).

    Read-only properties, so frozen dataclasses and ORM rows satisfy it as well as plain objects.
    """

    @property
    def code(self) -> str: ...
    @property
    def offset_months(self) -> int: ...
    @property
    def window_days_before(self) -> int: ...
    @property
    def window_days_after(self) -> int: ...
    @property
    def reminder_days(self) -> Sequence[int]: ...


class Window(Protocol):
    """A visit's window: a ``PlannedVisit``, or the row the app stored from one."""

    @property
    def opens_on(self) -> date: ...
    @property
    def closes_on(self) -> date: ...


@dataclass(frozen=True)
class PlannedVisit:
    """One follow-up visit. ``timepoint`` is the timepoint's code; the window runs from
    ``opens_on`` to ``closes_on``, both days included; ``reminders_on`` is sorted, within it."""

    timepoint: str
    due_on: date
    opens_on: date
    closes_on: date
    reminders_on: tuple[date, ...]


def add_months(d: date, months: int) -> date:
    """``d`` plus calendar months; a day the target month lacks becomes its last day.

    2014-08-31 + 6 months is 2015-02-28, and 2015-08-31 + 6 is 2016-02-29 (the convention of
    dateutil's relativedelta and java.time's plusMonths). ``months`` may be negative.
    """
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def plan_visits(randomized_on: date, timepoints: Iterable[Timepoint]) -> tuple[PlannedVisit, ...]:
    """The follow-up visits of a participant randomized on ``randomized_on``, earliest first.

    Only timepoints with ``offset_months > 0`` get a visit: the baseline (offset 0) is completed
    before randomization, and its window fields are never read. Each due date is counted from the
    randomization date itself, never from the previous visit, so clamping at a month's end does
    not drift (2014-08-31: 6m is 2015-02-28, 12m is 2015-08-31, not 08-28). Raises ``ValueError``
    for a negative window or reminder day, or a timepoint code used twice.
    """
    follow_ups = sorted((tp for tp in timepoints if tp.offset_months > 0), key=lambda tp: tp.offset_months)
    codes = [tp.code for tp in follow_ups]
    if len(set(codes)) != len(codes):
        raise ValueError(f"each follow-up timepoint needs its own code: {', '.join(codes)}")
    return tuple(_plan_visit(randomized_on, tp) for tp in follow_ups)


def _plan_visit(randomized_on: date, timepoint: Timepoint) -> PlannedVisit:
    days = (timepoint.window_days_before, timepoint.window_days_after, *timepoint.reminder_days)
    if min(days) < 0:
        raise ValueError(f"timepoint {timepoint.code}: window and reminder days cannot be negative")
    due_on = add_months(randomized_on, timepoint.offset_months)
    opens_on = due_on - timedelta(days=timepoint.window_days_before)
    closes_on = due_on + timedelta(days=timepoint.window_days_after)
    # Reminders count from the window's opening (interfaces section 4); one after the window has
    # closed would ask for a questionnaire that can no longer count, so it is dropped. A set, so
    # a protocol repeating a day does not send two reminders on it.
    reminders = {opens_on + timedelta(days=n) for n in timepoint.reminder_days}
    return PlannedVisit(
        timepoint=timepoint.code,
        due_on=due_on,
        opens_on=opens_on,
        closes_on=closes_on,
        reminders_on=tuple(sorted(r for r in reminders if r <= closes_on)),
    )


def visit_status(visit: Window, today: date, *, completed: bool, stopped: bool) -> VisitStatus:
    """The contract status of one visit on ``today`` (the trial's local date).

    ``completed``: a questionnaire for this timepoint was received; it wins over everything.
    ``stopped``: the participant left follow-up (withdrew from follow-up or from all, died, or was
    lost to follow-up) on or before this visit's ``closes_on`` - see ``stopped_before_close``.
    Someone who left after the window closed had already missed it, and CONSORT counts them so
    (interfaces section 6). A withdrawal from the intervention alone is no stop: the participant
    is still followed up (intention to treat).
    """
    if completed:
        return "completed"
    if stopped:
        return "cancelled"
    if today < visit.opens_on:
        return "scheduled"
    if today <= visit.closes_on:
        return "open"
    return "missed"


def stopped_before_close(visit: Window, stopped_on: date | None) -> bool:
    """Whether a participant who left follow-up on ``stopped_on`` (None: never) left before this
    visit's window closed, which is what ``visit_status``'s ``stopped`` asks."""
    return stopped_on is not None and stopped_on <= visit.closes_on


def window_is_open(visit: Window, today: date) -> bool:
    """Whether ``today`` (the trial's local date) falls in the window, both ends included."""
    return visit.opens_on <= today <= visit.closes_on


def local_date(instant: datetime, tz: str | ZoneInfo) -> date:
    """The trial's calendar date at an aware instant: 2014-01-31T23:30Z is 2014-02-01 in
    Europe/Oslo. Raises ``ValueError`` for a naive datetime, whose zone would be a guess."""
    if instant.utcoffset() is None:
        raise ValueError("local_date needs an aware datetime (a naive one has no known instant)")
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return instant.astimezone(zone).date()
