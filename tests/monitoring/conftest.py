"""A trial with a recruitment history built through the API, and pages signed in as each role."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial import accounts, clock
from trial.cli import add_member
from trial.extensions import db
from trial.models import Participant, Role, Site, Trial, Visit
from trial.protocol import load_file, store

from ..api.conftest import Api
from ..helpers import BASELINE, api_user, example_data, load_example, write_protocol

ELIGIBLE = {"in_treatment": True, "wants_work": True, "can_answer": True, "disability_waiting": False}


@pytest.fixture
def trial_app(app: Flask) -> Flask:
    load_example(app)
    return app


@pytest.fixture
def blinded_app(app: Flask, tmp_path: Path) -> Flask:
    """The example trial with `blinded = true`: site staff must not see arm-level results."""
    data = example_data()
    data["trial"]["blinded"] = True
    store(db.session, load_file(write_protocol(tmp_path, data)), actor="test", keyring=app.config["KEYRING"])
    db.session.commit()
    return app


def api_as(client: FlaskClient, role: str, sites: tuple[str, ...] = ()) -> Api:
    return Api(client, api_user(f"api-{role}-{'-'.join(sites) or 'all'}@example.org", role, sites=sites))


def sign_in(app: Flask, role: str, sites: tuple[str, ...] = (), language: str = "en") -> FlaskClient:
    """A browser signed in as a new member with `role`, as Flask-Login and the session guard expect it.

    Set straight into the session (the sign-in form and its second factor are tested elsewhere).
    """
    trial = db.session.scalars(select(Trial)).one()
    chosen = [s for s in trial.sites if s.code in sites]
    user, _password = add_member(f"{role}-{'-'.join(sites) or 'all'}@example.org", Role(role), trial, chosen)
    user.must_change_password = False
    db.session.commit()
    browser = app.test_client()
    now = clock.now().timestamp()
    with browser.session_transaction() as session:
        session.update({"_user_id": str(user.id), "_fresh": True, "signed_in_at": now, "seen": now,
                        "stamp": accounts.session_stamp(user), "language": language})
    return browser


@dataclass
class History:
    """What the API was told, to check the pages against."""

    arms: dict[str, str] = field(default_factory=dict)          # participant code -> arm
    sites: dict[str, str] = field(default_factory=dict)         # participant code -> site
    returned_6m: set[str] = field(default_factory=set)           # participant codes


def enroll(api: Api, site: str, on: date, sex: str = "female",
           birth_year: int | None = 1985) -> tuple[str, str]:
    """Referral to randomisation on one day; returns (participant code, arm)."""
    with time_machine.travel(on, tick=True):
        day = on.isoformat()
        status, body, _ = api.post("/screenings", {"site": site, "referred_on": day, "sex": sex,
                                                   **({"birth_year": birth_year} if birth_year else {})})
        assert status == 201, body
        sid = body["id"]
        assert api.post(f"/screenings/{sid}/eligibility", {"answers": ELIGIBLE})[1]["eligible"] is True
        assert api.post(f"/screenings/{sid}/consent", {"version": "v1", "consented_on": day,
                                                        "name": "Kari Nordmann"})[0] == 200
        assert api.post(f"/screenings/{sid}/baseline", {"responses": BASELINE})[0] == 200
        status, body, _ = api.post(f"/screenings/{sid}/randomize")
        assert status == 201, body
        return body["participant_id"], body["arm"]


def exclude(api: Api, site: str, on: date, category: str, reason: str, sex: str | None = None,
            birth_year: int | None = None) -> None:
    with time_machine.travel(on, tick=True):
        person = {k: v for k, v in (("sex", sex), ("birth_year", birth_year)) if v is not None}
        _, body, _ = api.post("/screenings", {"site": site, "referred_on": on.isoformat(), **person})
        status, body, _ = api.post(f"/screenings/{body['id']}/exclusion",
                                   {"category": category, "reason": reason})
        assert status == 200, body


def refer(api: Api, site: str, on: date) -> None:
    with time_machine.travel(on, tick=True):
        assert api.post("/screenings", {"site": site, "referred_on": on.isoformat()})[0] == 201


def return_questionnaire(code: str, timepoint: str, on: date) -> None:
    """Mark a follow-up questionnaire returned (the responses API belongs to the follow-up feature)."""
    visit = db.session.scalars(select(Visit).join(Participant).where(Participant.code == code,
                                                                     Visit.timepoint == timepoint)).one()
    visit.completed_on, visit.status = on, "completed"
    db.session.commit()


STARTUP, MAIN = date(2014, 1, 10), date(2014, 3, 5)
AS_OF = "2014-09-30"   # 6-month windows of January have closed; those of March are still open


def build_history(api: Api) -> History:
    """13 referrals at three sites; 7 randomised (4 in the 2:1 start-up period), 5 not included, 1 screening.

    Returned at 6 months: one at Bergen (of 4), one at Oslo (of 1), none at Hadeland (of 2, windows open).
    """
    history = History()
    for site, sex, born in (("bergen", "female", 1980), ("bergen", "male", 1990), ("bergen", "female", 1970),
                            ("oslo", "male", 1960)):
        code, arm = enroll(api, site, STARTUP, sex, born)
        history.arms[code], history.sites[code] = arm, site
    exclude(api, "oslo", STARTUP, "declined", "Declined", "female", 1990)
    exclude(api, "oslo", STARTUP, "declined", "Not interested now", "male", 1970)
    for site, sex, born in (("bergen", "other", None), ("hadeland", "female", 1992),
                            ("hadeland", "male", 1995)):
        code, arm = enroll(api, site, MAIN, sex, born)
        history.arms[code], history.sites[code] = arm, site
    exclude(api, "bergen", MAIN, "declined", "Declined", "male")
    exclude(api, "bergen", MAIN, "not-eligible", "Outside target group")
    exclude(api, "oslo", MAIN, "other", "Insufficient Norwegian")
    refer(api, "hadeland", MAIN)
    bergen = [c for c, s in history.sites.items() if s == "bergen"]
    oslo = [c for c, s in history.sites.items() if s == "oslo"]
    return_questionnaire(bergen[0], "6m", date(2014, 7, 15))
    return_questionnaire(oslo[0], "6m", date(2014, 7, 20))
    history.returned_6m = {bergen[0], oslo[0]}
    return history


@pytest.fixture
def history(trial_app: Flask, client: FlaskClient) -> History:
    return build_history(api_as(client, "coordinator", ("bergen", "oslo", "hadeland")))


@pytest.fixture
def page(trial_app: Flask) -> Callable[..., FlaskClient]:
    def make(role: str, sites: tuple[str, ...] = (), language: str = "en") -> FlaskClient:
        return sign_in(trial_app, role, sites, language)
    return make


def site_ids(*codes: str) -> list[int]:
    return [s.id for s in db.session.scalars(select(Site).where(Site.code.in_(codes)))]
