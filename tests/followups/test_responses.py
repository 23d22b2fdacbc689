"""Follow-up responses through the API: inside the window, while followed up, once per instrument."""
from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from trial.extensions import db
from trial.models import AuditEvent, Response
from trial.sealing import unseal_json

from ..api.conftest import Api
from ..helpers import BASELINE
from .conftest import Mailbox, dispatch, outline, randomize, visits
from .test_events import at, post

OPENS, CLOSES = date(2014, 7, 1), date(2014, 8, 26)
HADS = BASELINE["hads"]


def answer(api: Api, code: str, day: date, instrument: str = "hads", timepoint: str = "6m",
           **extra: object) -> tuple[int, dict]:
    body = {"timepoint": timepoint, "instrument": instrument, "answers": BASELINE.get(instrument, {}),
            "mode": "paper", **extra}
    return post(api, day, code, "responses", body)


@pytest.fixture
def kari(trial_app: Flask, coordinator: Api) -> str:
    return randomize(coordinator, email="kari@example.org")


def _responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.timepoint == "6m"))


def test_the_last_instrument_completes_the_visit_and_cancels_the_reminder_waiting_to_go(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    kari = randomize(coordinator, email="kari@example.org")
    dispatch(OPENS)
    mailbox.stop()
    dispatch(date(2014, 7, 8))                          # the reminder waits for the mail server
    assert outline(kari) == [("6m", "invitation", 0, "sent"), ("6m", "reminder", 1, "pending")]
    status, body = answer(coordinator, kari, date(2014, 7, 9))
    assert status == 201
    # Odd items 1+3+1+3+1+3+1 = 13 (anxiety), even items 2+0+2+0+2+0+2 = 8 (depression).
    assert body == {"scores": {"anxiety": 13, "anxiety_band": "abnormal", "depression": 8,
                               "depression_band": "borderline", "total": 21},
                    "visit": {"timepoint": "6m", "status": "open"}}
    assert answer(coordinator, kari, date(2014, 7, 9), "eq5d5l")[0] == 201
    status, body = answer(coordinator, kari, date(2014, 7, 9), "whodas12")
    assert (status, body["visit"]["status"]) == (201, "completed")
    assert visits(kari) == {"6m": "completed", "12m": "scheduled"}
    assert outline(kari) == [("6m", "invitation", 0, "sent"), ("6m", "reminder", 1, "cancelled")]
    mailbox.start()
    dispatch(date(2014, 7, 15))
    assert len(mailbox.received) == 1                   # the invitation only
    stored = db.session.scalars(select(Response).where(Response.instrument == "hads",
                                                       Response.timepoint == "6m")).one()
    assert unseal_json(stored, "answers") == HADS and stored.visit_id is not None
    assert stored.completed_on == date(2014, 7, 9) and b'"1"' not in stored.answers_enc
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("response.%"))).all()
    assert actions == ["response.recorded"] * 3


def test_a_questionnaire_outside_the_window_is_refused_with_the_window(coordinator: Api, kari: str) -> None:
    for day in (date(2014, 6, 30), date(2014, 8, 27)):
        status, body = answer(coordinator, kari, day)
        assert status == 409
        assert (body["opens_on"], body["closes_on"]) == ("2014-07-01", "2014-08-26")
    assert _responses() == 0


def test_a_paper_form_filled_in_the_window_counts_even_when_typed_in_after_it_closed(
        coordinator: Api, kari: str) -> None:
    dispatch(date(2014, 8, 27))
    assert visits(kari)["6m"] == "missed"
    for instrument in BASELINE:
        assert answer(coordinator, kari, date(2014, 9, 3), instrument, completed_on="2014-08-20")[0] == 201
    assert visits(kari)["6m"] == "completed"


def test_after_leaving_follow_up_no_questionnaire_is_accepted(coordinator: Api, kari: str) -> None:
    assert post(coordinator, date(2014, 7, 2), kari, "withdrawal",
                {"scope": "follow-up", "on": "2014-07-02", "reason": "x"})[0] == 200
    status, body = answer(coordinator, kari, date(2014, 7, 3))
    assert status == 409 and "left follow-up" in body["detail"]
    assert _responses() == 0


