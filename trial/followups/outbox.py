"""The outbox: writing messages, cancelling them, and claiming them for sending.

A message is written in the same transaction as the decision to send it (a window opening, a
reminder day) and goes out later. Status moves:

    pending -> sending -> sent
                       -> pending (a transient failure: retried with exponential backoff)
                       -> failed  (the server refused the recipient or the content for good)
    pending -> cancelled          (visit completed or closed, participant left follow-up)
    no-address                    (nothing to send: the participant gave no e-mail; call them)

Claiming takes due rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises the claim) and moves them to `sending` with a lease in `next_attempt_at`, then commits
before any network I/O, so no lock is held while the mail server talks. The result is recorded
only if the claim is still ours (same `attempts`): two dispatchers never send one message twice.
A dispatcher that dies mid-send leaves `sending` rows that are claimed again once the lease ends
(at least once, never lost). Personal data (address, body) is sealed; `last_error` names only the
error class and SMTP code, never the server's text, which may quote the address.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update

from ..extensions import db
from ..models import OutboxMessage, Participant, Screening, Trial, Visit
from ..protocol import current_protocol
from ..sealing import seal, unseal
from . import compose
from .links import link_url, personal_link
from .rules import FOLLOWED_STATUSES, OUTSTANDING

LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
CLOSED_VISITS = ("completed", "missed", "cancelled")


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, as plain values, so sending needs no database session."""

    id: int
    uid: str
    attempts: int
    recipient: str
    subject: str
    body: str


def write(trial: Trial, visit: Visit, kind: str, sequence: int, key: bytes, now: datetime) -> OutboxMessage:
    """Write an invitation or reminder for a visit; without an e-mail address it is recorded as no-address."""
    screening: Screening = visit.participant.screening
    language = compose.language_of(screening.language)
    message = OutboxMessage(trial_id=trial.id, participant_id=visit.participant_id, visit_id=visit.id,
                            kind=kind, sequence=sequence, channel="email",
                            subject=compose.subject(current_protocol(trial).trial.name_for_messages, language),
                            attempts=0,
                            next_attempt_at=now, created_at=now)
    address = unseal(screening, "email")
    if address is None:
        message.status = "no-address"
    else:
        message.status = "pending"
        url = link_url(personal_link(key, visit))
        seal(message, "recipient", address)
        seal(message, "body", compose.body(kind, language, url, visit.closes_on))
    db.session.add(message)
    return message


def cancel_pending(*where: ColumnElement[bool], now: datetime) -> int:
    """Cancel pending messages matching `where`; returns how many. A message already being sent goes."""
    result = db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending", *where)
                                .values(status="cancelled", cancelled_at=now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


def cancel_stale(trial_id: int, now: datetime) -> int:
    """Cancel pending messages whose visit is no longer open or whose participant left follow-up."""
    closed = select(Visit.id).where(Visit.status.in_(CLOSED_VISITS))
    gone = select(Participant.id).where(Participant.trial_id == trial_id,
                                        Participant.status.not_in(FOLLOWED_STATUSES))
    return cancel_pending(OutboxMessage.trial_id == trial_id,
                          OutboxMessage.visit_id.in_(closed) | OutboxMessage.participant_id.in_(gone),
                          now=now)


def count_due(trial_id: int, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.trial_id == trial_id, OutboxMessage.status.in_(OUTSTANDING),
        OutboxMessage.next_attempt_at <= now)) or 0


def claim_due(trial_id: int, now: datetime, limit: int) -> list[Outgoing]:
    """Claim up to `limit` due messages for sending (the caller commits before sending)."""
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.trial_id == trial_id, OutboxMessage.status.in_(OUTSTANDING),
                                    OutboxMessage.next_attempt_at <= now, OutboxMessage.channel == "email")
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
    claimed = []
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = "sending", row.attempts + 1, now + LEASE
        claimed.append(Outgoing(id=row.id, uid=row.uid, attempts=row.attempts, subject=row.subject,
                                recipient=unseal(row, "recipient") or "", body=unseal(row, "body") or ""))
    db.session.flush()
    return claimed


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most an hour; the window's close ends the retries."""
    doublings = min(max(attempts - 1, 0), 10)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


def record_sent(message: Outgoing, now: datetime) -> bool:
    return _settle(message, status="sent", sent_at=now, last_error=None)


def record_failure(message: Outgoing, error: str, permanent: bool, now: datetime) -> bool:
    return _settle(message, status="failed" if permanent else "pending", last_error=error[:300],
                   next_attempt_at=now + retry_delay(message.attempts))


def _settle(message: Outgoing, **values: object) -> bool:
    # Only our own claim is settled: a claim taken over after the lease ran out has another `attempts`.
    result = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message.id, OutboxMessage.status == "sending",
        OutboxMessage.attempts == message.attempts).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE
