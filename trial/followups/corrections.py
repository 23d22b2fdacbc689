"""Correcting a participant's randomization date, which moves every visit not yet completed.

The allocation itself is untouched (its list, position and period are facts of the draw); the
date must stay inside that allocation's period, so the analysis by period stays true. Visits
are re-planned from the corrected date by the same pure function randomization used; messages
written for the old windows that never went out are withdrawn, and the next dispatcher pass
writes them again with the corrected dates. The reason goes into the audit entry's reason field
(staff write why - "entered on the wrong day" - never who).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from .. import audit
from ..datalocks.service import lock_in_force
from ..enrollment.common import not_in_future, protocol
from ..errors import InvalidInput
from ..extensions import db
from ..models import OutboxMessage, Participant, ParticipantEvent, Trial, Visit
from ..policy import Access
from ..protocol import Protocol
from ..schedule import plan_visits
from .events import lock_participant
from .rules import STOPS_FOLLOW_UP


def correct_randomization_date(access: Access, participant: Participant, on: date,
                               reason: str) -> list[Visit]:
    """Set the randomization date to `on` and re-plan the visits not completed; returns those visits."""
    if not reason.strip():
        raise InvalidInput("a correction needs a reason", errors={"reason": "is required"})
    participant = lock_participant(participant)
    p = protocol(access)
    left_on = _check(access, p, participant, on)
    planned = {v.timepoint: v for v in plan_visits(on, p.timepoints)}
    visits = db.session.scalars(
        select(Visit).where(Visit.participant_id == participant.id, Visit.status != "completed")
        .order_by(Visit.id).with_for_update().execution_options(populate_existing=True)).all()
    moved = [v for v in visits if v.timepoint in planned]
    for visit in moved:
        plan = planned[visit.timepoint]
        visit.due_on, visit.opens_on, visit.closes_on = plan.due_on, plan.opens_on, plan.closes_on
        visit.status = _status(visit, left_on)
    withdrawn = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.visit_id.in_([v.id for v in moved]), OutboxMessage.status.not_in(("sent", "sending"))))
    before, participant.randomized_on = participant.randomized_on, on
    # The screening log ends on the randomization day; CONSORT checks the two agree (K3).
    participant.screening.ended_on = on
    db.session.flush()
    audit.record(db.session, actor=access.actor, action="participant.randomization_date_corrected",
                 trial_code=access.trial.code, entity=f"participant:{participant.code}",
                 details={"from": before.isoformat(), "to": on.isoformat(),
                          "visits": [v.timepoint for v in moved],
                          "unsent_messages_withdrawn": int(withdrawn.rowcount or 0),  # type: ignore[attr-defined]
                          **post_lock(access.trial)},
                 reason=reason.strip())
    return moved


def post_lock(trial: Trial) -> dict[str, int]:
    """Audit details naming the data lock in force, so a change made after a lock is traceable to it."""
    lock = lock_in_force(trial)
    return {"lock_version": lock.version} if lock is not None else {}


def _check(access: Access, p: Protocol, participant: Participant, on: date) -> date | None:
    """Refuse a date that cannot be the randomization date; returns when the participant left follow-up."""
    not_in_future(access, on, "on")
    screening = participant.screening
    # The first consent: a later re-consent does not move the earliest possible randomization date.
    consented = min((c.consented_on for c in screening.consents), default=screening.referred_on)
    events = db.session.scalars(select(ParticipantEvent).where(
        ParticipantEvent.participant_id == participant.id)).all()
    period = next((x for x in p.randomization.periods if x.name == participant.allocation.period), None)
    errors = {}
    if on == participant.randomized_on:
        errors["on"] = "is already the randomization date"
    elif on < consented:
        errors["on"] = f"before the consent on {consented}"
    elif events and on > min(e.on for e in events):
        errors["on"] = f"after an event recorded on {min(e.on for e in events)}"
    elif period is not None and (on < (period.starts or on) or on > (period.ends or on)):
        errors["on"] = f"outside the allocation period {period.name!r} the participant was randomized in"
    if errors:
        raise InvalidInput("the randomization date cannot be corrected to this date", errors=errors)
    return min((e.on for e in events if e.kind in STOPS_FOLLOW_UP), default=None)


def _status(visit: Visit, left_on: date | None) -> str:
    # Still followed: back to scheduled, and the dispatcher's next pass opens, invites or marks missed.
    if left_on is None:
        return "scheduled"
    return "cancelled" if left_on <= visit.closes_on else "missed"
