"""Thirteen months after randomization, day by day: what the protocol says happens, and nothing else.

ips-norway: 6m and 12m visits, windows 14 days before to 42 days after the due date, reminders 7
and 14 days after the window opens. Randomized 2014-01-15: 6m window 2014-07-01..08-26
(reminders 07-08, 07-15), 12m window 2015-01-01..02-26 (reminders 01-08, 01-15).
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import time_machine
from flask import Flask
from sqlalchemy import select

from trial.extensions import db
from trial.models import Participant, QuestionnaireLink, Visit
from trial.questionnaires_web.links import find_link

from ..api.conftest import Api
from ..helpers import BASELINE
from .conftest import Mailbox, dispatch, morning, outline, randomize, visits

KARI, OLA = "kari@example.org", "ola@example.org"
KARI_ANSWERS_ON = date(2014, 7, 10)
# The protocol's neutral public title: the real title names the condition and must not reach an inbox.
TRIAL_TITLE = "Arbeidsstudien"
LINK = re.compile(r"http://127\.0\.0\.1:5000/q/([A-Za-z0-9_-]{43})")


def _kind(body: str) -> str:
    return "reminder" if "reminder" in body or "påminnelse" in body else "invitation"


def _statuses() -> dict[tuple[str, str], str]:
    """Every visit's stored status, by (participant, timepoint), in randomization order."""
    db.session.expire_all()
    rows = db.session.execute(select(Participant.code, Visit.timepoint, Visit.status).join(Visit.participant)
                              .order_by(Participant.id, Visit.id))
    return {(code, timepoint): status for code, timepoint, status in rows}


def _answer_all(api: Api, code: str) -> None:
    with time_machine.travel(morning(KARI_ANSWERS_ON), tick=False):
        for instrument, answers in BASELINE.items():
            status, body, _ = api.post(f"/participants/{code}/responses",
                                       {"timepoint": "6m", "instrument": instrument, "answers": answers,
                                        "mode": "paper"})
            assert status == 201, body


def test_a_year_of_follow_up_invites_reminds_completes_and_misses_as_the_protocol_says(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    kari = randomize(coordinator, email=KARI, language="nb")
    ola = randomize(coordinator, email=OLA, language="en")
    per = randomize(coordinator)                      # gave no e-mail address
    changes: list[tuple[date, str, str, str]] = []
    seen = _statuses()
    day = RANDOMIZED_ON = date(2014, 1, 16)
    while day <= date(2015, 3, 1):
        dispatch(day)
        if day == KARI_ANSWERS_ON:
            _answer_all(coordinator, kari)
        now = _statuses()
        changes += [(day, code, tp, status) for (code, tp), status in now.items() if seen[code, tp] != status]
        seen, day = now, day + timedelta(days=1)
    assert day - RANDOMIZED_ON > timedelta(days=390)

    assert changes == [
        (date(2014, 7, 1), kari, "6m", "open"), (date(2014, 7, 1), ola, "6m", "open"),
        (date(2014, 7, 1), per, "6m", "open"),
        (KARI_ANSWERS_ON, kari, "6m", "completed"),
        (date(2014, 8, 27), ola, "6m", "missed"), (date(2014, 8, 27), per, "6m", "missed"),
        (date(2015, 1, 1), kari, "12m", "open"), (date(2015, 1, 1), ola, "12m", "open"),
        (date(2015, 1, 1), per, "12m", "open"),
        (date(2015, 2, 27), kari, "12m", "missed"), (date(2015, 2, 27), ola, "12m", "missed"),
        (date(2015, 2, 27), per, "12m", "missed")]

    received = [(r.on, r.to, _kind(r.body)) for r in mailbox.received]
    assert received == [
        (date(2014, 7, 1), [KARI], "invitation"), (date(2014, 7, 1), [OLA], "invitation"),
        (date(2014, 7, 8), [KARI], "reminder"), (date(2014, 7, 8), [OLA], "reminder"),
        (date(2014, 7, 15), [OLA], "reminder"),       # Kari answered on 07-10: no second reminder
        (date(2015, 1, 1), [KARI], "invitation"), (date(2015, 1, 1), [OLA], "invitation"),
        (date(2015, 1, 8), [KARI], "reminder"), (date(2015, 1, 8), [OLA], "reminder"),
        (date(2015, 1, 15), [KARI], "reminder"), (date(2015, 1, 15), [OLA], "reminder")]
    # Per has no address: each window's invitation is recorded so someone phones him, and no reminder.
    assert outline(per) == [("6m", "invitation", 0, "no-address"), ("12m", "invitation", 0, "no-address")]


def test_a_second_pass_the_same_day_sends_nothing_and_every_message_of_a_visit_carries_one_link(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    kari = randomize(coordinator, email=KARI, language="nb")
    for day in (date(2014, 7, 1), date(2014, 7, 8), date(2014, 7, 15)):
        first, second = dispatch(day), dispatch(morning(day) + timedelta(hours=3))
        assert first[0].sent == 1 and second[0].sent == 0
        assert second[0].invitations + second[0].reminders == 0
    assert [_kind(r.body) for r in mailbox.received] == ["invitation", "reminder", "reminder"]
    tokens = {LINK.search(r.body).group(1) for r in mailbox.received}  # type: ignore[union-attr]
    assert len(tokens) == 1
    (token,) = tokens
    link = db.session.scalars(select(QuestionnaireLink)).one()
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    with time_machine.travel(morning(date(2014, 7, 16)), tick=False):
        assert find_link(token) is link     # the questionnaire pages accept the link the e-mails carry
    assert visits(kari) == {"6m": "open", "12m": "scheduled"}


def test_messages_name_only_the_trial_and_speak_the_participants_language(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    randomize(coordinator, email=KARI, language="nb", phone="+47 99 99 99 99")
    randomize(coordinator, email=OLA, language="en")
    dispatch(date(2014, 7, 1))
    nb, en = mailbox.to(KARI)[0], mailbox.to(OLA)[0]
    assert nb.message["Subject"] == f"{TRIAL_TITLE}: spørreskjema"
    assert "mental" not in nb.message.as_string() and "psykisk" not in nb.message.as_string()
    assert en.message["Subject"] == f"{TRIAL_TITLE}: questionnaire"
    assert nb.message["From"] == "studie@example.org"
    assert "Svar innen 26. august 2014." in nb.body and "Åpne din personlige lenke:" in nb.body
    assert "Please answer by August 26, 2014." in en.body and "Open your personal link:" in en.body
    for mail in (nb, en):
        assert LINK.search(mail.body)
        text = mail.body.lower()
        for secret in ("ips", "individual placement", "individuell jobbstøtte", "usual follow-up",
                       "ordinær", "control", "kontroll", "hads", "eq-5d", "whodas", "mental", "psykisk",
                       "nordmann", "99 99"):
            assert secret not in text, secret
