"""The follow-up pages: the coordinator's dashboard, contacts, withdrawals and events; the admin's outbox."""
from __future__ import annotations

import re
from datetime import date

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select

from trial.extensions import db
from trial.followups.dispatcher import run_pass
from trial.models import OutboxMessage, Participant, ParticipantEvent, User

from ..api.conftest import Api
from ..helpers import sign_in_session


def _randomized(coordinator: Api, email: str | None = "kari@example.org") -> str:
    with time_machine.travel(date(2014, 1, 15), tick=True):
        consent = {"email": email} if email else {}
        sid = coordinator.enroll_ready("bergen", **consent)
        return coordinator.post(f"/screenings/{sid}/randomize")[1]["participant_id"]


def _page_user(client: FlaskClient, email_prefix: str) -> None:
    user = db.session.scalars(select(User).where(User.email.like(f"{email_prefix}%"))).first()
    user.must_change_password = False   # past the first sign-in
    db.session.commit()
    sign_in_session(client, user)


def test_the_dashboard_counts_visits_out_of_the_randomized(coordinator: Api, client: FlaskClient) -> None:
    with_mail, without_mail = _randomized(coordinator), _randomized(coordinator, email=None)
    with time_machine.travel(date(2014, 7, 2), tick=True):
        run_pass()
        _page_user(client, "coordinator")
        page = client.get("/trials/ips-norway/follow-up").get_data(as_text=True)
    bergen = re.findall(r"<h2>Hordaland \(Bergen\) – (\w+)</h2>\s*<table>\s*<caption>(\d+) randomized</caption>"
                        r".*?<th scope=\"row\">6m</th>\s*<td>(\d+) / (\d+)</td>", page, re.S)
    assert sum(int(n) for _, n, _, _ in bergen) == 2
    assert all(due == total == n for _, n, due, total in bergen)   # every randomized person's 6m visit is due
    assert without_mail in page and "No e-mail address" in page    # who to phone
    assert with_mail not in page.split("Phone these participants")[1]


def test_the_contact_history_shows_each_message_and_no_address(coordinator: Api, client: FlaskClient) -> None:
    code = _randomized(coordinator)
    with time_machine.travel(date(2014, 7, 2), tick=True):
        run_pass()
        _page_user(client, "coordinator")
        page = client.get(f"/trials/ips-norway/follow-up/participants/{code}").get_data(as_text=True)
    assert "Invitation" in page
    assert "kari@example.org" not in page


def test_a_withdrawal_from_follow_up_stops_invitations_and_needs_a_reason(coordinator: Api,
                                                                          client: FlaskClient) -> None:
    code = _randomized(coordinator)
    with time_machine.travel(date(2014, 3, 1), tick=True):
        _page_user(client, "coordinator")
        path = f"/trials/ips-norway/follow-up/participants/{code}/withdrawal"
        refused = client.post(path, data={"w-scope": "follow-up", "w-on": "2014-03-01", "w-reason": ""})
        assert refused.status_code == 422 and "Give the reason." in refused.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(ParticipantEvent)) == 0
        done = client.post(path, data={"w-scope": "follow-up", "w-on": "2014-03-01", "w-reason": "Moved abroad"})
        assert done.status_code == 302
    with time_machine.travel(date(2014, 7, 2), tick=True):
        run_pass()
    status = db.session.scalars(select(Participant.status).execution_options(populate_existing=True)).one()
    assert status == "withdrawn-follow-up"
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_death_cannot_be_dated_in_the_future(coordinator: Api, client: FlaskClient) -> None:
    code = _randomized(coordinator)
    with time_machine.travel(date(2014, 3, 1), tick=True):
        _page_user(client, "coordinator")
        refused = client.post(f"/trials/ips-norway/follow-up/participants/{code}/event",
                              data={"e-kind": "died", "e-on": "2014-09-01"})
    assert refused.status_code == 422 and "It could not be recorded" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ParticipantEvent)) == 0


def test_admins_see_the_outbox_without_addresses_and_coordinators_do_not(coordinator: Api, as_role,  # noqa: ANN001
                                                                          client: FlaskClient) -> None:
    _randomized(coordinator)
    as_role("admin")
    with time_machine.travel(date(2014, 7, 2), tick=True):
        run_pass()
        _page_user(client, "admin")
        page = client.get("/trials/ips-norway/admin/outbox").get_data(as_text=True)
        assert "Invitation" in page and "kari@example.org" not in page
        assert client.get("/trials/ips-norway/admin/erasure-requests").status_code == 200
        _page_user(client, "coordinator")
        assert client.get("/trials/ips-norway/admin/outbox").status_code == 403
