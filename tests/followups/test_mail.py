"""Sending over SMTP: a server that is down delays messages and loses none; a refusal is not retried."""
from __future__ import annotations

from datetime import date, timedelta

import time_machine
from flask import Flask
from sqlalchemy import select

from trial.extensions import db
from trial.followups import needs_phone_call
from trial.followups.outbox import LEASE, claim_due
from trial.models import OutboxMessage, Trial
from trial.policy import access_to

from ..api.conftest import Api
from .conftest import Mailbox, dispatch, messages, morning, outline, randomize

OPENS = date(2014, 7, 1)


def test_a_stopped_mail_server_delays_messages_with_backoff_and_loses_none(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    code = randomize(coordinator, email="kari@example.org")
    mailbox.stop()
    start = morning(OPENS)
    report = dispatch(start)[0]
    assert (report.invitations, report.sent, report.retrying) == (1, 0, 1)
    (message,) = messages(code)
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "ConnectionRefusedError")
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert dispatch(start + timedelta(seconds=30))[0].retrying == 0          # not due yet: no attempt
    assert dispatch(start + timedelta(minutes=1))[0].retrying == 1
    assert dispatch(start + timedelta(minutes=3))[0].retrying == 1
    (message,) = messages(code)
    assert (message.attempts, message.next_attempt_at) == (3, start + timedelta(minutes=7))  # 1, 2, 4 min
    mailbox.start()
    assert dispatch(start + timedelta(minutes=5))[0].sent == 0              # still waiting out its backoff
    assert dispatch(start + timedelta(minutes=7))[0].sent == 1
    assert [r.to for r in mailbox.received] == [["kari@example.org"]]
    (message,) = messages(code)
    assert (message.status, message.attempts, message.last_error) == ("sent", 4, None)
    dispatch(start + timedelta(hours=2))
    assert len(mailbox.received) == 1


def test_a_long_outage_sends_one_message_when_the_server_returns_not_a_burst(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    code = randomize(coordinator, email="kari@example.org")
    mailbox.stop()
    for day in range(0, 10):                     # down from the window's opening until day 9
        dispatch(OPENS + timedelta(days=day))
    mailbox.start()
    dispatch(morning(OPENS + timedelta(days=9)) + timedelta(hours=1))
    assert [r.on for r in mailbox.received] == [OPENS + timedelta(days=9)]
    for day in range(10, 20):
        dispatch(OPENS + timedelta(days=day))
    # The day-7 reminder fell inside the outage and is not sent late; the day-14 one goes on its day.
    assert [r.on for r in mailbox.received] == [OPENS + timedelta(days=9), OPENS + timedelta(days=14)]
    assert outline(code) == [("6m", "invitation", 0, "sent"), ("6m", "reminder", 2, "sent")]


def test_a_refused_recipient_is_not_retried_and_the_coordinator_is_told_to_call(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    code = randomize(coordinator, email="refused@example.org")
    report = dispatch(OPENS)[0]
    assert (report.sent, report.refused, report.retrying) == (0, 1, 0)
    (message,) = messages(code)
    assert (message.status, message.last_error) == ("failed", "SMTPRecipientsRefused 550")
    for day in range(1, 20):
        dispatch(OPENS + timedelta(days=day))
    assert mailbox.received == [] and len(messages(code)) == 1          # no reminders after a refusal
    with time_machine.travel(morning(OPENS + timedelta(days=20)), tick=False):
        calls = needs_phone_call(access_to(coordinator_user(), "ips-norway"))
    assert calls == [{"participant_id": code, "timepoint": "6m", "closes_on": "2014-08-26",
                      "why": "the e-mail was refused"}]


def test_without_a_mail_server_messages_wait_in_the_outbox(trial_app: Flask, coordinator: Api) -> None:
    code = randomize(coordinator, email="kari@example.org")
    report = dispatch(OPENS)[0]
    assert (report.invitations, report.waiting) == (1, 1)
    assert "1 message(s) wait in the outbox (MAIL_SERVER is not set)" in report.summary()
    assert outline(code) == [("6m", "invitation", 0, "pending")]
    (message,) = messages(code)
    assert message.attempts == 0 and b"kari" not in (message.recipient_enc or b"")   # sealed


def test_a_dispatcher_that_died_while_sending_leaves_the_message_to_the_next_after_its_lease(
        mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    randomize(coordinator, email="kari@example.org")
    mail_app.config["MAIL_SERVER"] = None
    dispatch(OPENS)                                       # the invitation is written
    trial_id = db.session.scalars(select(Trial.id)).one()
    assert len(claim_due(trial_id, morning(OPENS), 10)) == 1   # claimed, then the process "dies"
    db.session.commit()
    mail_app.config["MAIL_SERVER"] = "127.0.0.1"
    assert dispatch(morning(OPENS) + LEASE - timedelta(seconds=1))[0].sent == 0
    assert dispatch(morning(OPENS) + LEASE)[0].sent == 1
    assert len(mailbox.received) == 1
    assert db.session.scalars(select(OutboxMessage.attempts)).one() == 2


def coordinator_user():  # noqa: ANN201 - User
    from trial.models import Membership, User

    return db.session.scalars(select(User).join(Membership).where(Membership.role == "coordinator")).first()
