"""Follow-up planning: calendar months, the IPS protocol's windows and reminders, statuses by day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trial.schedule import (
    PlannedVisit,
    add_months,
    local_date,
    plan_visits,
    stopped_before_close,
    visit_status,
    window_is_open,
)


@dataclass(frozen=True)
class Timepoint:
    code: str
    offset_months: int
    window_days_before: int = 0
    window_days_after: int = 0
    reminder_days: tuple[int, ...] = ()


# protocols/ips-norway.toml: baseline before randomization, then 6 and 12 months.
IPS = (
    Timepoint("baseline", 0),
    Timepoint("6m", 6, 14, 42, (7, 14)),
    Timepoint("12m", 12, 14, 42, (7, 14)),
)
day = timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2014, 8, 31), 6, date(2015, 2, 28)),
        (date(2015, 8, 31), 6, date(2016, 2, 29)),  # leap year
        (date(2099, 8, 31), 6, date(2100, 2, 28)),  # 2100 is no leap year
        (date(2014, 1, 31), 1, date(2014, 2, 28)),
        (date(2014, 3, 31), 1, date(2014, 4, 30)),
        (date(2014, 10, 15), 6, date(2015, 4, 15)),
        (date(2014, 11, 30), 3, date(2015, 2, 28)),  # across a year end
        (date(2014, 12, 15), 12, date(2015, 12, 15)),
        (date(2015, 3, 31), -1, date(2015, 2, 28)),
        (date(2016, 2, 29), 12, date(2017, 2, 28)),
        (date(2014, 5, 20), 0, date(2014, 5, 20)),
    ],
)
def test_add_months_counts_calendar_months_and_clamps_to_the_month_end(start: date, months: int,
                                                                      expected: date) -> None:
    assert add_months(start, months) == expected


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.integers(-1200, 1200))
def test_add_months_lands_in_the_right_month_on_the_same_day_or_its_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + day).day == 1)


def test_the_ips_schedule() -> None:
    assert plan_visits(date(2014, 1, 10), IPS) == (
        PlannedVisit("6m", due_on=date(2014, 7, 10), opens_on=date(2014, 6, 26),
                     closes_on=date(2014, 8, 21), reminders_on=(date(2014, 7, 3), date(2014, 7, 10))),
        PlannedVisit("12m", due_on=date(2015, 1, 10), opens_on=date(2014, 12, 27),
                     closes_on=date(2015, 2, 21), reminders_on=(date(2015, 1, 3), date(2015, 1, 10))),
    )


def test_the_baseline_has_no_visit_and_its_window_is_never_read() -> None:
    class Baseline:
        code, offset_months = "baseline", 0

    visits = plan_visits(date(2014, 1, 10), [Baseline(), IPS[1]])  # type: ignore[list-item]  # lacks windows on purpose
    assert [v.timepoint for v in visits] == ["6m"]


@pytest.mark.parametrize(
    ("randomized", "six", "twelve"),
    [
        (date(2014, 8, 31), date(2015, 2, 28), date(2015, 8, 31)),  # 12m not drifted to 08-28
        (date(2015, 8, 31), date(2016, 2, 29), date(2016, 8, 31)),
        (date(2015, 2, 28), date(2015, 8, 28), date(2016, 2, 28)),
        (date(2016, 2, 29), date(2016, 8, 29), date(2017, 2, 28)),
    ],
)
def test_every_due_date_counts_from_randomization(randomized: date, six: date, twelve: date) -> None:
    assert [v.due_on for v in plan_visits(randomized, IPS)] == [six, twelve]


def test_visits_come_in_time_order_whatever_the_protocol_order() -> None:
    visits = plan_visits(date(2014, 1, 10), [IPS[2], IPS[0], IPS[1]])
    assert [v.timepoint for v in visits] == ["6m", "12m"]


def test_reminders_after_the_window_closes_are_dropped_and_repeats_merged() -> None:
    (visit,) = plan_visits(date(2014, 1, 10), [Timepoint("1m", 1, 0, 7, (14, 7, 7, 8))])
    assert visit.reminders_on == (date(2014, 2, 17),)  # day 7 is closes_on, kept; 8 and 14 dropped
    assert visit.closes_on == date(2014, 2, 17)


@pytest.mark.parametrize(
    "timepoint",
    [Timepoint("6m", 6, -1, 42), Timepoint("6m", 6, 14, -1), Timepoint("6m", 6, 14, 42, (7, -7))],
)
def test_negative_window_or_reminder_days_are_refused(timepoint: Timepoint) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        plan_visits(date(2014, 1, 10), [timepoint])


def test_a_timepoint_code_used_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="its own code"):
        plan_visits(date(2014, 1, 10), [IPS[1], Timepoint("6m", 12, 14, 42)])


SIX_MONTHS = plan_visits(date(2014, 1, 10), IPS)[0]  # window 2014-06-26 .. 2014-08-21


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2014, 1, 10), "scheduled"),
        (date(2014, 6, 25), "scheduled"),
        (date(2014, 6, 26), "open"),
        (date(2014, 7, 10), "open"),
        (date(2014, 8, 21), "open"),
        (date(2014, 8, 22), "missed"),
        (date(2016, 1, 1), "missed"),
    ],
)
def test_status_on_each_boundary_day(today: date, status: str) -> None:
    assert visit_status(SIX_MONTHS, today, completed=False, stopped=False) == status
    assert window_is_open(SIX_MONTHS, today) == (status == "open")


@pytest.mark.parametrize(
    "today", [date(2014, 6, 25), date(2014, 6, 26), date(2014, 8, 21), date(2014, 8, 22)]
)
def test_completed_wins_and_a_stop_cancels(today: date) -> None:
    assert visit_status(SIX_MONTHS, today, completed=True, stopped=False) == "completed"
    assert visit_status(SIX_MONTHS, today, completed=True, stopped=True) == "completed"
    assert visit_status(SIX_MONTHS, today, completed=False, stopped=True) == "cancelled"


@pytest.mark.parametrize(
    ("stopped_on", "before_close"),
    [(None, False), (date(2014, 3, 1), True), (date(2014, 8, 21), True), (date(2014, 8, 22), False)],
)
def test_only_a_stop_before_the_window_closed_cancels_the_visit(
    stopped_on: date | None, before_close: bool
) -> None:
    # CONSORT: one who left after the window closed had missed it, not withdrawn from it.
    stopped = stopped_before_close(SIX_MONTHS, stopped_on)
    assert stopped == before_close
    expected = "cancelled" if before_close else "missed"
    assert visit_status(SIX_MONTHS, date(2014, 9, 1), completed=False, stopped=stopped) == expected


def test_the_status_works_on_a_stored_row() -> None:
    @dataclass
    class Row:
        opens_on: date
        closes_on: date

    row = Row(date(2014, 6, 26), date(2014, 8, 21))
    assert visit_status(row, date(2014, 7, 1), completed=False, stopped=False) == "open"
    assert window_is_open(row, date(2014, 8, 22)) is False


@pytest.mark.parametrize(
    ("instant", "local"),
    [
        (datetime(2014, 1, 31, 23, 30, tzinfo=UTC), date(2014, 2, 1)),  # UTC+1 in winter
        (datetime(2014, 1, 31, 22, 59, tzinfo=UTC), date(2014, 1, 31)),
        (datetime(2014, 7, 31, 22, 0, tzinfo=UTC), date(2014, 8, 1)),  # UTC+2 in summer
        (datetime(2014, 7, 31, 21, 59, tzinfo=UTC), date(2014, 7, 31)),
        (datetime(2014, 2, 1, 3, 59, tzinfo=timezone(timedelta(hours=5))), date(2014, 1, 31)),  # Oslo 23:59
    ],
)
def test_local_date_is_the_trials_calendar_date(instant: datetime, local: date) -> None:
    assert local_date(instant, "Europe/Oslo") == local
    assert local_date(instant, ZoneInfo("Europe/Oslo")) == local


def test_local_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2014, 1, 31, 23, 30), "Europe/Oslo")


timepoints = st.lists(
    st.builds(Timepoint, code=st.text("abcdefghij", min_size=1, max_size=4), offset_months=st.integers(0, 60),
              window_days_before=st.integers(0, 60), window_days_after=st.integers(0, 90),
              reminder_days=st.lists(st.integers(0, 120), max_size=4).map(tuple)),
    max_size=6, unique_by=lambda tp: tp.code,
)


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), timepoints)
def test_windows_hold_their_due_date_and_visits_come_in_order(randomized: date, tps: list[Timepoint]) -> None:
    visits = plan_visits(randomized, tps)
    follow_ups = sorted((t for t in tps if t.offset_months > 0), key=lambda t: t.offset_months)
    assert [v.timepoint for v in visits] == [tp.code for tp in follow_ups]
    for visit, tp in zip(visits, follow_ups, strict=True):
        assert visit.opens_on <= visit.due_on <= visit.closes_on
        assert visit.due_on == add_months(randomized, tp.offset_months) > randomized
        assert list(visit.reminders_on) == sorted(set(visit.reminders_on))
        assert all(visit.opens_on <= r <= visit.closes_on for r in visit.reminders_on)
    assert [v.due_on for v in visits] == sorted(v.due_on for v in visits)
