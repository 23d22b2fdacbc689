"""A corrected randomization date moves every visit not completed, and only those."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from trial.extensions import db
from trial.models import AuditEvent, Consent, OutboxMessage, Participant
from trial.sealing import unseal

from ..api.conftest import Api
from ..helpers import BASELINE
from .conftest import dispatch, messages, outline, randomize, visits
from .test_events import at, post
from .test_responses import answer

REFERRED = date(2014, 1, 5)


@pytest.fixture
def kari(trial_app: Flask, coordinator: Api) -> str:
    """Referred and consented 2014-01-05, randomized 2014-01-15 (6m window 07-01..08-26)."""
    return randomize(coordinator, referred_on=REFERRED, email="kari@example.org")


def _schedule(body: dict) -> list[tuple[str, str, str, str, str]]:
    return [(v["timepoint"], v["due_on"], v["opens_on"], v["closes_on"], v["status"])
            for v in body["schedule"]]


def test_a_corrected_date_re_plans_the_visits_and_is_audited_with_its_reason(coordinator: Api,
                                                                             kari: str) -> None:
    status, body = post(coordinator, date(2014, 1, 20), kari, "randomization-date",
                        {"on": "2014-01-12", "reason": "Randomized on paper during the outage"})
    assert status == 200, body
    assert body["randomized_on"] == "2014-01-12"
    assert _schedule(body) == [("6m", "2014-07-12", "2014-06-28", "2014-08-23", "scheduled"),
                               ("12m", "2015-01-12", "2014-12-29", "2015-02-23", "scheduled")]
    entry = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.randomization_date_corrected")).one()
    assert entry.reason == "Randomized on paper during the outage"
    assert entry.details == {"from": "2014-01-15", "to": "2014-01-12", "visits": ["6m", "12m"],
                             "unsent_messages_withdrawn": 0}


def test_a_completed_visit_keeps_its_window_and_unsent_messages_are_written_again(
        coordinator: Api, kari: str) -> None:
    for instrument in BASELINE:
        assert answer(coordinator, kari, date(2014, 7, 3), instrument)[0] == 201
    dispatch(date(2015, 1, 1))                                 # 12m invitation waits (no mail server)
    assert outline(kari) == [("12m", "invitation", 0, "pending")]
    status, body = post(coordinator, date(2015, 1, 2), kari, "randomization-date",
                        {"on": "2014-01-13", "reason": "Typed the wrong day"})
    assert status == 200
    assert _schedule(body) == [("6m", "2014-07-15", "2014-07-01", "2014-08-26", "completed"),
                               ("12m", "2015-01-13", "2014-12-30", "2015-02-24", "open")]
    assert outline(kari) == []                                 # written for the old window, never sent
    dispatch(date(2015, 1, 2))
    (invitation,) = messages(kari)
    assert "Svar innen 24. februar 2015." in (unseal(invitation, "body") or "")


BAD = [
    ({"on": "2014-01-21", "reason": "x"}, "on"),          # the future
    ({"on": "2014-01-04", "reason": "x"}, "on"),          # before consent
    ({"on": "2014-01-15", "reason": "x"}, "on"),          # unchanged
    ({"on": "2014-01-12"}, "reason"),
    ({"on": "12.01.2014", "reason": "x"}, "on"),
]


def test_an_impossible_date_is_refused_and_changes_nothing(coordinator: Api, kari: str) -> None:
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for body, field in BAD:
        status, answer_body = post(coordinator, date(2014, 1, 20), kari, "randomization-date", body)
        assert status == 422 and field in answer_body["errors"], (body, answer_body)
    db.session.expire_all()
    assert db.session.scalars(select(Participant.randomized_on)).one() == date(2014, 1, 15)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits
    assert visits(kari) == {"6m": "scheduled", "12m": "scheduled"}


def test_a_date_in_another_allocation_period_is_refused(trial_app: Flask, coordinator: Api) -> None:
    code = randomize(coordinator, on=date(2014, 2, 1), referred_on=REFERRED)     # last day of start-up
    status, body = post(coordinator, date(2014, 2, 5), code, "randomization-date",
                        {"on": "2014-02-03", "reason": "x"})
    assert status == 422 and "start-up" in body["errors"]["on"]


def test_a_date_after_a_recorded_event_is_refused(coordinator: Api, kari: str) -> None:
    assert post(coordinator, date(2014, 1, 20), kari, "withdrawal",
                {"scope": "intervention", "on": "2014-01-16", "reason": "x"})[0] == 200
    status, body = post(coordinator, date(2014, 1, 20), kari, "randomization-date",
                        {"on": "2014-01-18", "reason": "x"})
    assert status == 422 and "event" in body["errors"]["on"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_screening_log_moves_with_the_date_so_consort_between_the_two_dates_still_adds_up(
        coordinator: Api, kari: str, as_role: Callable[..., Api]) -> None:
    assert post(coordinator, date(2014, 1, 20), kari, "randomization-date",
                {"on": "2014-01-12", "reason": "Randomized on paper during the outage"})[0] == 200
    with at(date(2014, 1, 20)):
        status, flow, _ = as_role("unblinded-statistician").get("/consort?as_of=2014-01-13")
    assert status == 200, flow
    assert flow["randomized"] == 1 and sum(a["allocated"] for a in flow["arms"].values()) == 1


def test_after_a_re_consent_the_date_may_still_move_back_to_the_first_consent(coordinator: Api, kari: str) -> None:
    participant = db.session.scalars(select(Participant).where(Participant.code == kari)).one()
    first = participant.screening.consents[0]
    db.session.add(Consent(screening=participant.screening, version=first.version, language=first.language,
                           consented_on=date(2014, 1, 14), method="paper", options=first.options,
                           document_sha256=first.document_sha256, taken_by="test", recorded_at=first.recorded_at))
    db.session.commit()
    status, body = post(coordinator, date(2014, 1, 20), kari, "randomization-date",
                        {"on": "2014-01-12", "reason": "Randomized on paper during the outage"})
    assert (status, body["randomized_on"]) == (200, "2014-01-12"), body
    status, body = post(coordinator, date(2014, 1, 20), kari, "randomization-date", {"on": "2014-01-04", "reason": "x"})
    assert status == 422 and "2014-01-05" in body["errors"]["on"]


def _corrections_audited() -> list[dict]:
    db.session.expire_all()
    return [e.details for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(("participant.randomization_date_corrected", "response.corrected")))
        .order_by(AuditEvent.seq))]


def test_corrections_made_while_a_data_lock_is_in_force_name_its_version(
        coordinator: Api, kari: str, as_role: Callable[..., Api]) -> None:
    assert answer(coordinator, kari, date(2014, 7, 3))[0] == 201
    with at(date(2014, 7, 4)):
        status, lock, _ = as_role("unblinded-statistician").post(
            "/locks", {"label": "Interim", "reason": "Data monitoring committee"})
    assert status == 201, lock
    assert post(coordinator, date(2014, 7, 5), kari, "randomization-date",
                {"on": "2014-01-13", "reason": "Typed the wrong day"})[0] == 200
    with at(date(2014, 7, 5)):
        status, body, _ = coordinator.call("PUT", f"/participants/{kari}/responses/6m/hads",
                                           {"answers": BASELINE["hads"], "reason": "Item 4 misread"})
    assert status == 200, body
    assert [d.get("lock_version") for d in _corrections_audited()] == [1, 1]


def test_corrections_without_a_lock_in_force_name_none(coordinator: Api, kari: str) -> None:
    assert post(coordinator, date(2014, 1, 20), kari, "randomization-date",
                {"on": "2014-01-13", "reason": "Typed the wrong day"})[0] == 200
    assert ["lock_version" in d for d in _corrections_audited()] == [False]
