"""The CONSORT flow as a ClinicalTrials.gov results participant flow (API v2 participantFlowModule).

Registry periods are sequential stages each participant passes through, so they are the follow-up
intervals: "Randomization to 6 months", "6 months to 12 months". The allocation periods (2:1 then
1:1) are not stages anyone passes through one after the other; they appear as extra milestones of
the first period, one per allocation period, which sum to STARTED. In each period:
- STARTED: still in the study at the start (allocated, less those who left in earlier periods);
- COMPLETED: still in the study at the timepoint, questionnaire returned or not;
- NOT COMPLETED: left during the period, split in dropWithdraws by "Withdrawal by Subject",
  "Death" and "Lost to Follow-up" (the period's increase in the cumulative CONSORT counts).
Counts are strings, as in the registry's JSON. Built from a `consort()` result, so the registry
report and the diagram cannot disagree.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .labels import Labels
from .records import FlowDesign

DROP_TYPES = (("withdrawn", "Withdrawal by Subject"), ("died", "Death"), ("lost", "Lost to Follow-up"))
_EN = Labels("2010", "en")  # registries are reported in English


def participant_flow(result: Mapping[str, Any], design: FlowDesign) -> dict[str, Any]:
    """A JSON-ready participantFlowModule for a `consort()` result."""
    arms = [result["arms"][arm.code] for arm in design.arms]
    groups = [{"id": _group_id(i), "title": arm.label, "description": f"Randomized to {arm.label}."}
              for i, arm in enumerate(design.arms)]
    periods = []
    before = [dict.fromkeys(("withdrawn", "died", "lost"), 0) for _ in arms]
    start = "Randomization"
    for i, timepoint in enumerate(design.timepoints):
        now = [{state: arm["followup"][timepoint][state] for state, _ in DROP_TYPES} for arm in arms]
        title = f"{start} to {_EN.timepoint(timepoint)}"
        periods.append(_period(title, design, arms, before, now, timepoint, first=i == 0))
        before, start = now, _EN.timepoint(timepoint)
    return {
        "recruitmentDetails": _recruitment(result, design),
        "preAssignmentDetails": _pre_assignment(result),
        "typeUnitsAnalyzed": "Participants",
        "groups": groups,
        "periods": periods,
    }


def _group_id(index: int) -> str:
    return f"FG{index:03d}"


def _per_group(counts: list[int], comments: list[str] | None = None) -> list[dict[str, str]]:
    """One count per group, as the registry writes them (strings), with an optional comment each."""
    rows = []
    for i, n in enumerate(counts):
        row = {"groupId": _group_id(i), "numSubjects": str(n)}
        if comments and comments[i]:
            row["comment"] = comments[i]
        rows.append(row)
    return rows


def _milestone(kind: str, counts: list[int], comments: list[str] | None = None) -> dict[str, Any]:
    return {"type": kind, "achievements": _per_group(counts, comments)}


def _period(title: str, design: FlowDesign, arms: list[Mapping[str, Any]], before: list[dict[str, int]],
            now: list[dict[str, int]], timepoint: str, *, first: bool) -> dict[str, Any]:
    started = [arm["allocated"] - sum(b.values()) for arm, b in zip(arms, before, strict=True)]
    left = [sum(n.values()) - sum(b.values()) for n, b in zip(now, before, strict=True)]
    milestones = [_milestone("STARTED", started)]
    if first:
        milestones += [_milestone(f"Randomized in {p.name} period ({p.ratio})",
                                  [arm["by_period"][p.name] for arm in arms]) for p in design.periods]
    pending = [arm["followup"][timepoint]["pending"] for arm in arms]
    milestones += [
        _milestone(f"Questionnaire returned at {_EN.timepoint(timepoint)}",
                   [arm["followup"][timepoint]["completed"] for arm in arms]),
        _milestone("COMPLETED", [s - gone for s, gone in zip(started, left, strict=True)],
                   [f"Includes {n} whose response window was still open." if n else "" for n in pending]),
        _milestone("NOT COMPLETED", left),
    ]
    drops = []
    for state, label in DROP_TYPES:
        counts = [n[state] - b[state] for n, b in zip(now, before, strict=True)]
        if any(counts):  # the registry lists only reasons that occurred
            drops.append({"type": label, "reasons": _per_group(counts)})
    return {"title": title, "milestones": milestones, "dropWithdraws": drops}


def _recruitment(result: Mapping[str, Any], design: FlowDesign) -> str:
    periods = "; ".join(
        f"{p.name} ({p.ratio}): {sum(arm['by_period'][p.name] for arm in result['arms'].values())}"
        for p in design.periods)
    return (f"Counts as of {result['as_of']}. {result['assessed']} referred and assessed for eligibility; "
            f"{result['randomized']} randomized. Randomized by allocation period: {periods}.")


def _pre_assignment(result: Mapping[str, Any]) -> str:
    excluded = result["excluded"]
    reasons = "; ".join(f"{reason}: {n}" for reason, n in excluded["reasons"].items())
    text = (f"{excluded['total']} excluded before randomization: not meeting inclusion criteria "
            f"{excluded['not-eligible']}, declined to participate {excluded['declined']}, other reasons "
            f"{excluded['other']}")
    text += f" ({reasons})." if reasons else "."
    if result["screening"]:
        text += f" {result['screening']} still in screening."
    return text