def test_after_leaving_only_the_intervention_questionnaires_still_count(coordinator: Api, kari: str) -> None:
    assert post(coordinator, date(2014, 7, 2), kari, "withdrawal",
                {"scope": "intervention", "on": "2014-07-02", "reason": "x"})[0] == 200
    assert answer(coordinator, kari, date(2014, 7, 3))[0] == 201


def test_a_second_submission_is_refused_and_a_correction_needs_a_reason(coordinator: Api, kari: str) -> None:
    assert answer(coordinator, kari, date(2014, 7, 3))[0] == 201
    status, body = answer(coordinator, kari, date(2014, 7, 4))
    assert status == 409 and "correction" in body["detail"]
    corrected = {**HADS, "2": 3}
    path = f"/participants/{kari}/responses/6m/hads"
    with at(date(2014, 7, 4)):
        no_reason = coordinator.call("PUT", path, {"answers": corrected})
        status, body, _ = coordinator.call("PUT", path, {"answers": corrected, "reason": "Item 2 misread"})
        missing = coordinator.call("PUT", f"/participants/{kari}/responses/6m/eq5d5l",
                                   {"answers": BASELINE["eq5d5l"], "reason": "x"})
    assert no_reason[0] == 422 and "reason" in no_reason[1]["errors"]
    assert (status, body["scores"]["depression"]) == (200, 9)       # item 2: 2 -> 3
    assert missing[0] == 404
    stored = db.session.scalars(select(Response).where(Response.timepoint == "6m")).one()
    db.session.refresh(stored)
    assert unseal_json(stored, "answers")["2"] == 3
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.corrected")).one()
    assert (entry.reason, entry.details) == ("Item 2 misread", {"timepoint": "6m", "instrument": "hads"})


BAD = [
    ({"timepoint": "9m"}, "timepoint"),
    ({"timepoint": "baseline"}, "timepoint"),
    ({"instrument": "whodas36"}, "instrument"),
    ({"answers": {**HADS, "1": 7}}, "hads.1"),
    ({"mode": "fax"}, "mode"),
    ({"completed_on": "2014-07-04"}, "completed_on"),
    ({"answers": None}, "answers"),
    ({"answers": [1, 2]}, "answers"),
]


def test_bad_responses_are_refused_and_change_nothing(coordinator: Api, kari: str) -> None:
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for change, field in BAD:
        body = {"timepoint": "6m", "instrument": "hads", "answers": HADS, "mode": "paper", **change}
        status, answer_body = post(coordinator, date(2014, 7, 3), kari, "responses",
                                   {k: v for k, v in body.items() if v is not None})
        assert status == 422 and field in answer_body["errors"], answer_body
    assert _responses() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
    assert visits(kari) == {"6m": "scheduled", "12m": "scheduled"}


@pytest.mark.parametrize(("withdrawn_on", "typed_on", "six_months"), [
    ("2014-07-10", date(2014, 7, 12), "cancelled"),        # left while the window was open
    ("2014-09-01", date(2014, 9, 3), "missed")])           # left after it closed
def test_a_paper_form_dated_before_leaving_follow_up_still_counts_and_one_after_does_not(
        coordinator: Api, kari: str, withdrawn_on: str, typed_on: date, six_months: str) -> None:
    assert post(coordinator, typed_on, kari, "withdrawal",
                {"scope": "follow-up", "on": withdrawn_on, "reason": "x"})[0] == 200
    assert visits(kari)["6m"] == six_months
    status, body = answer(coordinator, kari, typed_on, completed_on="2014-07-11")
    if six_months == "cancelled":           # filled in the day after she left
        assert status == 409 and "left follow-up (withdrawn-follow-up) on 2014-07-10" in body["detail"]
        assert answer(coordinator, kari, typed_on, completed_on="2014-07-09")[0] == 201
    else:
        assert status == 201, body
    for instrument in ("eq5d5l", "whodas12"):
        assert answer(coordinator, kari, typed_on, instrument, completed_on="2014-07-09")[0] == 201
    assert visits(kari)["6m"] == "completed" and _responses() == 3
