"""Personal links: issued hashed, opened only in the window and after the birth-date check, and every
unusable link - forged, replaced, expired, spent, locked, of a participant who left - gets one page
that names nobody."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from trial.extensions import db
from trial.models import AuditEvent, QuestionnaireLink
from trial.questionnaires_web import issue_link, link_path

from .conftest import IN_6M_WINDOW, Linked, Respondent, without_csrf

FORGED = "A" * 43


def _unavailable(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 404
    return without_csrf(response.get_data(as_text=True)).replace(path, "/q/x")


def test_only_the_hash_of_a_high_entropy_token_is_stored(linked: Callable[..., Linked]) -> None:
    link = linked()
    row = db.session.scalars(select(QuestionnaireLink)).one()
    assert len(link.token) == 43 and link_path(link.token) == f"/q/{link.token}"
    assert row.token_sha256 == hashlib.sha256(link.token.encode()).hexdigest()
    assert link.token not in row.token_sha256


def test_a_valid_link_asks_for_the_birth_date_before_any_question(client: FlaskClient,
                                                                 linked: Callable[..., Linked]) -> None:
    link = linked()
    page = client.get(link.path).get_data(as_text=True)
    assert "birth-day" in page and "birth-month" in page and "birth-year" in page
    assert "HADS" not in page and "Kari" not in page and link.participant.code not in page
    assert client.get(f"{link.path}/1").location == link.path        # no question before the check


def test_without_a_stored_birth_date_only_the_year_is_asked(client: FlaskClient,
                                                            respondent: Callable[..., Respondent]) -> None:
    person = respondent(birth_date=None, birth_year=1985)
    page = person.open().get_data(as_text=True)
    assert 'id="birth-year"' in page and 'id="birth-day"' not in page
    assert client.post(person.link.path, data={"year": "1986"}).status_code == 200
    response = client.post(person.link.path, data={"year": "1985"})
    assert response.location == f"{person.link.path}/1"


def test_with_nothing_to_check_against_the_link_cannot_be_opened(client: FlaskClient,
                                                                linked: Callable[..., Linked]) -> None:
    link = linked(birth_date=None, birth_year=None)
    assert client.get(link.path).status_code == 404


@pytest.mark.parametrize("reason", ["replaced", "expired", "not-yet-open", "used", "completed-on-paper",
                                    "withdrawn-follow-up", "died", "locked"])
def test_every_unusable_link_gets_the_same_page_as_a_forged_one(
        client: FlaskClient, linked: Callable[..., Linked], in_window: time_machine.Traveller,
        reason: str) -> None:
    link = linked()
    forged = _unavailable(client, f"/q/{FORGED}")
    row = db.session.scalars(select(QuestionnaireLink)).one()
    if reason == "replaced":
        issue_link(link.visit)
    elif reason == "expired":
        in_window.move_to(link.visit.closes_on + timedelta(days=1))
    elif reason == "not-yet-open":
        in_window.move_to(link.visit.opens_on - timedelta(days=1))
    elif reason == "used":
        row.used_at = row.created_at
    elif reason == "completed-on-paper":
        link.visit.status = "completed"
    elif reason == "locked":
        row.locked_until = row.created_at + timedelta(hours=1)
    else:
        link.participant.status = reason
    db.session.commit()
    page = _unavailable(client, link.path)
    assert page == forged
    assert "Kari" not in page and link.participant.code not in page and "Bergen" not in page
    assert 'lang="nb"' in page


def test_the_window_is_open_on_its_first_and_last_day_in_the_trials_time_zone(
        client: FlaskClient, linked: Callable[..., Linked], in_window: time_machine.Traveller) -> None:
    link = linked()
    closes = link.visit.closes_on
    in_window.move_to("2014-08-26T21:59:00+00:00")   # 23:59 in Oslo on the last day
    assert closes == date(2014, 8, 26) and client.get(link.path).status_code == 200
    in_window.move_to("2014-08-26T22:01:00+00:00")   # 00:01 the next day in Oslo
    assert client.get(link.path).status_code == 404
    in_window.move_to("2014-06-30T22:00:00+00:00")   # midnight at the start of the first day in Oslo
    assert client.get(link.path).status_code == 200


def test_five_wrong_birth_dates_lock_the_link_for_an_hour(respondent: Callable[..., Respondent],
                                                         in_window: time_machine.Traveller) -> None:
    person = respondent(language="en")
    for left in (4, 3, 2, 1):
        page = person.check(day=1, month=1, year=1990).get_data(as_text=True)
        assert f"locked for an hour: {left}." in page and 'aria-invalid="true"' in page
    assert person.check(day="x", month=1, year=1990).status_code == 200      # not a date: not counted
    locked = person.check(day=2, month=1, year=1990)
    assert locked.status_code == 404
    assert person.check().status_code == 404                     # even the right answer, while locked
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "questionnaire_link.locked")).all()
    assert len(events) == 1 and "Kari" not in str(events[0].details) and "1985" not in str(events[0].details)
    in_window.move_to(IN_6M_WINDOW + timedelta(hours=1, minutes=1))
    assert person.check().location == f"{person.link.path}/1"


def test_the_check_is_bound_to_the_link_it_was_passed_for(client: FlaskClient,
                                                         linked: Callable[..., Linked]) -> None:
    first, second = linked(), linked()
    client.post(first.path, data={"day": "27", "month": "3", "year": "1985"})
    assert client.get(f"{first.path}/1").status_code == 200
    assert client.get(f"{second.path}/1").location == second.path
    new_token = issue_link(first.visit)
    db.session.commit()
    assert client.get(f"/q/{new_token}/1").location == f"/q/{new_token}"   # a new link needs a new check


def test_the_verified_state_ends_after_an_idle_hour(respondent: Callable[..., Respondent],
                                                    in_window: time_machine.Traveller) -> None:
    person = respondent()
    person.check()
    assert person.client.get(f"{person.link.path}/1").status_code == 200
    in_window.move_to(IN_6M_WINDOW + timedelta(minutes=61))
    assert person.client.get(f"{person.link.path}/1").location == person.link.path


def test_the_unavailable_page_speaks_the_browsers_language(client: FlaskClient) -> None:
    english = client.get(f"/q/{FORGED}", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "This link cannot be used" in english
    assert "contact the study team" in english
    norwegian = client.get(f"/q/{FORGED}", headers={"Accept-Language": "nb-NO"}).get_data(as_text=True)
    assert '<html lang="nb">' in norwegian and "Denne lenken kan ikke brukes" in norwegian


def test_the_third_lock_lasts_until_staff_issue_a_new_link(client: FlaskClient,
                                                          respondent: Callable[..., Respondent],
                                                          in_window: time_machine.Traveller) -> None:
    person = respondent(language="en")
    for lock in range(3):
        for left in (4, 3, 2, 1):
            assert f"locked for an hour: {left}." in person.check(year=1990).get_data(as_text=True)
        assert person.check(year=1990).status_code == 404
        in_window.move_to(IN_6M_WINDOW + timedelta(hours=lock + 1, minutes=1))
    assert _unavailable(client, person.link.path) == _unavailable(client, f"/q/{FORGED}")  # the neutral page
    in_window.move_to(IN_6M_WINDOW + timedelta(days=10))
    assert person.check().status_code == 404                      # even the right answer, days later
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "questionnaire_link.locked").order_by(AuditEvent.id)).all()
    assert [e.details["until_reissued"] for e in events] == [False, False, True]
    token = issue_link(person.link.visit)
    db.session.commit()
    again = Respondent(person.client, Linked(token, person.link.participant, person.link.visit))
    assert "locked for an hour: 4." in again.check(year=1990).get_data(as_text=True)
    assert again.check().location == f"{again.link.path}/1"
