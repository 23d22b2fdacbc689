"""The IPS trial's published flow, rebuilt from participant-level records."""
from __future__ import annotations

import json
from datetime import date

from trial.consort import consort, participant_flow

from .ips_records import AS_OF, ips_trial

IPS_ARM = {"allocated": 229,
           "by_period": {"start-up": 80, "main": 149},
           "discontinued_intervention": {"total": 0, "reasons": {}},
           "followup": {
               "6m": {"completed": 115, "missed": 110, "withdrawn": 2, "died": 2, "lost": 0, "pending": 0},
               "12m": {"completed": 105, "missed": 118, "withdrawn": 3, "died": 3, "lost": 0, "pending": 0}},
           "analysed": {"6m": 115, "12m": 105}}
CONTROL_ARM = {"allocated": 181,
               "by_period": {"start-up": 40, "main": 141},
               "discontinued_intervention": {"total": 0, "reasons": {}},
               "followup": {
                   "6m": {"completed": 78, "missed": 101, "withdrawn": 2, "died": 0, "lost": 0, "pending": 0},
                   "12m": {"completed": 75, "missed": 103, "withdrawn": 2, "died": 0, "lost": 1,
                           "pending": 0}},
               "analysed": {"6m": 78, "12m": 75}}
PUBLISHED = {"as_of": "2016-04-30",
             "assessed": 429,
             "excluded": {"total": 19, "not-eligible": 1, "declined": 15, "other": 3,
                          "reasons": {"Insufficient Norwegian": 1, "Disability pension quarantine": 2,
                                      "Outside target group": 1, "Declined": 15}},
             "screening": 0,
             "randomized": 410,
             "arms": {"ips": IPS_ARM, "control": CONTROL_ARM}}


def test_the_published_flow_is_rebuilt_from_participant_records() -> None:
    design, screenings, participants = ips_trial()
    assert consort(design, screenings, participants, as_of=AS_OF) == PUBLISHED


def test_the_json_has_the_contract_keys_in_the_contract_order() -> None:
    result = consort(*ips_trial(), as_of=AS_OF)
    assert list(result) == ["as_of", "assessed", "excluded", "screening", "randomized", "arms"]
    assert list(result["excluded"])[:4] == ["total", "not-eligible", "declined", "other"]
    assert list(result["arms"]) == ["ips", "control"]
    arm = result["arms"]["ips"]
    assert list(arm) == ["allocated", "by_period", "discontinued_intervention", "followup", "analysed"]
    assert list(arm["followup"]["6m"]) == ["completed", "missed", "withdrawn", "died", "lost", "pending"]


def test_published_totals_reconcile() -> None:
    result = consort(*ips_trial(), as_of=AS_OF)
    arms = result["arms"].values()
    assert sum(arm["analysed"]["6m"] for arm in arms) == 193
    assert sum(arm["analysed"]["12m"] for arm in arms) == 180
    assert sum(arm["by_period"]["start-up"] for arm in arms) == 120
    assert sum(arm["followup"]["12m"]["died"] for arm in arms) == 3
    # Register outcomes were analysed for 408: everyone but the two early deaths.
    assert result["randomized"] - sum(arm["followup"]["6m"]["died"] for arm in arms) == 408


def test_the_same_records_give_byte_identical_json() -> None:
    first = json.dumps(consort(*ips_trial(), as_of=AS_OF))
    design, screenings, participants = ips_trial()
    again = json.dumps(consort(design, list(reversed(screenings)), list(reversed(participants)), as_of=AS_OF))
    assert first == again


def test_at_the_end_of_the_start_up_period_only_its_randomisations_count() -> None:
    result = consort(*ips_trial(), as_of=date(2014, 2, 1))
    assert result["randomized"] == 120
    assert result["arms"]["ips"]["by_period"] == {"start-up": 80, "main": 0}
    assert result["arms"]["control"]["by_period"] == {"start-up": 40, "main": 0}
    # No 6-month window has closed yet: nobody has completed or missed; only early leavers are not pending.
    for arm in result["arms"].values():
        six, twelve = arm["followup"]["6m"], arm["followup"]["12m"]
        assert six["completed"] == six["missed"] == 0
        assert six == twelve
        assert six["pending"] < arm["allocated"]
    assert result["assessed"] < 429


def test_registry_flow_matches_the_diagram() -> None:
    design, screenings, participants = ips_trial()
    flow = participant_flow(consort(design, screenings, participants, as_of=AS_OF), design)
    assert [g["id"] for g in flow["groups"]] == ["FG000", "FG001"]
    assert [p["title"] for p in flow["periods"]] == ["Randomization to 6 months", "6 months to 12 months"]
    first, second = flow["periods"]

    def milestone(period: dict, kind: str) -> list[int]:
        found = next(m for m in period["milestones"] if m["type"] == kind)
        return [int(a["numSubjects"]) for a in found["achievements"]]

    assert milestone(first, "STARTED") == [229, 181]
    assert milestone(first, "Randomized in start-up period (2:1)") == [80, 40]
    assert milestone(first, "Questionnaire returned at 6 months") == [115, 78]
    assert milestone(first, "NOT COMPLETED") == [4, 2]
    assert milestone(second, "STARTED") == milestone(first, "COMPLETED") == [225, 179]
    assert milestone(second, "NOT COMPLETED") == [2, 1]
    drops = {d["type"]: [int(r["numSubjects"]) for r in d["reasons"]] for d in second["dropWithdraws"]}
    assert drops == {"Withdrawal by Subject": [1, 0], "Death": [1, 0], "Lost to Follow-up": [0, 1]}
    assert "19 excluded before randomization" in flow["preAssignmentDetails"]
    json.dumps(flow)  # JSON-ready
