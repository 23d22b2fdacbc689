"""The counting rules, one small history at a time."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from trial.consort import ConsortInvariantError, Departure, FlowDesign, Participant, Screening, Visit, consort

DESIGN = FlowDesign(arms=(("a", "Arm A"), ("b", "Arm B")), periods=(("p1", "2:1"), ("p2", "1:1")),
                    timepoints=("6m", "12m"), primary_timepoint="12m", trial_title="Test")
DAY0 = date(2020, 1, 1)
CLOSES_6M = DAY0 + timedelta(days=220)
CLOSES_12M = DAY0 + timedelta(days=400)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def person(pid: str = "P1", *, arm: str = "a", site: str = "s1", period: str = "p1", randomized: int = 0,
           departures: tuple[Departure, ...] = (), done_6m: int | None = None,
           done_12m: int | None = None) -> tuple[Screening, Participant]:
    """A screening randomised on day `randomized` and its participant; windows close on days 220 and 400."""
    on = day(randomized)
    visits = (Visit("6m", on + timedelta(days=220), None if done_6m is None else day(done_6m)),
              Visit("12m", on + timedelta(days=400), None if done_12m is None else day(done_12m)))
    return (Screening(f"S-{pid}", site, on - timedelta(days=5), "randomized", ended_on=on),
            Participant(pid, site, arm, period, on, departures, visits))


def flow(*people: tuple[Screening, Participant], as_of: date, extra: tuple[Screening, ...] = (),
         site: str | None = None) -> dict:
    screenings = [s for s, _ in people] + list(extra)
    return consort(DESIGN, screenings, [p for _, p in people], as_of=as_of, site=site)


def states(result: dict, arm: str = "a") -> dict[str, str]:
    """The single non-zero follow-up state per timepoint of a one-person arm."""
    followup = result["arms"][arm]["followup"]
    return {tp: next(s for s, n in counts.items() if n) for tp, counts in followup.items()}


def test_a_screening_that_ended_after_the_cut_off_is_still_screening() -> None:
    late = Screening("S9", "s1", day(0), "excluded", ended_on=day(30), category="declined")
    result = flow(as_of=day(10), extra=(late,))
    assert (result["assessed"], result["screening"], result["excluded"]["total"]) == (1, 1, 0)
    result = flow(as_of=day(30), extra=(late,))
    assert (result["screening"], result["excluded"]["declined"]) == (0, 1)


def test_a_missing_or_blank_reason_counts_under_its_categorys_default_label() -> None:
    extra = (Screening("S1", "s1", day(0), "excluded", ended_on=day(1), category="declined"),
             Screening("S2", "s1", day(0), "excluded", ended_on=day(1), category="not-eligible", reason="  "),
             Screening("S3", "s1", day(0), "excluded", ended_on=day(1), category="other", reason=" Moved "),
             Screening("S4", "s1", day(0), "excluded", ended_on=day(1), category="other"))
    excluded = flow(as_of=day(5), extra=extra)["excluded"]
    assert excluded["reasons"] == {"Not meeting inclusion criteria": 1, "Declined": 1, "Moved": 1,
                                   "Other reasons": 1}
    assert (excluded["not-eligible"], excluded["declined"], excluded["other"]) == (1, 1, 2)


def test_nothing_dated_after_the_cut_off_counts() -> None:
    future = Screening("S9", "s1", day(101), "screening")
    later = person("P2", randomized=101)
    withdrawn_later = person("P1", departures=(Departure("withdrawn-all", day(300)),), done_6m=250)
    result = flow(withdrawn_later, later, as_of=day(100), extra=(future,))
    # P2 was referred on day 96 but randomised on day 101: on day 100 still in screening.
    assert (result["assessed"], result["screening"], result["randomized"]) == (2, 1, 1)
    assert [result["arms"][a]["allocated"] for a in ("a", "b")] == [1, 0]
    assert states(result) == {"6m": "pending", "12m": "pending"}


def test_a_completion_counts_only_once_it_is_dated_on_or_before_the_cut_off() -> None:
    answered = person(done_6m=200)
    assert states(flow(answered, as_of=day(199)))["6m"] == "pending"
    assert states(flow(answered, as_of=day(200)))["6m"] == "completed"


def test_a_window_is_missed_only_once_it_has_closed_before_the_cut_off() -> None:
    assert states(flow(person(), as_of=CLOSES_6M))["6m"] == "pending"
    assert states(flow(person(), as_of=CLOSES_6M + timedelta(days=1))) == {"6m": "missed", "12m": "pending"}
    assert states(flow(person(), as_of=CLOSES_12M + timedelta(days=1))) == {"6m": "missed", "12m": "missed"}


def test_withdrawing_from_the_intervention_only_keeps_the_participant_in_follow_up() -> None:
    stopped = person(departures=(Departure("withdrawn-intervention", day(30), "Side effects"),), done_12m=380)
    result = flow(stopped, as_of=day(500))
    arm = result["arms"]["a"]
    assert arm["discontinued_intervention"] == {"total": 1, "reasons": {"Side effects": 1}}
    assert states(result) == {"6m": "missed", "12m": "completed"}
    assert arm["analysed"]["12m"] == 1


def test_an_intervention_withdrawal_without_a_reason_is_still_counted() -> None:
    stopped = person(departures=(Departure("withdrawn-intervention", day(30)),
                                 Departure("withdrawn-intervention", day(40), "Later record")))
    assert flow(stopped, as_of=day(50))["arms"]["a"]["discontinued_intervention"] == {
        "total": 1, "reasons": {"No reason given": 1}}


@pytest.mark.parametrize(("kind", "state"), [("withdrawn-follow-up", "withdrawn"),
                                             ("withdrawn-all", "withdrawn"), ("died", "died"),
                                             ("lost-to-follow-up", "lost")])
def test_leaving_before_the_window_closes_counts_there_and_at_every_later_timepoint(kind: str,
                                                                                    state: str) -> None:
    result = flow(person(departures=(Departure(kind, day(100)),)), as_of=day(500))
    assert states(result) == {"6m": state, "12m": state}
    assert result["arms"]["a"]["discontinued_intervention"]["total"] == 0


def test_leaving_after_a_window_closed_leaves_that_timepoint_missed() -> None:
    result = flow(person(departures=(Departure("died", day(300)),)), as_of=day(500))
    assert states(result) == {"6m": "missed", "12m": "died"}
    # Before the death, the 12-month window was simply open.
    assert states(flow(person(departures=(Departure("died", day(300)),)), as_of=day(299)))["12m"] == "pending"


def test_a_questionnaire_answered_before_leaving_counts_as_completed() -> None:
    withdrew = person(departures=(Departure("withdrawn-follow-up", day(210)),), done_6m=200)
    result = flow(withdrew, as_of=day(500))
    assert states(result) == {"6m": "completed", "12m": "withdrawn"}


def test_leaving_is_permanent_even_if_a_later_questionnaire_was_recorded() -> None:
    result = flow(person(departures=(Departure("died", day(100)),), done_12m=380), as_of=day(500))
    assert states(result) == {"6m": "died", "12m": "died"}


def test_the_earliest_departure_wins_and_death_wins_a_same_day_tie() -> None:
    earliest = person(departures=(Departure("died", day(150)), Departure("lost-to-follow-up", day(120))))
    assert states(flow(earliest, as_of=day(500)))["6m"] == "lost"
    tie = person(departures=(Departure("lost-to-follow-up", day(120)), Departure("died", day(120))))
    assert states(flow(tie, as_of=day(500)))["6m"] == "died"


def test_participants_count_in_their_allocated_arm_and_period() -> None:
    result = flow(person("P1", arm="a", period="p2"), person("P2", arm="b"), person("P3", arm="b"),
                  as_of=day(10))
    assert result["arms"]["a"]["by_period"] == {"p1": 0, "p2": 1}
    assert result["arms"]["b"]["by_period"] == {"p1": 2, "p2": 0}
    assert [result["arms"][a]["allocated"] for a in ("a", "b")] == [1, 2]


def test_the_site_filter_counts_only_that_sites_screenings_and_participants() -> None:
    people = (person("P1", site="s1"), person("P2", site="s2", arm="b"), person("P3", site="s2"))
    excluded = Screening("X1", "s2", day(0), "excluded", ended_on=day(1), category="declined")
    s2 = flow(*people, as_of=day(10), extra=(excluded,), site="s2")
    assert (s2["assessed"], s2["randomized"], s2["excluded"]["total"]) == (3, 2, 1)
    assert [s2["arms"][a]["allocated"] for a in ("a", "b")] == [1, 1]
    assert flow(*people, as_of=day(10), extra=(excluded,), site="elsewhere")["assessed"] == 0


def test_a_randomised_screening_without_its_participant_is_refused() -> None:
    screening, _ = person()
    with pytest.raises(ConsortInvariantError) as error:
        consort(DESIGN, [screening], [], as_of=day(10))
    assert error.value.invariant == "K3"


@pytest.mark.parametrize(("change", "message"), [
    ({"arm": "c"}, "arm 'c'"), ({"period": "p9"}, "period 'p9'"),
])
def test_records_outside_the_design_are_refused(change: dict, message: str) -> None:
    screening, participant = person()
    fields = {**participant.__dict__, **change}
    with pytest.raises(ValueError, match=message):
        consort(DESIGN, [screening], [Participant(**fields)], as_of=day(10))


def test_a_participant_listed_twice_is_refused() -> None:
    screening, participant = person()
    with pytest.raises(ValueError, match="more than once"):
        consort(DESIGN, [screening], [participant, participant], as_of=day(10))


def test_a_participant_without_a_visit_for_a_design_timepoint_is_refused() -> None:
    screening, participant = person()
    lacking = Participant("P1", "s1", "a", "p1", day(0), (), participant.visits[:1])
    with pytest.raises(ValueError, match="no visit for timepoint '12m'"):
        consort(DESIGN, [screening], [lacking], as_of=day(10))


@pytest.mark.parametrize("fields", [
    {"status": "excluded", "ended_on": day(1)},                       # no category
    {"status": "screening", "ended_on": day(1)},                      # open but ended
    {"status": "randomized"},                                         # ended without a date
    {"status": "excluded", "ended_on": day(-1), "category": "other"},  # ended before referral
    {"status": "excluded", "ended_on": day(1), "category": "bored"},
    {"status": "done", "ended_on": day(1)},
])
def test_malformed_screenings_are_refused_where_they_are_built(fields: dict) -> None:
    with pytest.raises(ValueError):
        Screening("S1", "s1", day(0), **fields)


def test_malformed_participants_and_designs_are_refused() -> None:
    with pytest.raises(ValueError, match="before randomisation"):
        Participant("P1", "s1", "a", "p1", day(10), (Departure("died", day(5)),))
    with pytest.raises(ValueError, match="more than one visit"):
        Participant("P1", "s1", "a", "p1", day(0), (), (Visit("6m", day(9)), Visit("6m", day(9))))
    with pytest.raises(ValueError, match="unknown departure"):
        Departure("vanished", day(0))
    with pytest.raises(ValueError, match="primary timepoint"):
        FlowDesign(arms=DESIGN.arms, periods=DESIGN.periods, timepoints=("6m",), primary_timepoint="12m")
    with pytest.raises(ValueError, match="duplicate arm"):
        FlowDesign(arms=(("a", "A"), ("a", "B")), periods=DESIGN.periods, timepoints=("6m",))
