"""In a blinded trial, site staff see no arm anywhere: not in answers, pages, the flow or the follow-up counts."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial.extensions import db
from trial.followups.dashboard import followup_overview
from trial.models import Trial, User
from trial.policy import access_to
from trial.protocol import load_file, store

from ..helpers import api_user, example_data, write_protocol
from .conftest import Api


def test_site_staff_of_a_blinded_trial_never_see_an_arm(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    data = example_data()
    data["trial"]["blinded"] = True
    store(db.session, load_file(write_protocol(tmp_path, data)), actor="test", keyring=app.config["KEYRING"])
    db.session.commit()
    coordinator = Api(client, api_user("c@example.org", "coordinator", sites=("bergen",)))
    statistician = Api(client, api_user("s@example.org", "unblinded-statistician"))
    with time_machine.travel(date(2014, 1, 15), tick=True):
        answer = coordinator.post(f"/screenings/{coordinator.enroll_ready()}/randomize")[1]
        assert answer["arm"] == "concealed"
        assert coordinator.get(f"/participants/{answer['participant_id']}")[1]["arm"] == "concealed"
        assert coordinator.get("/consort?site=bergen")[0] == 403
        assert statistician.get(f"/participants/{answer['participant_id']}")[0] == 403   # not a site role's page
        assert statistician.get("/consort")[1]["randomized"] == 1
        trial = db.session.scalars(select(Trial)).one()
        user = db.session.scalars(select(User).where(User.email == "c@example.org")).one()
        overview = followup_overview(access_to(user, trial.code))
    assert [g["arm"] for g in overview["groups"]] == ["all arms"]
    assert overview["groups"][0]["randomized"] == 1
