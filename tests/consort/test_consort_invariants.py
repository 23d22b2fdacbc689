"""Every contract invariant holds on random trial histories, and the checker catches each break."""
from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trial.consort import (
    ConsortInvariantError,
    Departure,
    FlowDesign,
    Participant,
    Screening,
    Visit,
    check_invariants,
    consort,
)
from trial.consort.records import DEPARTURE_KINDS

from .ips_records import AS_OF, ips_trial

START = date(2020, 1, 1)
SITES = ("s1", "s2", "s3")
REASONS = st.none() | st.sampled_from(["Moved", "Too ill", " ", "Declined"])
LEAVING = {"withdrawn-follow-up", "withdrawn-all", "died", "lost-to-follow-up"}
STATES = ("completed", "missed", "withdrawn", "died", "lost", "pending")


@st.composite
def designs(draw: st.DrawFn) -> FlowDesign:
    timepoints = tuple(f"{6 * (i + 1)}m" for i in range(draw(st.integers(1, 3))))
    return FlowDesign(arms=tuple((f"arm{i}", f"Arm {i}") for i in range(draw(st.integers(2, 3)))),
                      periods=(("start-up", "2:1"), ("main", "1:1"))[:draw(st.integers(1, 2))],
                      timepoints=timepoints, primary_timepoint=draw(st.none() | st.sampled_from(timepoints)))


@st.composite
def participants(draw: st.DrawFn, design: FlowDesign, pid: str, site: str, on: date) -> Participant:
    departures = tuple(Departure(kind, on + timedelta(days=offset), reason) for kind, offset, reason in draw(
        st.lists(st.tuples(st.sampled_from(DEPARTURE_KINDS), st.integers(0, 500), REASONS), max_size=3)))
    visits = []
    for k, timepoint in enumerate(design.timepoints):
        closes_on = on + timedelta(days=180 * (k + 1) + 42)
        answered = draw(st.none() | st.integers(-60, 20))
        completed_on = None if answered is None else closes_on + timedelta(days=answered)
        visits.append(Visit(timepoint, closes_on, completed_on))
    return Participant(pid, site, draw(st.sampled_from([a.code for a in design.arms])),
                       draw(st.sampled_from([p.name for p in design.periods])), on, departures, tuple(visits))


@st.composite
def histories(draw: st.DrawFn) -> tuple[FlowDesign, list[Screening], list[Participant], date]:
    """A design, its screening log and participants, and a cut-off anywhere from before to after it all."""
    design = draw(designs())
    screenings, people = [], []
    for i in range(draw(st.integers(0, 25))):
        site = draw(st.sampled_from(SITES))
        referred = START + timedelta(days=draw(st.integers(0, 300)))
        status = draw(st.sampled_from(["screening", "excluded", "randomized", "randomized"]))
        ended = None if status == "screening" else referred + timedelta(days=draw(st.integers(0, 60)))
        category = draw(st.sampled_from(["not-eligible", "declined", "other"])) if status == "excluded" \
            else None
        screenings.append(Screening(f"S{i}", site, referred, status, ended, category,
                                    draw(REASONS) if category else None))
        if status == "randomized" and ended is not None:
            people.append(draw(participants(design, f"P{i}", site, ended)))
    as_of = START + timedelta(days=draw(st.integers(-10, 1300)))
    return design, screenings, people, as_of


