"""Withdrawals, deaths and losses to follow-up, and what each must stop.

- intervention: still followed up (intention to treat); nothing is cancelled.
- follow-up, died, lost-to-follow-up: no more invitations; data kept. Pending messages are
  cancelled, and every visit not completed whose window closes on or after the event's date is
  cancelled; one whose window closed before it is missed, as CONSORT counts it.
- all: as follow-up, and final; a data-erasure request is recorded for the data protection
  officer (audit action "erasure.requested", listed by `erasure_requests`).

Each event is a ParticipantEvent with its reason sealed; the audit entry carries the scope or
type and the date only, because a free-text reason may name a person or an illness.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from .. import audit, clock
from ..enrollment.common import not_in_future
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import AuditEvent, OutboxMessage, Participant, ParticipantEvent, Visit
from ..policy import Access
from ..sealing import seal
from .outbox import cancel_pending
from .rules import FINAL_STATUSES, STOPS_FOLLOW_UP, stronger_status

SCOPES = {"intervention": "withdrawn-intervention", "follow-up": "withdrawn-follow-up",
          "all": "withdrawn-all"}
EVENT_TYPES = ("died", "lost-to-follow-up")
ERASURE_REQUESTED = "erasure.requested"


def withdraw(access: Access, participant: Participant, scope: str, on: date, reason: str) -> str:
    """Record a withdrawal of `scope`; returns the participant's status (the caller commits)."""
    if scope not in SCOPES:
        raise InvalidInput("unknown withdrawal scope", errors={"scope": f"one of {', '.join(SCOPES)}"})
    if not reason.strip():
        raise InvalidInput("a withdrawal needs a reason", errors={"reason": "is required"})
    return _depart(access, participant, SCOPES[scope], on, reason, action="participant.withdrawn",
                   details={"scope": scope})


def record_event(access: Access, participant: Participant, kind: str, on: date, reason: str | None) -> str:
    """Record a death or a loss to follow-up; returns the participant's status (the caller commits)."""
    if kind not in EVENT_TYPES:
        raise InvalidInput("unknown event type", errors={"type": f"one of {', '.join(EVENT_TYPES)}"})
    return _depart(access, participant, kind, on, reason, action="participant.event", details={"type": kind})


def _depart(access: Access, participant: Participant, kind: str, on: date, reason: str | None, *,
            action: str, details: dict[str, Any]) -> str:
    participant = lock_participant(participant)
    _check_date(access, participant, on)
    if participant.status in FINAL_STATUSES:
        raise Conflict(f"nothing more can be recorded: the participant is {participant.status}",
                       status_now=participant.status)
    earlier = select(ParticipantEvent.id).where(ParticipantEvent.participant_id == participant.id,
                                                ParticipantEvent.kind == kind)
    if db.session.scalar(earlier.limit(1)) is not None:
        raise Conflict(f"{kind} is already recorded for this participant", status_now=participant.status)
    now = clock.now()
    event = ParticipantEvent(participant_id=participant.id, kind=kind, on=on, recorded_at=now,
                             recorded_by=access.actor)
    seal(event, "reason", reason.strip() if reason and reason.strip() else None)
    db.session.add(event)
    participant.status = stronger_status(participant.status, kind)
    stopped = stop_follow_up(participant, on) if kind in STOPS_FOLLOW_UP else {"visits": 0, "messages": 0}
    entity = f"participant:{participant.code}"
    audit.record(db.session, actor=access.actor, action=action, trial_code=access.trial.code, entity=entity,
                 details={**details, "on": on.isoformat(), "cancelled": stopped,
                          "status": participant.status})
    if kind == "withdrawn-all":
        audit.record(db.session, actor=access.actor, action=ERASURE_REQUESTED, trial_code=access.trial.code,
                     entity=entity, details={"on": on.isoformat()})
    return participant.status


def lock_participant(participant: Participant) -> Participant:
    """Lock the participant's row (refreshed) before changing their follow-up.

    FOR NO KEY UPDATE serialises events and responses for one participant without blocking the
    dispatcher's inserts that merely reference the row (those take KEY SHARE): no deadlock."""
    return db.session.scalars(select(Participant).where(Participant.id == participant.id)
                              .with_for_update(key_share=True).execution_options(populate_existing=True)).one()


def _check_date(access: Access, participant: Participant, on: date) -> None:
    not_in_future(access, on, "on")
    if on < participant.randomized_on:
        raise InvalidInput("the date is before the randomization",
                           errors={"on": f"before the randomization on {participant.randomized_on}"})


def stop_follow_up(participant: Participant, on: date) -> dict[str, int]:
    """Cancel pending messages and the visits a departure on `on` ends; returns the counts.

    A visit whose window had closed before `on` without an answer is missed: the dispatcher skips
    a participant no longer followed, so nothing else would ever mark it."""
    visits = db.session.scalars(select(Visit).where(
        Visit.participant_id == participant.id, Visit.status.in_(("scheduled", "open", "missed")))).all()
    for visit in visits:
        visit.status = "cancelled" if visit.closes_on >= on else "missed"
    messages = cancel_pending(OutboxMessage.participant_id == participant.id, now=clock.now())
    db.session.flush()
    return {"visits": sum(v.status == "cancelled" for v in visits), "messages": messages}


def erasure_requests(access: Access) -> list[dict[str, str]]:
    """Withdrawals from everything, oldest first, for the data protection officer's list."""
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.trial_code == access.trial.code, AuditEvent.action == ERASURE_REQUESTED)
        .order_by(AuditEvent.seq))
    return [{"participant_id": (e.entity or "").removeprefix("participant:"), "withdrawn_on": e.details["on"],
             "recorded_at": e.at.isoformat(), "recorded_by": e.actor} for e in events]
