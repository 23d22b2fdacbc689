"""Storing a follow-up visit's answers as sealed Responses, and completing the visit once all are in."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from .. import clock
from ..extensions import db
from ..models import Participant, QuestionnaireDraft, Response, Visit
from ..protocol import Protocol
from ..sealing import seal_json


def store_response(participant: Participant, visit: Visit, instrument: Any, answers: dict[str, Any],
                   scores: dict[str, Any], *, mode: str, completed_on: date, actor: str) -> Response:
    response = Response(screening_id=participant.screening_id, timepoint=visit.timepoint,
                        instrument=instrument.code, instrument_version=instrument.version, mode=mode,
                        completed_on=completed_on, recorded_at=clock.now(), recorded_by=actor,
                        visit_id=visit.id)
    seal_json(response, "answers", answers)
    seal_json(response, "scores", scores)
    db.session.add(response)
    db.session.flush()
    return response


def complete_if_all_recorded(p: Protocol, visit: Visit, mode: str) -> bool:
    """Mark the visit completed when every instrument of its timepoint has a Response.

    The completion date is the latest date a questionnaire of the visit was filled in (for paper,
    the date on the form, not the day it was typed in). A draft left from the online link goes."""
    timepoint = p.timepoint(visit.timepoint)
    screening_id = visit.participant.screening_id
    recorded = set(db.session.scalars(select(Response.instrument).where(
        Response.screening_id == screening_id, Response.timepoint == visit.timepoint)))
    if timepoint is None or not set(timepoint.instruments) <= recorded:
        return False
    visit.status, visit.completion_mode = "completed", mode
    visit.completed_on = db.session.scalar(select(func.max(Response.completed_on)).where(
        Response.screening_id == screening_id, Response.timepoint == visit.timepoint))
    db.session.execute(delete(QuestionnaireDraft).where(QuestionnaireDraft.visit_id == visit.id))
    db.session.flush()
    return True
