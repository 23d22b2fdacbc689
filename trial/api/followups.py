"""Follow-up through the API: responses, withdrawals, events, randomization-date corrections."""
from __future__ import annotations

from flask import g, jsonify
from flask.typing import ResponseReturnValue

from ..enrollment.participants import participant_by_code, participant_summary
from ..extensions import db
from ..followups import correct_randomization_date, correct_response, record_event, record_response, withdraw
from ..policy import Permission, requires
from . import api_user, bp
from .parsing import Body

PARTICIPANT = "/trials/<trial>/participants/<code>"


@bp.post(f"{PARTICIPANT}/responses")
@requires(Permission.FOLLOW_UP, api_user)
def record_followup_response(trial: str, code: str) -> ResponseReturnValue:
    """Record one instrument answered at a follow-up timepoint."""
    body = Body()
    timepoint, instrument, mode = body.text("timepoint"), body.text("instrument"), body.text("mode")
    answers, completed_on = body.mapping("answers"), body.day("completed_on", False)
    body.done()
    participant = participant_by_code(g.access, code)
    result = record_response(participant, timepoint or "", instrument or "", answers, mode=mode or "",
                             actor=g.access.actor, completed_on=completed_on)
    db.session.commit()
    return jsonify({"scores": result.scores, "visit": {"timepoint": result.visit.timepoint,
                                                        "status": result.visit.status}}), 201


@bp.put(f"{PARTICIPANT}/responses/<timepoint>/<instrument>")
@requires(Permission.FOLLOW_UP, api_user)
def correct_followup_response(trial: str, code: str, timepoint: str, instrument: str) -> ResponseReturnValue:
    """Correct stored follow-up answers, with a reason (audited)."""
    body = Body()
    answers, reason = body.mapping("answers"), body.text("reason")
    body.done()
    participant = participant_by_code(g.access, code)
    result = correct_response(participant, timepoint, instrument, answers, reason=reason or "",
                              actor=g.access.actor)
    db.session.commit()
    return jsonify({"scores": result.scores})


@bp.post(f"{PARTICIPANT}/withdrawal")
@requires(Permission.FOLLOW_UP, api_user)
def withdrawal(trial: str, code: str) -> ResponseReturnValue:
    """Withdraw a participant from the intervention, from follow-up, or from everything."""
    body = Body()
    scope, on, reason = body.text("scope"), body.day("on"), body.text("reason", max_length=1000)
    body.done()
    status = withdraw(g.access, participant_by_code(g.access, code), scope or "", on, reason or "")  # type: ignore[arg-type]  # checked by done()
    db.session.commit()
    return jsonify({"status": status})


@bp.post(f"{PARTICIPANT}/events")
@requires(Permission.FOLLOW_UP, api_user)
def participant_event(trial: str, code: str) -> ResponseReturnValue:
    """Record a death or a loss to follow-up."""
    body = Body()
    kind, on, reason = body.text("type"), body.day("on"), body.text("reason", False, max_length=1000)
    body.done()
    status = record_event(g.access, participant_by_code(g.access, code), kind or "", on, reason)  # type: ignore[arg-type]  # checked by done()
    db.session.commit()
    return jsonify({"status": status})


@bp.post(f"{PARTICIPANT}/randomization-date")
@requires(Permission.FOLLOW_UP, api_user)
def randomization_date(trial: str, code: str) -> ResponseReturnValue:
    """Correct the randomization date (with a reason); visits not completed are re-planned."""
    body = Body()
    on, reason = body.day("on"), body.text("reason", max_length=1000)
    body.done()
    participant = participant_by_code(g.access, code)
    correct_randomization_date(g.access, participant, on, reason or "")  # type: ignore[arg-type]  # checked by done()
    db.session.commit()
    return jsonify(participant_summary(g.access, participant))
