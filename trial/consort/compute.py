"""The CONSORT flow counted from participant-level records as of a cut-off date.

Rules (interfaces.md section 6; reference section 4):

Enrolment
- Only screenings referred on or before `as_of` count; `assessed` is their number.
- A screening that ended (excluded or randomised) after `as_of` is still `screening`.
- Each excluded screening counts under its category and under its reason; a screening without a
  reason counts under its category's default label (DEFAULT_REASONS, e.g. "Declined").
- `randomized` counts screenings whose randomisation ended them on or before `as_of`; it must
  equal the participants randomised on or before `as_of` (checked as K3, so screening log and
  participant records that disagree fail loudly instead of publishing).

Arms
- Participants randomised on or before `as_of` count in the arm and period they were allocated
  to (never the treatment received); every arm and period of the design appears, zeros included.
- `discontinued_intervention`: participants whose earliest withdrawal from the intervention only
  is on or before `as_of`, by that withdrawal's reason. They stay in follow-up (intention to
  treat) and are never subtracted from any follow-up state.

Follow-up, for each arm and follow-up timepoint, each participant is exactly one of:
1. `completed`: the questionnaire was completed on or before `as_of`;
2. else `withdrawn` / `died` / `lost`: the participant left follow-up on or before the window's
   `closes_on` and on or before `as_of`. Leaving follow-up is withdrawn-follow-up or withdrawn-all
   (both `withdrawn`), died, or lost-to-follow-up; the earliest such departure wins, and on a tie
   the more definitive one (died, then withdrawn-all, withdrawn-follow-up, lost);
3. else `missed`: the window closed before `as_of` with no questionnaire (still in the study);
4. else `pending`: the window closes on or after `as_of`.
Leaving is permanent: once counted withdrawn/died/lost at a timepoint, a participant stays in that
state at every later timepoint (even if a later questionnaire was recorded), so those counts are
cumulative and never decrease. `analysed[tp]` is `completed` at that timepoint.

Optional `site` restricts both screenings and participants to that site.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from .invariants import EXCLUSION_CATEGORIES, FOLLOWUP_STATES, check_invariants
from .records import Departure, FlowDesign, Participant, Screening

DEFAULT_REASONS = {"not-eligible": "Not meeting inclusion criteria", "declined": "Declined",
                   "other": "Other reasons"}
NO_REASON_GIVEN = "No reason given"
LEAVING_STATE = {"withdrawn-follow-up": "withdrawn", "withdrawn-all": "withdrawn", "died": "died",
                 "lost-to-follow-up": "lost"}
# Same-day departures: report the most definitive one.
_TIE_ORDER = ("died", "withdrawn-all", "withdrawn-follow-up", "lost-to-follow-up")


def consort(design: FlowDesign, screenings: Iterable[Screening], participants: Iterable[Participant], *,
            as_of: date, site: str | None = None) -> dict[str, Any]:
    """The CONSORT JSON of interfaces.md section 6, counted as of `as_of` (optionally for one site).

    Raises ValueError for records that do not fit the design, and ConsortInvariantError if the
    counts do not reconcile (for example a randomised screening without its participant record).
    """
    screenings = [s for s in screenings if site is None or s.site == site]
    randomized = [p for p in participants if (site is None or p.site == site) and p.randomized_on <= as_of]
    _check_against_design(design, randomized)
    result: dict[str, Any] = {"as_of": as_of.isoformat(), **enrollment(screenings, as_of)}
    result["arms"] = {arm.code: _arm(design, [p for p in randomized if p.arm == arm.code], as_of)
                      for arm in design.arms}
    check_invariants(result)
    return result


def screening_state(screening: Screening, as_of: date) -> str | None:
    """`screening`, `excluded` or `randomized` as seen on `as_of`; None if not yet referred."""
    if screening.referred_on > as_of:
        return None
    if screening.ended_on is None or screening.ended_on > as_of:
        return "screening"
    return screening.status


def enrollment(screenings: Sequence[Screening], as_of: date) -> dict[str, Any]:
    """The assessed/excluded/screening/randomized part of the result."""
    states = [(s, screening_state(s, as_of)) for s in screenings]
    referred = [(s, state) for s, state in states if state is not None]
    excluded = [s for s, state in referred if state == "excluded"]
    tally = Counter(state for _, state in referred)
    return {
        "assessed": len(referred),
        "excluded": {"total": len(excluded),
                     **{c: sum(1 for s in excluded if s.category == c) for c in EXCLUSION_CATEGORIES},
                     "reasons": _exclusion_reasons(excluded)},
        "screening": tally["screening"],
        "randomized": tally["randomized"],
    }


def _exclusion_reasons(excluded: Sequence[Screening]) -> dict[str, int]:
    # Ordered by category, then most frequent first, then by name, so the JSON is byte-stable.
    reasons: dict[str, int] = {}
    for category in EXCLUSION_CATEGORIES:
        default = DEFAULT_REASONS[category]
        counts = Counter(_reason(s.reason, default) for s in excluded if s.category == category)
        for reason, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            reasons[reason] = reasons.get(reason, 0) + n
    return reasons


def _reason(text: str | None, default: str) -> str:
    return (text or "").strip() or default


def _check_against_design(design: FlowDesign, participants: Sequence[Participant]) -> None:
    arms = {a.code for a in design.arms}
    periods = {p.name for p in design.periods}
    repeated = sorted(pid for pid, n in Counter(p.id for p in participants).items() if n > 1)
    if repeated:
        # The same person twice would be counted twice, in one arm or in two.
        raise ValueError(f"participants listed more than once: {repeated}")
    for p in participants:
        if p.arm not in arms:
            raise ValueError(f"participant {p.id}: arm {p.arm!r} is not in the design")
        if p.period not in periods:
            raise ValueError(f"participant {p.id}: allocation period {p.period!r} is not in the design")
        for timepoint in design.timepoints:
            p.visit(timepoint)  # raises when the schedule lacks a timepoint


def _arm(design: FlowDesign, members: Sequence[Participant], as_of: date) -> dict[str, Any]:
    by_period = Counter(p.period for p in members)
    followup = {tp: dict.fromkeys(FOLLOWUP_STATES, 0) for tp in design.timepoints}
    for participant in members:
        for timepoint, state in followup_states(design, participant, as_of).items():
            followup[timepoint][state] += 1
    return {
        "allocated": len(members),
        "by_period": {period.name: by_period[period.name] for period in design.periods},
        "discontinued_intervention": _discontinued(members, as_of),
        "followup": followup,
        "analysed": {tp: states["completed"] for tp, states in followup.items()},
    }


def _discontinued(members: Sequence[Participant], as_of: date) -> dict[str, Any]:
    reasons: Counter[str] = Counter()
    for participant in members:
        stops = [d for d in participant.departures if d.kind == "withdrawn-intervention" and d.on <= as_of]
        if stops:
            reasons[_reason(min(stops, key=lambda d: d.on).reason, NO_REASON_GIVEN)] += 1
    return {"total": sum(reasons.values()),
            "reasons": dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))}


def left_follow_up(participant: Participant, as_of: date) -> Departure | None:
    """The departure that ended follow-up, if one happened on or before `as_of`."""
    leaving = [d for d in participant.departures if d.kind in LEAVING_STATE and d.on <= as_of]
    return min(leaving, key=lambda d: (d.on, _TIE_ORDER.index(d.kind)), default=None)


def followup_states(design: FlowDesign, participant: Participant, as_of: date) -> dict[str, str]:
    """The follow-up state of one participant at each timepoint of the design, in order."""
    left = left_follow_up(participant, as_of)
    states: dict[str, str] = {}
    gone: str | None = None
    for timepoint in design.timepoints:
        visit = participant.visit(timepoint)
        state = gone or _state(visit.completed_on, visit.closes_on, left, as_of)
        if state in ("withdrawn", "died", "lost"):
            gone = state
        states[timepoint] = state
    return states


def _state(completed_on: date | None, closes_on: date, left: Departure | None, as_of: date) -> str:
    if completed_on is not None and completed_on <= as_of:
        return "completed"
    if left is not None and left.on <= closes_on:
        return LEAVING_STATE[left.kind]
    return "missed" if closes_on < as_of else "pending"
