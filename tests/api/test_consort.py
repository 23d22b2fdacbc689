"""The CONSORT flow from the trial's own records, as each role may see it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import time_machine
from sqlalchemy import func, select

from trial.extensions import db
from trial.models import Participant, Screening

from .conftest import Api


def _history(coordinator: Api) -> dict[str, str]:
    """Two referrals excluded, one still screening, three randomized (two in the start-up period)."""
    arms = {}
    with time_machine.travel(date(2014, 1, 20), tick=True):
        for site in ("bergen", "oslo"):
            sid = coordinator.enroll_ready(site, referred_on="2014-01-20")
            body = coordinator.post(f"/screenings/{sid}/randomize")[1]
            arms[body["participant_id"]] = body["arm"]
        _, s, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-20"})
        coordinator.post(f"/screenings/{s['id']}/exclusion", {"category": "declined", "reason": "Declined"})
        _, s, _ = coordinator.post("/screenings", {"site": "bergen", "referred_on": "2014-01-20"})
        coordinator.post(f"/screenings/{s['id']}/exclusion", {"category": "other", "reason": "Insufficient Norwegian"})
    with time_machine.travel(date(2014, 3, 3), tick=True):
        sid = coordinator.enroll_ready("bergen", referred_on="2014-03-03")
        body = coordinator.post(f"/screenings/{sid}/randomize")[1]
        arms[body["participant_id"]] = body["arm"]
        coordinator.post("/screenings", {"site": "bergen", "referred_on": "2014-03-03"})
    return arms


def test_the_flow_counts_the_screening_log_and_the_allocations(coordinator: Api,
                                                              as_role: Callable[..., Api]) -> None:
    arms = _history(coordinator)
    statistician = as_role("unblinded-statistician")
    status, flow, _ = statistician.get("/consort?as_of=2014-04-01")
    assert status == 200
    assert (flow["as_of"], flow["assessed"], flow["screening"], flow["randomized"]) == ("2014-04-01", 6, 1, 3)
    assert flow["excluded"] == {"total": 2, "not-eligible": 0, "declined": 1, "other": 1,
                                "reasons": {"Declined": 1, "Insufficient Norwegian": 1}}
    assert sum(a["allocated"] for a in flow["arms"].values()) == 3
    for code, arm in flow["arms"].items():
        assert arm["allocated"] == list(arms.values()).count(code)
        assert sum(arm["by_period"].values()) == arm["allocated"]
        assert arm["followup"]["6m"]["pending"] == arm["allocated"]
    assert db.session.scalar(select(func.count()).select_from(Screening)) == flow["assessed"]
    assert db.session.scalar(select(func.count()).select_from(Participant)) == flow["randomized"]


def test_a_cut_off_before_the_records_counts_nothing_after_it(coordinator: Api, as_role: Callable[..., Api]) -> None:
    _history(coordinator)
    _, flow, _ = as_role("statistician").get("/consort?as_of=2014-02-01")
    assert (flow["assessed"], flow["randomized"]) == (4, 2)
    assert all(sum(a["by_period"].values()) == a["allocated"] for a in flow["arms"].values())


def test_a_blinded_statistician_sees_only_masked_arms(coordinator: Api, as_role: Callable[..., Api]) -> None:
    _history(coordinator)
    _, flow, _ = as_role("statistician").get("/consort?as_of=2014-04-01")
    assert set(flow["arms"]) == {"Arm A", "Arm B"}
    _, svg, response = as_role("statistician").call("GET", "/consort.svg?as_of=2014-04-01")
    text = response.get_data(as_text=True)
    assert "Individual Placement" not in text and "usual follow-up" not in text
    assert "Arm A" in text


def test_a_coordinator_sees_the_flow_of_their_own_sites_only(coordinator: Api, as_role: Callable[..., Api]) -> None:
    _history(coordinator)
    status, flow, _ = coordinator.get("/consort?as_of=2014-04-01&site=bergen")
    assert status == 200 and flow["assessed"] == 4
    assert coordinator.get("/consort?as_of=2014-04-01")[0] == 403       # two sites: must choose one
    assert coordinator.get("/consort?site=elverum")[0] == 403
    single = as_role("coordinator", ("oslo",))
    _, flow, _ = single.get("/consort?as_of=2014-04-01")
    assert flow["assessed"] == 2


def test_the_diagram_is_served_as_svg_and_pdf_and_options_are_checked(coordinator: Api,
                                                                      as_role: Callable[..., Api]) -> None:
    _history(coordinator)
    statistician = as_role("unblinded-statistician")
    _, _, svg = statistician.call("GET", "/consort.svg?as_of=2014-04-01&labels=2025&lang=nb")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data[:300] and b"Randomisert" in svg.data
    _, _, pdf = statistician.call("GET", "/consort.pdf?as_of=2014-04-01")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert statistician.get("/consort.svg?labels=1999")[0] == 422
    assert statistician.get("/consort?as_of=yesterday")[0] == 422
    _, registry, _ = statistician.get("/consort/registry?as_of=2014-04-01")
    assert registry["groups"]


def test_the_flow_needs_a_token(client) -> None:  # noqa: ANN001
    response = client.get("/api/v1/trials/ips-norway/consort")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_masked_arms_do_not_follow_the_protocols_order(trial_app, as_role: Callable[..., Api]) -> None:  # noqa: ANN001
    from trial.masking import arm_masks
    from trial.models import Trial, User
    from trial.monitoring.flow import design
    from trial.policy import access_to
    from trial.protocol import current_protocol
    from trial.protocol.store import secret_context

    # A secret whose masks reverse the protocol's order (ips is "Arm B"), so protocol order would show.
    secret = bytes([1]) * 32
    assert arm_masks(secret, ("ips", "control")) == {"ips": "Arm B", "control": "Arm A"}
    trial = db.session.scalars(select(Trial)).one()
    trial.allocation_secret = trial_app.config["KEYRING"].encrypt(secret, secret_context(trial.code))
    db.session.commit()
    as_role("statistician")
    user = db.session.scalars(select(User).where(User.email.like("statistician%"))).first()
    flow_design = design(access_to(user, trial.code), current_protocol(trial))
    assert [a.code for a in flow_design.arms] == ["Arm A", "Arm B"]
    assert {p.ratio for p in flow_design.periods} == {"2:1", "1:1"}   # largest share first, naming no arm


def test_a_timepoint_added_by_amendment_is_scheduled_for_everyone_randomized(
        coordinator: Api, as_role: Callable[..., Api], trial_app, tmp_path) -> None:  # noqa: ANN001
    from trial.models import Visit
    from trial.protocol import load_file, store

    from ..helpers import example_data, write_protocol

    _history(coordinator)
    data = example_data()
    data["timepoints"].append({"code": "24m", "offset_months": 24, "window_days_before": 14,
                               "window_days_after": 42, "reminder_days": [7], "instruments": ["hads"]})
    store(db.session, load_file(write_protocol(tmp_path, data)), actor="test", keyring=trial_app.config["KEYRING"])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.timepoint == "24m")) == 3
    status, flow, _ = as_role("statistician").get("/consort?as_of=2014-04-01")
    assert status == 200 and all("24m" in arm["followup"] for arm in flow["arms"].values())


def test_free_text_reasons_are_counted_under_their_category_not_published(coordinator: Api,
                                                                          as_role: Callable[..., Api]) -> None:
    with time_machine.travel(date(2014, 1, 20), tick=True):
        _, s, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-20"})
        coordinator.post(f"/screenings/{s['id']}/exclusion",
                         {"category": "other", "reason": "Admitted to hospital, says Kari Nordmann"})
        _, s, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-20"})
        coordinator.post(f"/screenings/{s['id']}/exclusion", {"category": "other", "reason": "Insufficient Norwegian"})
    _, flow, response = as_role("statistician").get("/consort?as_of=2014-04-01")
    assert flow["excluded"]["reasons"] == {"Insufficient Norwegian": 1, "Other reasons": 1}
    assert "Kari" not in response.get_data(as_text=True)