def assert_contract_invariants(result: dict[str, Any], design: FlowDesign) -> None:
    """The contract's invariants, written out again here rather than trusting check_invariants."""
    excluded = result["excluded"]
    assert result["assessed"] == excluded["total"] + result["screening"] + result["randomized"]
    assert excluded["not-eligible"] + excluded["declined"] + excluded["other"] == excluded["total"]
    assert sum(excluded["reasons"].values()) == excluded["total"]
    assert result["randomized"] == sum(arm["allocated"] for arm in result["arms"].values())
    assert list(result["arms"]) == [a.code for a in design.arms]
    for arm in result["arms"].values():
        assert list(arm["by_period"]) == [p.name for p in design.periods]
        assert sum(arm["by_period"].values()) == arm["allocated"]
        assert list(arm["followup"]) == list(design.timepoints)
        for timepoint, counts in arm["followup"].items():
            assert sum(counts[s] for s in STATES) == arm["allocated"]
            assert arm["analysed"][timepoint] == counts["completed"]
        for earlier, later in itertools.pairwise(design.timepoints):
            for state in ("withdrawn", "died", "lost"):
                assert arm["followup"][earlier][state] <= arm["followup"][later][state]
        stopped = arm["discontinued_intervention"]
        assert stopped["total"] <= arm["allocated"]
        assert sum(stopped["reasons"].values()) == stopped["total"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_every_invariant_holds_on_any_history(history: tuple) -> None:
    design, screenings, people, as_of = history
    result = consort(design, screenings, people, as_of=as_of)
    assert_contract_invariants(result, design)
    counted = [p for p in people if p.randomized_on <= as_of]
    assert result["assessed"] == sum(s.referred_on <= as_of for s in screenings)
    for code, arm in result["arms"].items():
        members = [p for p in counted if p.arm == code]
        stopped = [p for p in members if any(d.kind == "withdrawn-intervention" and d.on <= as_of
                                             for d in p.departures)]
        leavers = [p for p in members if any(d.kind in LEAVING and d.on <= as_of for d in p.departures)]
        # Discontinuing the intervention is counted, but never as leaving follow-up.
        assert arm["discontinued_intervention"]["total"] == len(stopped)
        for counts in arm["followup"].values():
            assert counts["withdrawn"] + counts["died"] + counts["lost"] <= len(leavers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_the_sites_add_up_to_the_trial(history: tuple) -> None:
    design, screenings, people, as_of = history
    whole = consort(design, screenings, people, as_of=as_of)
    parts = [consort(design, screenings, people, as_of=as_of, site=site) for site in SITES]
    assert whole["assessed"] == sum(p["assessed"] for p in parts)
    assert whole["randomized"] == sum(p["randomized"] for p in parts)
    for key in ("total", "not-eligible", "declined", "other"):
        assert whole["excluded"][key] == sum(p["excluded"][key] for p in parts)
    for code, arm in whole["arms"].items():
        for timepoint, counts in arm["followup"].items():
            for state, n in counts.items():
                assert n == sum(p["arms"][code]["followup"][timepoint][state] for p in parts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(1, 400))
def test_a_later_cut_off_never_loses_anyone(history: tuple, days: int) -> None:
    design, screenings, people, as_of = history
    before = consort(design, screenings, people, as_of=as_of)
    after = consort(design, screenings, people, as_of=as_of + timedelta(days=days))
    for key in ("assessed", "randomized"):
        assert before[key] <= after[key]
    assert before["excluded"]["total"] <= after["excluded"]["total"]
    for code, arm in before["arms"].items():
        assert arm["allocated"] <= after["arms"][code]["allocated"]
        for timepoint, counts in arm["followup"].items():
            assert counts["completed"] <= after["arms"][code]["followup"][timepoint]["completed"]


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def change(result: dict) -> None:
        *parents, last = path.split("/")
        target = result
        for key in parents:
            target = target[key]
        target[last] = value(target[last]) if callable(value) else value
    return change


@pytest.mark.parametrize(("change", "invariant"), [
    (_set("assessed", lambda n: n + 1), "K1"),
    (_set("excluded/declined", lambda n: n - 1), "K2"),
    (_set("excluded/reasons/Declined", lambda n: n + 1), "K2"),
    (_set("arms/ips/allocated", lambda n: n + 1), "K3"),
    (_set("arms/ips/by_period/main", lambda n: n + 1), "K3"),
    (_set("arms/control/followup/6m/missed", lambda n: n + 1), "F1"),
    (_set("arms/control/followup/12m", lambda c: {**c, "withdrawn": 1, "missed": c["missed"] + 1}), "F2"),
    (_set("arms/ips/analysed/12m", lambda n: n + 1), "K5"),
    (_set("arms/ips/discontinued_intervention", {"total": 230, "reasons": {"x": 230}}), "K6"),
    (_set("arms/ips/discontinued_intervention", {"total": 2, "reasons": {"x": 1}}), "K2"),
    (_set("screening", -1), "counts"),
    (_set("screening", True), "counts"),
    (_set("arms/control/followup", lambda f: dict(reversed(f.items()))), "timepoints"),
])
def test_the_checker_names_the_broken_invariant(change: Callable[[dict], None], invariant: str) -> None:
    result = consort(*ips_trial(), as_of=AS_OF)
    check_invariants(result)
    broken = copy.deepcopy(result)
    change(broken)
    with pytest.raises(ConsortInvariantError) as error:
        check_invariants(broken)
    assert error.value.invariant == invariant
    assert str(error.value).startswith(invariant + ":")
