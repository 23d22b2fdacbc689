"""One pass of the follow-up dispatcher, per trial, in the trial's own time zone.

1. Schedule (one transaction): cancel queued messages that must stop, mark visits whose window
   has closed as missed, open windows (scheduled -> open) and write each visit's invitation or
   reminder in the same transaction as that change. Visits are locked with `FOR UPDATE SKIP
   LOCKED`, so a second dispatcher works on other visits; `rules.next_message` and the outbox's
   unique (visit, kind, sequence) make a second pass on the same day write nothing new.
2. Send: claim due messages in small batches, send them with no transaction open, record each
   outcome at once (trial.followups.outbox explains the claim and its lease).

Visit dates are rows computed at randomization (style point 14); a pass only compares them with
today, so it can run every minute, twice, or after a week's pause without sending anything twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import clock
from ..database import run_unit_of_work
from ..extensions import db
from ..models import OutboxMessage, Participant, Trial, Visit
from ..protocol import Protocol, current_protocol
from ..schedule import local_date, plan_visits
from . import outbox
from .links import link_key
from .mailer import Delivery, SmtpMailer, mailer_from_config
from .rules import FOLLOWED_STATUSES, SentMessage, next_message

BATCH = 20   # messages claimed at a time: small, so a second dispatcher shares the work


@dataclass
class PassReport:
    """What one pass did for one trial."""

    trial: str
    opened: int = 0
    invitations: int = 0
    reminders: int = 0
    no_address: int = 0
    missed: int = 0
    cancelled: int = 0
    sent: int = 0
    retrying: int = 0
    refused: int = 0
    waiting: int | None = None   # messages left in the outbox because no mail server is configured

    @property
    def quiet(self) -> bool:
        """Nothing happened (most minutes)."""
        return not any((self.opened, self.invitations, self.reminders, self.missed, self.cancelled, self.sent,
                        self.retrying, self.refused))

    def summary(self) -> str:
        text = (f"{self.trial}: opened {self.opened} window(s), wrote {self.invitations} invitation(s) and "
                f"{self.reminders} reminder(s) ({self.no_address} without an e-mail address: call them), "
                f"marked {self.missed} visit(s) missed, cancelled {self.cancelled} message(s); ")
        if self.waiting is not None:
            return text + f"{self.waiting} message(s) wait in the outbox (MAIL_SERVER is not set)"
        return text + f"sent {self.sent}, {self.retrying} to retry, {self.refused} refused by the mail server"


def run_pass(now: datetime | None = None) -> list[PassReport]:
    """Run one pass over every trial (inside an app context); each step commits its own work."""
    mailer = mailer_from_config(current_app.config)
    now = now or clock.now()
    trial_ids = list(db.session.scalars(select(Trial.id).order_by(Trial.id)))
    db.session.commit()  # end the read: on SQLite every transaction holds the write lock
    reports = []
    for trial_id in trial_ids:
        report = run_unit_of_work(db.session, lambda trial_id=trial_id: update_schedule(trial_id, now))
        send_due(trial_id, report, mailer, now)
        reports.append(report)
    return reports


def update_schedule(trial_id: int, now: datetime) -> PassReport:
    """Step 1 for one trial, flushed; the caller commits."""
    trial = db.session.get_one(Trial, trial_id)
    today = local_date(now, trial.timezone)
    report = PassReport(trial.code, cancelled=outbox.cancel_stale(trial.id, now))
    visits = _visits_to_look_at(trial.id, today)
    if visits:
        _advance(trial, visits, today, now, report)
    db.session.flush()
    return report


def _advance(trial: Trial, visits: list[Visit], today: date, now: datetime, report: PassReport) -> None:
    """Close, open and write the messages of each visit whose window has opened."""
    written = _messages_of(visits, trial.timezone)
    protocol, key = current_protocol(trial), None
    for visit in visits:
        if today > visit.closes_on:
            visit.status = "missed"
            report.missed += 1
            report.cancelled += outbox.cancel_pending(OutboxMessage.visit_id == visit.id, now=now)
            continue
        if visit.status == "scheduled":
            visit.status, report.opened = "open", report.opened + 1
        decision = next_message(visit.opens_on, visit.closes_on, _reminders_on(protocol, visit), today,
                                written.get(visit.id, ()))
        if decision is not None:
            key = key or link_key(trial)
            message = outbox.write(trial, visit, *decision, key=key, now=now)
            report.invitations += message.kind == "invitation"
            report.reminders += message.kind == "reminder"
            report.no_address += message.status == "no-address"


def _visits_to_look_at(trial_id: int, today: date) -> list[Visit]:
    """Visits of followed participants whose window has opened and that are not yet final, locked."""
    return list(db.session.scalars(
        select(Visit).join(Visit.participant).options(contains_eager(Visit.participant))
        .where(Participant.trial_id == trial_id, Participant.status.in_(FOLLOWED_STATUSES),
               Visit.status.in_(("scheduled", "open")), Visit.opens_on <= today)
        .order_by(Visit.id).with_for_update(skip_locked=True, of=Visit)
        .execution_options(populate_existing=True)))


def _messages_of(visits: list[Visit], timezone: str) -> dict[int, list[SentMessage]]:
    found: dict[int, list[SentMessage]] = {}
    if not visits:
        return found
    rows = db.session.execute(select(OutboxMessage.visit_id, OutboxMessage.kind, OutboxMessage.sequence,
                                     OutboxMessage.status, OutboxMessage.sent_at)
                              .where(OutboxMessage.visit_id.in_([v.id for v in visits])))
    for visit_id, kind, sequence, status, sent_at in rows:
        assert visit_id is not None  # noqa: S101 - selected by visit id
        sent_on = local_date(sent_at, timezone) if sent_at is not None else None
        found.setdefault(visit_id, []).append(SentMessage(kind, sequence, status, sent_on))
    return found


def _reminders_on(protocol: Protocol, visit: Visit) -> tuple[date, ...]:
    timepoint = protocol.timepoint(visit.timepoint)
    if timepoint is None:  # removed by an amendment: the visit keeps its window, without reminders
        return ()
    planned = plan_visits(visit.participant.randomized_on, [timepoint])
    return planned[0].reminders_on if planned else ()


def send_due(trial_id: int, report: PassReport, mailer: SmtpMailer | None, now: datetime) -> None:
    """Step 2 for one trial: claim, send and record until nothing due is left."""
    if mailer is None:
        report.waiting = outbox.count_due(trial_id, now)
        db.session.commit()
        return
    while True:
        batch = run_unit_of_work(db.session, lambda: outbox.claim_due(trial_id, now, BATCH))
        if not batch:
            return    # nothing due: do not even connect to the mail server
        for message, delivery in mailer.deliver(batch):
            _record(message, delivery, report)
        if len(batch) < BATCH:
            return


def _record(message: outbox.Outgoing, delivery: Delivery, report: PassReport) -> None:
    at = clock.now()
    if delivery.ok:
        run_unit_of_work(db.session, lambda: outbox.record_sent(message, at))
        report.sent += 1
    else:
        run_unit_of_work(db.session, lambda: outbox.record_failure(message, delivery.error or "error",
                                                                   delivery.permanent, at))
        report.refused += delivery.permanent
        report.retrying += not delivery.permanent
