"""Ratio periods: validation, choice by date or by count, and a fresh list at every switch."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from randomization import (
    AllocationPlan,
    InvalidPeriodsError,
    InvalidPositionError,
    InvalidRatioError,
    NoPeriodError,
    Period,
    RandomizationError,
    UnknownArmError,
)

SECRET = b"periods"
START_UP = Period("start-up", {"ips": 2, "control": 1}, starts=date(2013, 10, 11), ends=date(2014, 2, 1))
MAIN = Period("main", {"ips": 1, "control": 1}, starts=date(2014, 2, 2))


def plan(*periods: Period, multipliers=(1, 2)) -> AllocationPlan:
    return AllocationPlan(("ips", "control"), periods, multipliers)


# -- Period on its own -----------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": "", "ratio": {"a": 1}}, "period name"),
    ({"name": 3, "ratio": {"a": 1}}, "period name"),
    ({"name": "p", "ratio": {}}, "non-empty mapping"),
    ({"name": "p", "ratio": [("a", 1)]}, "non-empty mapping"),
    ({"name": "p", "ratio": {"a": 0}}, "positive integer"),
    ({"name": "p", "ratio": {"a": -2}}, "positive integer"),
    ({"name": "p", "ratio": {"a": 1.5}}, "positive integer"),
    ({"name": "p", "ratio": {"a": True}}, "positive integer"),
])
def test_period_refuses_a_bad_name_or_ratio(kwargs, message):
    with pytest.raises(RandomizationError, match=message):
        Period(**kwargs)


def test_zero_or_negative_ratio_is_an_invalid_ratio_error_naming_period_and_arm():
    with pytest.raises(InvalidRatioError, match=r"period 'p'.*arm 'control'"):
        Period("p", {"ips": 1, "control": 0})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"ends": date(2014, 1, 1)}, "ends is given without starts"),
    ({"starts": date(2014, 1, 2), "ends": date(2014, 1, 1)}, "before starts"),
    ({"starts": datetime(2014, 1, 2, 12)}, "date in the trial's time zone"),
    ({"starts": "2014-01-02"}, "date in the trial's time zone"),
    ({"first_n": 0}, "first_n must be a positive integer"),
    ({"first_n": True}, "first_n must be a positive integer"),
    ({"first_n": 5, "starts": date(2014, 1, 1)}, "either dates or first_n"),
])
def test_period_refuses_inconsistent_bounds(kwargs, message):
    with pytest.raises(InvalidPeriodsError, match=message):
        Period("p", {"a": 1, "b": 1}, **kwargs)


def test_period_is_frozen_hashable_and_keeps_its_own_copy_of_the_ratio():
    ratio = {"ips": 2, "control": 1}
    period = Period("p", ratio, first_n=6)
    ratio["ips"] = 5
    assert period.ratio == {"ips": 2, "control": 1}
    with pytest.raises(TypeError):
        period.ratio["ips"] = 3  # type: ignore[index]
    assert hash(period) == hash(Period("p", {"ips": 2, "control": 1}, first_n=6))
    assert period == Period("p", {"ips": 2, "control": 1}, first_n=6)


def test_a_single_day_period_covers_exactly_that_day():
    day = Period("day", {"a": 1, "b": 1}, starts=date(2020, 5, 1), ends=date(2020, 5, 1))
    assert day.covers(date(2020, 5, 1))
    assert not day.covers(date(2020, 4, 30))
    assert not day.covers(date(2020, 5, 2))


# -- a plan's schedule -----------------------------------------------------------------------
def test_ratio_naming_an_unknown_arm_is_refused():
    with pytest.raises(UnknownArmError, match=r"period 'x'.*unknown arm\(s\) \['placebo'\]"):
        plan(Period("x", {"ips": 1, "placebo": 1}, starts=date(2020, 1, 1)))


def test_ratio_leaving_out_an_arm_is_refused():
    with pytest.raises(InvalidRatioError, match=r"no weight to arm\(s\) \['control'\]"):
        plan(Period("x", {"ips": 1}, starts=date(2020, 1, 1)))


@pytest.mark.parametrize(("periods", "message"), [
    ((), "non-empty sequence"),
    (START_UP, "non-empty sequence"),
    ((START_UP, START_UP), "names repeat"),
    ((START_UP, Period("main", {"ips": 1, "control": 1})), "mix dates and first_n"),
    ((MAIN, START_UP), "'main' has no end"),
    ((START_UP, Period("main", {"ips": 1, "control": 1}, starts=date(2014, 2, 1))), "overlaps"),
    ((START_UP, Period("main", {"ips": 1, "control": 1}, starts=date(2014, 2, 5))), "leaves a gap"),
    ((Period("a", {"ips": 2, "control": 1}, first_n=6), Period("b", {"ips": 1, "control": 1}, first_n=9)),
     "last period 'b'.*must not have first_n"),
    ((Period("a", {"ips": 2, "control": 1}, first_n=6), Period("b", {"ips": 1, "control": 1}),
      Period("c", {"ips": 1, "control": 1})), "'b' needs first_n"),
    ((Period("a", {"ips": 2, "control": 1}, first_n=6), Period("b", {"ips": 1, "control": 1}, first_n=6),
      Period("c", {"ips": 1, "control": 1})), "cumulative"),
])
def test_plan_refuses_an_inconsistent_schedule(periods, message):
    with pytest.raises(InvalidPeriodsError, match=message):
        plan(*periods) if isinstance(periods, tuple) else AllocationPlan(("ips", "control"), periods, (1,))


def test_period_on_picks_by_date_with_inclusive_bounds():
    p = plan(START_UP, MAIN)
    assert p.period_on(date(2014, 1, 5)).name == "start-up"
    assert p.period_on(date(2013, 10, 11)).name == "start-up"
    assert p.period_on(date(2014, 2, 1)).name == "start-up"
    assert p.period_on(date(2014, 2, 2)).name == "main"
    assert p.period_on(date(2031, 1, 1)).name == "main"


def test_a_date_outside_every_period_is_refused():
    with pytest.raises(NoPeriodError, match="2013-10-10 is outside every period"):
        plan(START_UP, MAIN).period_on(date(2013, 10, 10))
    with pytest.raises(NoPeriodError, match="outside every period"):
        plan(START_UP).period_on(date(2014, 2, 2))
    with pytest.raises(NoPeriodError):
        plan(START_UP, MAIN).period_for(date(2000, 1, 1), 0)


def test_period_on_wants_a_local_date_not_a_datetime():
    with pytest.raises(InvalidPeriodsError, match="date in the trial's time zone"):
        plan(START_UP, MAIN).period_on(datetime(2014, 1, 5, 23, 30))


def test_period_for_uses_the_date_in_a_date_based_plan_and_checks_the_count():
    p = plan(START_UP, MAIN)
    assert p.period_for(date(2014, 1, 5), 500).name == "start-up"
    assert p.period_for(date(2014, 2, 2), 0).name == "main"
    with pytest.raises(InvalidPositionError, match="randomized_in_stratum"):
        p.period_for(date(2014, 1, 5), -1)


def test_count_based_periods_take_the_first_n_of_each_stratum():
    p = plan(Period("start-up", {"ips": 2, "control": 1}, first_n=12),
             Period("ramp", {"ips": 3, "control": 2}, first_n=40),
             Period("main", {"ips": 1, "control": 1}))
    on = date(2020, 1, 1)
    assert [p.period_for(on, n).name for n in (0, 11, 12, 39, 40, 10_000)] == [
        "start-up", "start-up", "ramp", "ramp", "main", "main"]
    with pytest.raises(InvalidPositionError, match="randomized_in_stratum"):
        p.period_for(on, -1)
    with pytest.raises(NoPeriodError, match="chosen by count"):
        p.period_on(on)


def test_a_single_undated_period_applies_to_everyone():
    p = plan(Period("only", {"ips": 1, "control": 1}))
    assert p.period_for(date(1999, 1, 1), 0).name == "only"


def test_each_period_starts_a_fresh_list_and_abandons_the_open_block():
    p = plan(Period("start-up", {"ips": 2, "control": 1}, first_n=4),
             Period("main", {"ips": 1, "control": 1}))
    on = date(2020, 1, 1)
    # A stratum randomizes 10 people; the app's position is the count within (stratum, period).
    slots = []
    per_period: dict[str, int] = {}
    for n in range(10):
        period = p.period_for(on, n).name
        slots.append(p.slot(SECRET, "bergen", period, per_period.get(period, 0)))
        per_period[period] = per_period.get(period, 0) + 1
    start_up, main = slots[:4], slots[4:]
    assert [s.period for s in start_up] == ["start-up"] * 4
    assert [s.ratio for s in start_up] == ["2:1"] * 4
    assert [(s.period, s.ratio, s.position) for s in main[:1]] == [("main", "1:1", 0)]
    assert (main[0].block_index, main[0].position_in_block) == (0, 0)
    assert [s.arm for s in main] == list(p.sequence(SECRET, "bergen", "main", 6))
    # Whatever the start-up list holds after position 3 is never used.
    assert [s.arm for s in start_up] == list(p.sequence(SECRET, "bergen", "start-up", 4))


def test_every_allocation_reports_its_period_ratio_and_probability():
    p = plan(START_UP, MAIN)
    for period, ratio, share in (("start-up", "2:1", {"ips": (2, 3), "control": (1, 3)}),
                                 ("main", "1:1", {"ips": (1, 2), "control": (1, 2)})):
        for slot in p.slots(SECRET, "oslo", period, 30):
            assert (slot.period, slot.ratio) == (period, ratio)
            assert (slot.probability.numerator, slot.probability.denominator) == share[slot.arm]
