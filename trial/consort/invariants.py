"""The arithmetic a CONSORT result must satisfy (reference section 4.3 K1-K6 and 4.4 F1-F2).

`check_invariants` reads only the result dict, so it can vet a result from anywhere (the API,
a stored snapshot) as well as guard `consort()` itself.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FOLLOWUP_STATES = ("completed", "missed", "withdrawn", "died", "lost", "pending")
# The states a participant cannot come back from: counted cumulatively, so never decreasing.
LEFT_STATES = ("withdrawn", "died", "lost")
EXCLUSION_CATEGORIES = ("not-eligible", "declined", "other")


class ConsortInvariantError(ValueError):
    """A CONSORT result whose numbers do not add up; `invariant` names the broken rule."""

    def __init__(self, invariant: str, detail: str) -> None:
        super().__init__(f"{invariant}: {detail}")
        self.invariant = invariant


def _require(ok: bool, invariant: str, detail: str) -> None:
    if not ok:
        raise ConsortInvariantError(invariant, detail)


def _counts(values: Iterable[Any], where: str) -> None:
    for value in values:
        # bool is an int subclass, but True is not a count.
        _require(isinstance(value, int) and not isinstance(value, bool) and value >= 0,
                 "counts", f"{where}: {value!r} is not a non-negative whole number")


def check_invariants(result: Mapping[str, Any]) -> None:
    """Raise ConsortInvariantError naming the first invariant `result` breaks; return None if all hold."""
    _check_enrollment(result)
    arms = result["arms"]
    allocated = sum(arm["allocated"] for arm in arms.values())
    _require(result["randomized"] == allocated, "K3",
             f"randomized ({result['randomized']}) != sum of allocated over arms ({allocated})")
    timepoints = [list(arm["followup"]) for arm in arms.values()]
    _require(all(t == timepoints[0] for t in timepoints), "timepoints",
             "every arm must report the same follow-up timepoints in the same order")
    for code, arm in arms.items():
        _check_arm(code, arm)


def _check_enrollment(result: Mapping[str, Any]) -> None:
    excluded = result["excluded"]
    _counts([result["assessed"], result["screening"], result["randomized"], excluded["total"]], "enrollment")
    _counts([excluded[c] for c in EXCLUSION_CATEGORIES], "excluded categories")
    _counts(excluded["reasons"].values(), "excluded reasons")
    parts = excluded["total"] + result["screening"] + result["randomized"]
    _require(result["assessed"] == parts, "K1",
             f"assessed ({result['assessed']}) != excluded + screening + randomized ({parts})")
    by_category = sum(excluded[c] for c in EXCLUSION_CATEGORIES)
    _require(by_category == excluded["total"], "K2",
             f"exclusion categories sum to {by_category}, not excluded.total ({excluded['total']})")
    by_reason = sum(excluded["reasons"].values())
    _require(by_reason == excluded["total"], "K2",
             f"exclusion reasons sum to {by_reason}, not excluded.total ({excluded['total']})")


def _check_arm(code: str, arm: Mapping[str, Any]) -> None:
    allocated = arm["allocated"]
    _counts([allocated, *arm["by_period"].values()], f"arm {code}")
    by_period = sum(arm["by_period"].values())
    _require(by_period == allocated, "K3",
             f"arm {code}: by_period sums to {by_period}, not allocated ({allocated})")
    discontinued = arm["discontinued_intervention"]
    _counts([discontinued["total"], *discontinued["reasons"].values()], f"arm {code} discontinued")
    _require(discontinued["total"] <= allocated, "K6",
             f"arm {code}: discontinued ({discontinued['total']}) exceeds allocated ({allocated})")
    by_reason = sum(discontinued["reasons"].values())
    _require(by_reason == discontinued["total"], "K2",
             f"arm {code}: discontinuation reasons sum to {by_reason}, not {discontinued['total']}")
    previous: Mapping[str, int] | None = None
    for timepoint, states in arm["followup"].items():
        _require(set(states) == set(FOLLOWUP_STATES), "F1",
                 f"arm {code} {timepoint}: states {sorted(states)}")
        _counts(states.values(), f"arm {code} {timepoint}")
        total = sum(states.values())
        _require(total == allocated, "F1",
                 f"arm {code} {timepoint}: follow-up states sum to {total}, not allocated ({allocated})")
        for state in LEFT_STATES:
            _require(previous is None or previous[state] <= states[state], "F2",
                     f"arm {code} {timepoint}: {state} fell from {previous and previous[state]} "
                     f"to {states[state]}")
        _require(arm["analysed"].get(timepoint) == states["completed"], "K5",
                 f"arm {code} {timepoint}: analysed ({arm['analysed'].get(timepoint)}) != completed "
                 f"({states['completed']})")
        previous = states
    _require(set(arm["analysed"]) == set(arm["followup"]), "K5", f"arm {code}: analysed timepoints differ")
