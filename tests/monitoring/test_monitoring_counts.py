"""The monitoring arithmetic on plain records: honest rates, dates, ages and follow-up states."""
from __future__ import annotations

from datetime import date

import pytest

from trial.consort import Participant, Screening, Visit, consort
from trial.monitoring.recruitment import (
    Completion,
    Rate,
    age_summary,
    allocations_by_period,
    cumulative_randomized,
    decliners_and_participants,
    followup_completion,
    month_ends,
    pooled,
)

from ..consort.ips_records import AS_OF, SITES, ips_trial


def test_a_rate_is_rounded_half_up_and_has_no_percentage_without_a_denominator() -> None:
    assert Rate(115, 229).percent == 50
    assert Rate(1, 8).percent == 13          # 12.5 %
    assert Rate(2, 7).percent == 29
    assert Rate(0, 0).percent is None


def test_pooling_adds_numerators_and_denominators_instead_of_averaging_percentages() -> None:
    # reference/trial-domain.md: 100 start; one leaves for a job in each of 11 months, then 89 leave
    # without work. The average of the monthly rates is 91.7 %; the truth is 11 %.
    months = [Completion(randomized=1, completed=1)] * 11 + [Completion(randomized=89, missed=89)]
    assert sum(m.returned.percent for m in months) / len(months) == pytest.approx(91.7, abs=0.05)
    total = pooled(months)
    assert (total.completed, total.randomized, total.returned.percent) == (11, 100, 11)


def test_month_ends_run_to_the_cut_off_and_end_on_it() -> None:
    assert month_ends(date(2013, 11, 10), date(2014, 2, 15)) == [
        date(2013, 11, 30), date(2013, 12, 31), date(2014, 1, 31), date(2014, 2, 15)]
    assert month_ends(date(2014, 1, 5), date(2014, 1, 31)) == [date(2014, 1, 31)]
    assert month_ends(date(2014, 1, 5), date(2014, 2, 28)) == [date(2014, 1, 31), date(2014, 2, 28)]


def test_the_ips_trial_reproduces_the_published_numbers() -> None:
    design, screenings, participants = ips_trial()
    cells = followup_completion(design, participants, AS_OF)
    ips_6m = pooled(c for (_site, arm), c in cells["6m"].items() if arm == "ips")
    assert (ips_6m.completed, ips_6m.randomized, ips_6m.returned.percent) == (115, 229, 50)
    control_12m = pooled(c for (_site, arm), c in cells["12m"].items() if arm == "control")
    assert (control_12m.completed, control_12m.randomized) == (75, 181)
    periods = allocations_by_period(design, participants, AS_OF)
    assert periods["start-up"]["ips"] == 80 and periods["main"]["ips"] == 149
    groups = decliners_and_participants(screenings, AS_OF)
    assert (groups["declined"].total, groups["randomized"].total) == (15, 410)


def test_follow_up_cells_agree_with_the_consort_flow_state_by_state() -> None:
    design, screenings, participants = ips_trial()
    flow = consort(design, screenings, participants, as_of=AS_OF)
    cells = followup_completion(design, participants, AS_OF)
    for timepoint in design.timepoints:
        for arm in ("ips", "control"):
            total = pooled(c for (_site, a), c in cells[timepoint].items() if a == arm)
            counted = flow["arms"][arm]["followup"][timepoint]
            assert {state: getattr(total, state) for state in counted} == counted
            assert total.randomized == flow["arms"][arm]["allocated"]
    for cell in cells["12m"].values():
        assert cell.completed + cell.missed + cell.left + cell.pending == cell.randomized


def test_cumulative_recruitment_counts_each_site_by_each_day() -> None:
    design, _screenings, participants = ips_trial()
    days = [date(2013, 10, 31), date(2014, 2, 1), date(2014, 10, 31)]
    series = cumulative_randomized(participants, SITES, days)
    assert sum(counts[-1] for counts in series.values()) == 410
    assert all(a <= b <= c for a, b, c in series.values())
    in_start_up = sum(1 for p in participants if p.randomized_on <= date(2014, 2, 1))
    assert sum(counts[1] for counts in series.values()) == in_start_up


def test_age_is_summarised_by_median_and_inclusive_quartiles() -> None:
    summary = age_summary([19, 22, 24, 34, 44, 54], missing=1)
    assert (summary.known, summary.missing, summary.median, summary.q1, summary.q3) == (6, 1, 29, 22.5, 41.5)
    assert age_summary([40], missing=0).q1 == age_summary([40], missing=0).q3 == 40
    assert age_summary([], missing=3).median is None


def test_decliners_are_those_whose_refusal_was_recorded_by_the_cut_off() -> None:
    referred = date(2014, 1, 10)
    ended = date(2014, 1, 12)
    log = [Screening("a", "oslo", referred, "excluded", ended, "declined", None, "male", 1970),
           Screening("b", "oslo", referred, "excluded", date(2014, 2, 20), "declined", None, "female", 1990),
           Screening("c", "oslo", referred, "excluded", ended, "not-eligible", None, "female", 1990),
           Screening("d", "oslo", referred, "randomized", date(2014, 1, 11))]
    groups = decliners_and_participants(log, as_of=date(2014, 1, 31))
    declined, randomized = groups["declined"], groups["randomized"]
    assert (declined.total, declined.sex["male"], declined.age.median) == (1, 1, 44)
    assert (randomized.total, randomized.sex["not-recorded"], randomized.age.missing) == (1, 1, 1)
    assert declined.sex_rate("male") == Rate(1, 1)


def test_a_participant_randomised_after_the_cut_off_is_not_counted() -> None:
    design, _screenings, _participants = ips_trial()
    late = Participant("x", "oslo", "ips", "main", date(2014, 5, 1),
                       visits=(Visit("6m", date(2014, 12, 12)), Visit("12m", date(2015, 6, 12))))
    assert followup_completion(design, [late], date(2014, 4, 30)) == {"6m": {}, "12m": {}}
