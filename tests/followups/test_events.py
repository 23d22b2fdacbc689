"""Withdrawals, deaths and losses to follow-up cancel exactly what they must, and nothing else."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from trial.extensions import db
from trial.followups import erasure_requests
from trial.models import AuditEvent, Participant, ParticipantEvent
from trial.policy import access_to
from trial.sealing import unseal

from ..api.conftest import Api
from .conftest import dispatch, morning, outline, randomize, visits

OPENS, CLOSES = date(2014, 7, 1), date(2014, 8, 26)
REASON = "Kari Nordmann moved to Sweden after her depression got worse"


def at(day: date):  # noqa: ANN201 - a time-machine context
    return time_machine.travel(morning(day), tick=False)


def post(api: Api, day: date, code: str, what: str, body: object) -> tuple[int, dict]:
    with at(day):
        status, answer, _ = api.post(f"/participants/{code}/{what}", body)
    return status, answer


@pytest.fixture
def kari(trial_app: Flask, coordinator: Api) -> str:
    """Randomized 2014-01-15 with an e-mail address; her 6m invitation waits (no mail server)."""
    code = randomize(coordinator, email="kari@example.org")
    dispatch(OPENS)
    assert outline(code) == [("6m", "invitation", 0, "pending")]
    return code


def test_withdrawal_from_follow_up_cancels_queued_messages_and_the_visits_to_come(coordinator: Api,
                                                                                  kari: str) -> None:
    status, body = post(coordinator, date(2014, 7, 2), kari, "withdrawal",
                        {"scope": "follow-up", "on": "2014-07-02", "reason": REASON})
    assert (status, body) == (200, {"status": "withdrawn-follow-up"})
    assert visits(kari) == {"6m": "cancelled", "12m": "cancelled"}
    assert outline(kari) == [("6m", "invitation", 0, "cancelled")]
    for day in (date(2014, 7, 8), date(2015, 1, 1), date(2015, 1, 15)):
        dispatch(day)
    assert outline(kari) == [("6m", "invitation", 0, "cancelled")]
    event = db.session.scalars(select(ParticipantEvent)).one()
    assert (event.kind, event.on) == ("withdrawn-follow-up", date(2014, 7, 2))
    assert unseal(event, "reason") == REASON
    assert b"Nordmann" not in (event.reason_enc or b"")
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "participant.withdrawn")).one()
    assert entry.reason is None and "Sweden" not in json.dumps(entry.details)
    assert (entry.entity, entry.details["scope"], entry.details["on"]) == (f"participant:{kari}", "follow-up",
                                                                          "2014-07-02")


def test_withdrawal_from_the_intervention_keeps_the_participant_in_follow_up(coordinator: Api,
                                                                             kari: str) -> None:
    status, body = post(coordinator, date(2014, 7, 2), kari, "withdrawal",
                        {"scope": "intervention", "on": "2014-07-02", "reason": "Wants no job support"})
    assert (status, body) == (200, {"status": "withdrawn-intervention"})
    assert visits(kari) == {"6m": "open", "12m": "scheduled"}
    dispatch(date(2015, 1, 1))
    # Still invited at 12 months; the unsent 6m invitation went stale when its window closed.
    assert visits(kari) == {"6m": "missed", "12m": "open"}
    assert outline(kari) == [("6m", "invitation", 0, "cancelled"), ("12m", "invitation", 0, "pending")]


def test_withdrawal_from_everything_is_final_and_asks_the_data_protection_officer_to_erase(
        coordinator: Api, kari: str) -> None:
    status, body = post(coordinator, date(2014, 7, 3), kari, "withdrawal",
                        {"scope": "all", "on": "2014-07-03", "reason": "Wants no more contact"})
    assert (status, body) == (200, {"status": "withdrawn-all"})
    assert visits(kari) == {"6m": "cancelled", "12m": "cancelled"}
    assert outline(kari) == [("6m", "invitation", 0, "cancelled")]
    requests = erasure_requests(access_to(_user("coordinator"), "ips-norway"))
    assert [(r["participant_id"], r["withdrawn_on"]) for r in requests] == [(kari, "2014-07-03")]
    for what, body in (("events", {"type": "died", "on": "2014-07-04"}),
                       ("withdrawal", {"scope": "intervention", "on": "2014-07-04", "reason": "x"})):
        status, answer = post(coordinator, date(2014, 7, 5), kari, what, body)
        assert status == 409 and "withdrawn-all" in answer["detail"]


@pytest.mark.parametrize(("died_on", "six_months"), [("2014-08-20", "cancelled"), ("2014-09-01", "missed")])
def test_a_death_cancels_visits_whose_window_had_not_closed_when_it_happened(
        coordinator: Api, kari: str, died_on: str, six_months: str) -> None:
    dispatch(date(2014, 8, 27))                    # the 6m window closed unanswered
    assert visits(kari) == {"6m": "missed", "12m": "scheduled"}
    status, body = post(coordinator, date(2014, 9, 10), kari, "events", {"type": "died", "on": died_on})
    assert (status, body) == (200, {"status": "died"})
    assert visits(kari) == {"6m": six_months, "12m": "cancelled"}
    event = db.session.scalars(select(ParticipantEvent)).one()
    assert (event.kind, event.reason_enc) == ("died", None)


def test_a_stronger_event_replaces_a_weaker_status_and_a_weaker_one_does_not(coordinator: Api,
                                                                             kari: str) -> None:
    day = date(2014, 7, 20)
    assert post(coordinator, day, kari, "events", {"type": "lost-to-follow-up", "on": "2014-07-10"}) \
        == (200, {"status": "lost-to-follow-up"})
    assert visits(kari) == {"6m": "cancelled", "12m": "cancelled"}
    assert post(coordinator, day, kari, "withdrawal", {"scope": "intervention", "on": "2014-07-11",
                                                       "reason": "Stopped coming"}) \
        == (200, {"status": "lost-to-follow-up"})
    died = post(coordinator, day, kari, "events", {"type": "died", "on": "2014-07-12"})
    assert died == (200, {"status": "died"})
    kinds = db.session.scalars(select(ParticipantEvent.kind).order_by(ParticipantEvent.id)).all()
    assert kinds == ["lost-to-follow-up", "withdrawn-intervention", "died"]


def _user(role: str):  # noqa: ANN202 - User
    from trial.models import Membership, User

    return db.session.scalars(select(User).join(Membership).where(Membership.role == role)).first()


def _state() -> tuple:
    db.session.expire_all()
    return (db.session.scalars(select(Participant.status)).all(),
            db.session.scalar(select(func.count()).select_from(ParticipantEvent)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


BAD = [
    ("withdrawal", {"scope": "follow-up", "on": "2014-07-06", "reason": "x"}, 422, "on"),  # the future
    ("withdrawal", {"scope": "follow-up", "on": "2014-01-14", "reason": "x"}, 422, "on"),  # too early
    ("withdrawal", {"scope": "everything", "on": "2014-07-02", "reason": "x"}, 422, "scope"),
    ("withdrawal", {"scope": "follow-up", "on": "2014-07-02"}, 422, "reason"),
    ("withdrawal", {"scope": "follow-up", "on": "2 July", "reason": "x"}, 422, "on"),
    ("events", {"type": "moved", "on": "2014-07-02"}, 422, "type"),
    ("events", {"on": "2014-07-02"}, 422, "type"),
    ("events", ["died"], 400, None),
]


def test_bad_requests_are_refused_with_problem_details_and_change_nothing(coordinator: Api,
                                                                           kari: str) -> None:
    before = _state()
    for what, body, status, field in BAD:
        answer_status, answer = post(coordinator, date(2014, 7, 5), kari, what, body)
        assert answer_status == status, (body, answer)
        assert {"status", "title", "detail"} <= set(answer)
        assert field is None or field in answer["errors"], (body, answer)
    assert _state() == before
    assert outline(kari) == [("6m", "invitation", 0, "pending")]


def test_the_same_event_twice_is_a_conflict(coordinator: Api, kari: str) -> None:
    body = {"scope": "intervention", "on": "2014-07-02", "reason": "x"}
    assert post(coordinator, date(2014, 7, 5), kari, "withdrawal", body)[0] == 200
    before = _state()
    status, answer = post(coordinator, date(2014, 7, 5), kari, "withdrawal", body)
    assert status == 409 and "already recorded" in answer["detail"]
    assert _state() == before


def test_only_coordinators_of_the_participants_site_may_record_events(
        as_role: Callable[..., Api], kari: str) -> None:
    body = {"type": "died", "on": "2014-07-02"}
    oslo, statistician = as_role("coordinator", ("oslo",)), as_role("statistician")
    before = _state()
    assert post(oslo, date(2014, 7, 5), kari, "events", body)[0] == 403
    assert post(statistician, date(2014, 7, 5), kari, "events", body)[0] == 403
    assert post(oslo, date(2014, 7, 5), "BER-9999", "events", body)[0] == 404
    with at(date(2014, 7, 5)):
        response = oslo.client.post(f"/api/v1/trials/ips-norway/participants/{kari}/events", json=body)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert _state() == before


@pytest.mark.parametrize(("what", "body"), [
    ("withdrawal", {"scope": "follow-up", "on": "2014-09-01", "reason": "x"}),
    ("withdrawal", {"scope": "all", "on": "2014-09-01", "reason": "x"}),
    ("events", {"type": "died", "on": "2014-09-01"}),
    ("events", {"type": "lost-to-follow-up", "on": "2014-09-01"})])
def test_a_window_that_closed_before_the_departure_unnoticed_is_marked_missed(
        coordinator: Api, kari: str, what: str, body: dict) -> None:
    # No dispatcher pass after the 6m window closed on 08-26: its stored status is still "open".
    assert visits(kari) == {"6m": "open", "12m": "scheduled"}
    assert post(coordinator, date(2014, 9, 2), kari, what, body)[0] == 200
    assert visits(kari) == {"6m": "missed", "12m": "cancelled"}
    dispatch(date(2014, 9, 3))
    assert visits(kari) == {"6m": "missed", "12m": "cancelled"}
