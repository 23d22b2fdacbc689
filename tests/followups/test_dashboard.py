"""The follow-up numbers: n of N randomized per site and arm, contact history, who to phone."""
from __future__ import annotations

from datetime import date

import time_machine
from flask import Flask
from sqlalchemy import select

from trial.extensions import db
from trial.followups import contact_history, followup_overview, needs_phone_call
from trial.models import Participant
from trial.policy import access_to

from ..api.conftest import Api
from ..helpers import BASELINE
from .conftest import Mailbox, dispatch, morning, randomize
from .test_events import _user
from .test_responses import answer


def _arm(code: str) -> str:
    return db.session.scalars(select(Participant.arm).where(Participant.code == code)).one()


def test_counts_are_n_of_the_randomized_per_site_and_arm_with_zeros(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    kari = randomize(coordinator, email="kari@example.org")
    ola = randomize(coordinator, email="ola@example.org")
    per = randomize(coordinator, site="oslo")
    for day in (date(2014, 7, 1), date(2014, 7, 8), date(2014, 7, 15), date(2014, 7, 16)):
        dispatch(day)
    for instrument in BASELINE:
        answer(coordinator, kari, date(2014, 7, 16), instrument)
    with time_machine.travel(morning(date(2014, 7, 20)), tick=False):
        overview = followup_overview(access_to(_user("coordinator"), "ips-norway"))
    assert overview["as_of"] == "2014-07-20"
    groups = {(g["site"], g["arm"]): g for g in overview["groups"]}
    assert set(groups) == {(site, arm) for site in ("bergen", "oslo") for arm in ("ips", "control")}

    def count(site: str, name: str, timepoint: str = "6m") -> tuple[int, int]:
        """n and N summed over the site's arms; each cell names its denominator."""
        in_site = [g for (s, _), g in groups.items() if s == site]
        cells = [g["timepoints"][timepoint][name] for g in in_site]
        assert [(c["of"], c["N"]) for c in cells] == [("randomized", g["randomized"]) for g in in_site]
        return sum(c["n"] for c in cells), sum(c["N"] for c in cells)

    assert count("bergen", "due") == (2, 2)
    assert count("bergen", "completed") == (1, 2)
    assert count("bergen", "open") == (1, 2) and count("bergen", "overdue") == (1, 2)   # Ola, due 07-15
    assert count("oslo", "due") == (1, 1) and count("oslo", "completed") == (0, 1)
    assert count("bergen", "due", "12m") == (0, 2)
    kari_group = groups["bergen", _arm(kari)]["timepoints"]["6m"]
    assert kari_group["completed"]["n"] == 1
    assert groups["bergen", _arm(ola)]["timepoints"]["6m"]["overdue"]["n"] == 1

    history = contact_history(access_to(_user("coordinator"), "ips-norway"), _participant(ola))
    assert [(h["timepoint"], h["kind"], h["status"], h["sent_at"][:10]) for h in history] == [
        ("6m", "invitation", "sent", "2014-07-01"), ("6m", "reminder", "sent", "2014-07-08"),
        ("6m", "reminder", "sent", "2014-07-15")]
    assert all("body" not in h and "recipient" not in h for h in history)
    assert "ola@" not in repr(history)
    with time_machine.travel(morning(date(2014, 7, 20)), tick=False):
        calls = needs_phone_call(access_to(_user("coordinator"), "ips-norway"))
    assert calls == [{"participant_id": per, "timepoint": "6m", "closes_on": "2014-08-26",
                      "why": "no e-mail address"}]


def _participant(code: str) -> Participant:
    return db.session.scalars(select(Participant).where(Participant.code == code)).one()
