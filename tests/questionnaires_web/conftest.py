"""Builders for the questionnaire pages: a randomized participant with visits and a personal link,
a respondent driving /q/<token> with the test client, and signed-in staff."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial import clock
from trial.cli import add_member
from trial.extensions import db
from trial.forms.questionnaire import QuestionnaireForm, questionnaire_form
from trial.models import Participant, Role, Screening, Site, Trial, User, Visit
from trial.protocol import current_protocol
from trial.questionnaires import instrument_for
from trial.questionnaires_web import issue_link
from trial.schedule import plan_visits
from trial.sealing import seal

from ..conftest import RequestIsolatedClient
from ..helpers import load_example

BIRTH_DATE = date(1985, 3, 27)
# Randomized 2014-01-15: the 6m window is 2014-07-01 .. 2014-08-26 (Europe/Oslo).
IN_6M_WINDOW = datetime(2014, 7, 10, 10, 0, tzinfo=UTC)
RANDOMIZED_ON = date(2014, 1, 15)
_numbers = itertools.count(1)


@pytest.fixture
def trial_app(app: Flask) -> Flask:
    load_example(app)
    return app


@pytest.fixture
def in_window() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(IN_6M_WINDOW, tick=False) as traveller:
        yield traveller


def make_screening(*, site: str = "bergen", status: str = "randomized", language: str = "nb",
                   birth_date: date | None = BIRTH_DATE, birth_year: int | None = 1985,
                   trial_code: str = "ips-norway") -> Screening:
    trial = db.session.scalars(select(Trial).where(Trial.code == trial_code)).one()
    site_row = db.session.scalars(select(Site).where(Site.trial_id == trial.id, Site.code == site)).one()
    screening = Screening(trial_id=trial.id, site_id=site_row.id, referred_on=date(2014, 1, 2), sex="female",
                          birth_year=birth_year, status=status, language=language, created_at=clock.now(),
                          created_by="test")
    db.session.add(screening)
    seal(screening, "name", "Kari Nordmann")
    if birth_date is not None:
        seal(screening, "birth_date", birth_date.isoformat())
    db.session.flush()
    return screening


def make_participant(*, site: str = "bergen", status: str = "active", **screening: Any) -> Participant:
    """A randomized participant with the protocol's visits planned from RANDOMIZED_ON."""
    record = make_screening(site=site, **screening)
    trial = db.session.get(Trial, record.trial_id)
    participant = Participant(code=f"BER-{next(_numbers):04d}", trial_id=trial.id, site_id=record.site_id,
                              screening=record, arm="ips", status=status, randomized_on=RANDOMIZED_ON)
    db.session.add(participant)
    for planned in plan_visits(RANDOMIZED_ON, current_protocol(trial).timepoints):
        db.session.add(Visit(participant=participant, timepoint=planned.timepoint, due_on=planned.due_on,
                             opens_on=planned.opens_on, closes_on=planned.closes_on, status="scheduled"))
    db.session.flush()
    return participant


def visit_of(participant: Participant, timepoint: str = "6m") -> Visit:
    return next(v for v in participant.visits if v.timepoint == timepoint)


def form_for(participant: Participant, timepoint: str = "6m", language: str = "en") -> QuestionnaireForm:
    """The questionnaire a participant meets at a timepoint, derived as the pages derive it."""
    p = current_protocol(participant.trial)
    codes = p.timepoint(timepoint).instruments
    return questionnaire_form([instrument_for(p, code) for code in codes], language)


@dataclass
class Linked:
    token: str
    participant: Participant
    visit: Visit

    @property
    def path(self) -> str:
        return f"/q/{self.token}"


@pytest.fixture
def linked(trial_app: Flask, in_window: Any) -> Callable[..., Linked]:
    """linked(**participant options): a participant with a fresh link for the 6m visit (committed)."""

    def make(**options: Any) -> Linked:
        participant = make_participant(**options)
        visit = visit_of(participant)
        token = issue_link(visit)
        db.session.commit()
        return Linked(token, participant, visit)

    return make


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


class Respondent:
    """A participant's browser on /q/<token>."""

    def __init__(self, client: FlaskClient, link: Linked) -> None:
        self.client, self.link = client, link

    def open(self):  # noqa: ANN201 - a test response
        return self.client.get(self.link.path)

    def check(self, day: int | str = BIRTH_DATE.day, month: int | str = BIRTH_DATE.month,
              year: int | str = BIRTH_DATE.year):  # noqa: ANN201
        return self.client.post(self.link.path,
                                data={"day": str(day), "month": str(month), "year": str(year)})

    def answer(self, number: int, value: str | None, action: str = "next", query: str = ""):  # noqa: ANN201
        field = self.form().questions[number - 1].field
        data = {"action": action, **({field: value} if value is not None else {})}
        return self.client.post(f"{self.link.path}/{number}{query}", data=data)

    def form(self) -> QuestionnaireForm:
        return form_for(self.link.participant)

    def answer_all(self, values: dict[int, str] | None = None) -> None:
        """Answer every question with its first option (the VAS with 70), or the value given."""
        for number, question in enumerate(self.form().questions, start=1):
            value = (values or {}).get(number) or (question.choices[0].value if question.choices else "70")
            response = self.answer(number, value)
            assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def respondent(client: FlaskClient, linked: Callable[..., Linked]) -> Callable[..., Respondent]:
    def make(**options: Any) -> Respondent:
        return Respondent(client, linked(**options))

    return make


def signed_in(client: FlaskClient, user: User, language: str = "en") -> FlaskClient:
    """Sign in through the session as a completed sign-in does (see tests/enrollment_pages)."""
    from trial import accounts

    now = clock.now().timestamp()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user.id), "_fresh": True, "signed_in_at": now, "seen": now,
                        "stamp": accounts.session_stamp(user), "language": language})
    return client


@pytest.fixture
def staff(trial_app: Flask) -> Callable[..., FlaskClient]:
    """staff(sites, role): a client of its own, signed in as a new member of the example trial."""
    counter = itertools.count()

    def make(sites: tuple[str, ...] = ("bergen",), role: str = "coordinator",
             language: str = "en") -> FlaskClient:
        trial = db.session.scalars(select(Trial)).one()
        chosen = [s for s in trial.sites if s.code in sites]
        user, _ = add_member(f"{role}{next(counter)}@example.org", Role(role), trial, chosen)
        user.must_change_password = False
        db.session.commit()
        trial_app.test_client_class = RequestIsolatedClient
        return signed_in(trial_app.test_client(), user, language)

    return make
