"""A browser-less coordinator: signed in through the session (as Flask-Login does) and driving the pages."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial.cli import add_member
from trial.extensions import db
from trial.models import Role, Screening, Site, Trial, User

from ..helpers import BASELINE, load_example

BASE = "/trials/ips-norway"
ALL_YES = {"c_in_treatment": "yes", "c_wants_work": "yes", "c_can_answer": "yes",
           "c_disability_waiting": "no"}


def _signed_in_session(user: User) -> dict[str, Any]:
    """What a completed sign-in adds besides Flask-Login's keys: the session guard in trial.accounts
    checks its start, last activity and a stamp of the account (the sign-in work owns it, so ask it)."""
    from trial import accounts, clock

    now = clock.now().timestamp()
    stamp = accounts.session_stamp
    return {"signed_in_at": now, "seen": now, **({"stamp": stamp(user)} if stamp else {})}


class Coordinator:
    """One staff member using the enrollment pages in one language."""

    def __init__(self, client: FlaskClient, user: User, language: str = "en") -> None:
        self.client, self.user, self.language = client, user, language

    def sign_in(self) -> Coordinator:
        with self.client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(self.user.id), True
            session.update(_signed_in_session(self.user), language=self.language)
        return self

    def get(self, path: str, **kw: Any):  # noqa: ANN201 - a test response
        return self.client.get(BASE + path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any):  # noqa: ANN201
        return self.client.post(BASE + path, data=data or {}, **kw)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def refer(self, site: str = "bergen", referred_on: str = "2014-01-02", **extra: Any) -> str:
        response = self.post("/screenings/new", {"site": site, "referred_on": referred_on, "sex": "female",
                                                 "birth_year": "1985", "source": "GP", **extra})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.location.rsplit("/", 1)[-1]

    def eligible(self, uid: str) -> None:
        assert self.post(f"/screenings/{uid}/eligibility", ALL_YES).status_code == 302

    def consent_page(self, uid: str) -> str:
        return self.page(f"/screenings/{uid}/consent")

    def consent(self, uid: str, path: str = "consent", **fields: Any):  # noqa: ANN201
        shown = f"{fields.get('version', 'v1')}/{fields.get('language', 'en')}"
        data = {"version": "v1", "language": "en", "shown": shown, "consented_on": "2014-01-02",
                "name": "Kari Nordmann", "method": "electronic", "signature": "Kari Nordmann",
                "record": "Record consent", **fields}
        return self.post(f"/screenings/{uid}/{path}", {k: v for k, v in data.items() if v is not None})

    def baseline(self, uid: str) -> None:
        """The baseline page is another engineer's; the service it calls is used directly."""
        from flask import g

        from trial.enrollment.baseline import record_baseline
        from trial.policy import access_to

        g.pop("protocols", None)
        screening = db.session.scalars(select(Screening).where(Screening.uid == uid)).one()
        record_baseline(access_to(self.user, "ips-norway"), screening, BASELINE)
        db.session.commit()

    def randomize_form(self, uid: str) -> tuple[str, str]:
        page = self.page(f"/screenings/{uid}/randomize")
        return page, re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)

    def ready(self, site: str = "bergen", referred_on: str = "2014-01-02", **consent: Any) -> str:
        uid = self.refer(site, referred_on)
        self.eligible(uid)
        response = self.consent(uid, consented_on=referred_on, **consent)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.baseline(uid)
        return uid

    def randomize(self, uid: str) -> str:
        _, key = self.randomize_form(uid)
        response = self.post(f"/screenings/{uid}/randomize", {"key": key, "go": "Randomize now"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.location.rsplit("/", 2)[-2]


@pytest.fixture
def trial_app(app: Flask) -> Flask:
    load_example(app)
    return app


@pytest.fixture
def staff(trial_app: Flask, client: FlaskClient) -> Callable[..., Coordinator]:
    """A signed-in member of the example trial: staff(role, sites, language)."""
    counter = iter(range(1000))

    def make(role: str = "coordinator", sites: tuple[str, ...] = ("bergen", "oslo"), language: str = "en",
             own_client: bool = False) -> Coordinator:
        trial = db.session.scalars(select(Trial)).one()
        chosen = [s for s in db.session.scalars(select(Site).where(Site.trial_id == trial.id))
                  if s.code in sites]
        user, _ = add_member(f"{role}{next(counter)}@example.org", Role(role), trial, chosen)
        user.must_change_password = False
        db.session.commit()
        browser = trial_app.test_client() if own_client else client
        return Coordinator(browser, user, language).sign_in()

    return make


@pytest.fixture
def coordinator(staff: Callable[..., Coordinator]) -> Coordinator:
    return staff()


@pytest.fixture(autouse=True)
def in_startup_period() -> Iterator[None]:
    """Every page test runs on 15 January 2014 (the 2:1 start-up period), from before sign-in on:
    a session cookie signed later than "now" is refused as from the future."""
    with time_machine.travel(date(2014, 1, 15), tick=True):
        yield
