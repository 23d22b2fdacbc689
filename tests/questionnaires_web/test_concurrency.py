"""A paper form typed in while the participant sends the same questionnaire online, each on its own
connection, on a committed database: one answer per questionnaire is kept, and nobody sees an error 500."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial import create_app
from trial.cli import add_member
from trial.extensions import db
from trial.models import Response, Role, Trial, Visit
from trial.questionnaires_web import issue_link

from ..conftest import MigratedDatabase, RequestIsolatedClient, app_config, dispose_database, fresh_database
from ..helpers import load_example
from .conftest import IN_6M_WINDOW, Linked, Respondent, make_participant, signed_in, visit_of
from .test_paper import BASE, _form

pytestmark = pytest.mark.concurrency
PAIRS = 4


@pytest.fixture
def committed(database: MigratedDatabase, tmp_path: Path) -> Iterator[Flask]:
    """A fresh database where every request really commits, on a day inside the 6m window."""
    fresh = fresh_database(database.backend, tmp_path)
    app = create_app(app_config(fresh.url))
    app.test_client_class = RequestIsolatedClient
    with time_machine.travel(IN_6M_WINDOW, tick=True), app.app_context():
        load_example(app)
        yield app
        db.session.rollback()
    with app.app_context():
        db.dispose(app)
    dispose_database(fresh)


def _ready_to_send(app: Flask) -> Respondent:
    """A participant who has answered every question online and stands on the review page."""
    participant = make_participant()
    visit = visit_of(participant)
    token = issue_link(visit)
    db.session.commit()
    person = Respondent(app.test_client(), Linked(token, participant, visit))
    assert person.check().status_code == 302
    person.answer_all()
    return person


def test_paper_and_online_at_the_same_moment_keep_one_answer_each_and_never_fail(committed: Flask) -> None:
    trial = db.session.scalars(select(Trial)).one()
    user, _ = add_member("typist@example.org", Role("coordinator"), trial,
                         [s for s in trial.sites if s.code == "bergen"])
    user.must_change_password = False
    db.session.commit()
    people = [_ready_to_send(committed) for _ in range(PAIRS)]
    typists = [signed_in(committed.test_client(), user) for _ in range(PAIRS)]
    barrier = threading.Barrier(2 * PAIRS)

    def online(person: Respondent) -> tuple[int, str | None]:
        barrier.wait()
        response = person.client.post(f"{person.link.path}/review")
        return response.status_code, response.location

    def paper(typist: FlaskClient, person: Respondent) -> tuple[int, str | None]:
        barrier.wait()
        response = typist.post(f"{BASE}/{person.link.participant.code}/6m/hads",
                               data=_form("hads", completed_on="2014-07-09"))
        return response.status_code, response.location

    with ThreadPoolExecutor(max_workers=2 * PAIRS) as pool:
        sent = [pool.submit(online, person) for person in people]
        typed = [pool.submit(paper, typist, person) for typist, person in zip(typists, people, strict=True)]
        answers = [(s.result(), t.result()) for s, t in zip(sent, typed, strict=True)]

    db.session.expire_all()
    for person, (by_link, by_paper) in zip(people, answers, strict=True):
        assert by_link == (302, "/q/thanks")                     # a paper form that came first wins its part
        # Saved; or, the link having come first, the page shows it recorded (200) or the visit completed (409).
        assert by_paper[0] in (200, 302, 409), by_paper
        rows = db.session.scalars(select(Response).where(
            Response.screening_id == person.link.participant.screening_id)).all()
        assert sorted(r.instrument for r in rows) == ["eq5d5l", "hads", "whodas12"]
        hads = next(r for r in rows if r.instrument == "hads")
        assert hads.mode == ("paper" if by_paper[0] == 302 else "online")
        assert db.session.get(Visit, person.link.visit.id).status == "completed"
