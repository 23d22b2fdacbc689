"""Follow-up questionnaires received (on paper, entered by staff, or online) and their corrections.

A response counts only for a timepoint of the protocol, an instrument of that timepoint, filled in
inside the visit's window and on or before any departure that stops follow-up (`check_accepted`,
which the paper pages and the participant's link use too). The visit is completed when
all its instruments are in; its queued reminders are then cancelled. A second submission for
the same instrument is refused: changing stored answers is a correction, with a reason.
Usable without a staff Access (the participant's own questionnaire pages record with their link).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from .. import audit, clock
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import OutboxMessage, Participant, ParticipantEvent, Response, Visit
from ..protocol import Protocol, current_protocol
from ..questionnaires import score
from ..questionnaires_web.responses import complete_if_all_recorded, store_response
from ..schedule import window_is_open
from ..sealing import seal_json
from .corrections import post_lock
from .events import lock_participant
from .outbox import cancel_pending
from .rules import STOPS_FOLLOW_UP

MODES = ("paper", "online")


@dataclass(frozen=True)
class Recorded:
    response: Response
    scores: dict[str, Any]
    visit: Visit


def record_response(participant: Participant, timepoint: str, instrument: str, answers: object, *, mode: str,
                    actor: str, completed_on: date | None = None) -> Recorded:
    """Validate, score and store one instrument's follow-up answers (flushed; the caller commits)."""
    p = current_protocol(participant.trial)
    completed_on = completed_on or clock.today(participant.trial.timezone)
    _check_fields(p, participant, timepoint, instrument, completed_on, mode)
    form, cleaned, scores = score(p, instrument, answers)
    participant, visit = lock_for_response(participant, timepoint)
    check_accepted(participant, visit, completed_on)
    if _stored(participant, timepoint, instrument) is not None:
        raise Conflict(f"{instrument} at {timepoint} is already recorded; "
                       "a change is a correction, with a reason")
    response = store_response(participant, visit, form, cleaned, scores, mode=mode, completed_on=completed_on,
                              actor=actor)
    if complete_if_all_recorded(p, visit, mode):
        # A paper form dated inside the window also completes a visit the dispatcher had called missed.
        cancel_pending(OutboxMessage.visit_id == visit.id, now=clock.now())
    audit.record(db.session, actor=actor, action="response.recorded", trial_code=participant.trial.code,
                 entity=f"participant:{participant.code}",
                 details={"timepoint": timepoint, "instrument": instrument, "mode": mode,
                          "completed_on": completed_on.isoformat(), "visit": visit.status})
    return Recorded(response, scores, visit)


def correct_response(participant: Participant, timepoint: str, instrument: str, answers: object, *,
                     reason: str, actor: str) -> Recorded:
    """Replace stored follow-up answers (a reasoned, audited correction); the caller commits.

    The reason goes into the audit entry's reason field: staff write why ("item 4 misread from
    the paper form"), never who or what illness."""
    if not reason.strip():
        raise InvalidInput("a correction needs a reason", errors={"reason": "is required"})
    p = current_protocol(participant.trial)
    _check_fields(p, participant, timepoint, instrument, None, MODES[0])
    form, cleaned, scores = score(p, instrument, answers)
    participant = lock_participant(participant)
    response = _stored(participant, timepoint, instrument)
    if response is None:
        raise NotFound(f"no {instrument} recorded at {timepoint} for this participant")
    response.instrument_version = form.version
    seal_json(response, "answers", cleaned)
    seal_json(response, "scores", scores)
    db.session.flush()
    audit.record(db.session, actor=actor, action="response.corrected", trial_code=participant.trial.code,
                 entity=f"participant:{participant.code}",
                 details={"timepoint": timepoint, "instrument": instrument, **post_lock(participant.trial)},
                 reason=reason.strip())
    return Recorded(response, scores, _visit(participant, timepoint))


def _check_fields(p: Protocol, participant: Participant, code: str, instrument: str,
                  completed_on: date | None, mode: str) -> None:
    errors: dict[str, str] = {}
    spec = p.timepoint(code)
    if spec is None or spec.offset_months <= 0:
        follow_ups = ", ".join(t.code for t in p.timepoints if t.offset_months > 0)
        errors["timepoint"] = f"not a follow-up timepoint of this trial ({follow_ups})"
    elif instrument not in spec.instruments:
        errors["instrument"] = f"not an instrument of {code} ({', '.join(spec.instruments)})"
    if completed_on is not None and completed_on > clock.today(participant.trial.timezone):
        errors["completed_on"] = f"{completed_on} is in the future"
    if mode not in MODES:
        errors["mode"] = f"one of {', '.join(MODES)}"
    if errors:
        raise InvalidInput("the response cannot be recorded", errors=errors)


def lock_for_response(participant: Participant, timepoint: str) -> tuple[Participant, Visit]:
    """Lock the participant, then the visit (both refreshed), before storing any of its answers.

    Every way in (API, paper pages, the participant's link) takes it, so two entries of the same
    questionnaire at the same moment are serialised: the second sees the first and is refused."""
    participant = lock_participant(participant)
    return participant, _visit(participant, timepoint)


def check_accepted(participant: Participant, visit: Visit, completed_on: date) -> None:
    """Refuse (Conflict) answers filled in outside the visit's window or after the participant left
    follow-up; a form dated on or before the departure still counts, however late it is typed in."""
    _check_window(visit, completed_on)
    left_on = db.session.scalar(select(func.min(ParticipantEvent.on)).where(
        ParticipantEvent.participant_id == participant.id, ParticipantEvent.kind.in_(STOPS_FOLLOW_UP)))
    if left_on is not None and completed_on > left_on:
        raise Conflict(f"the participant left follow-up ({participant.status}) on {left_on}, "
                       f"before {completed_on}", status_now=participant.status, left_on=left_on.isoformat())


def _visit(participant: Participant, timepoint: str) -> Visit:
    visit = db.session.scalars(select(Visit).where(Visit.participant_id == participant.id,
                                                   Visit.timepoint == timepoint)
                               .with_for_update().execution_options(populate_existing=True)).one_or_none()
    if visit is None:  # a timepoint added by an amendment after this participant was randomized
        raise Conflict(f"the participant has no {timepoint} visit in their schedule")
    return visit


def _check_window(visit: Visit, completed_on: date) -> None:
    if not window_is_open(visit, completed_on):
        raise Conflict(f"{completed_on} is outside the {visit.timepoint} window "
                       f"({visit.opens_on} to {visit.closes_on})", errors={"completed_on": "outside the window"},
                       opens_on=visit.opens_on.isoformat(), closes_on=visit.closes_on.isoformat())


def _stored(participant: Participant, timepoint: str, instrument: str) -> Response | None:
    return db.session.scalars(select(Response).where(
        Response.screening_id == participant.screening_id, Response.timepoint == timepoint,
        Response.instrument == instrument)).one_or_none()

