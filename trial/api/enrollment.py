"""Enrollment through the API: screening log, eligibility, exclusion, consent, baseline, randomization."""
from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue

from ..database import run_unit_of_work
from ..enrollment import screening as screening_ops
from ..enrollment.baseline import record_baseline
from ..enrollment.common import screening_by_uid
from ..enrollment.consent import ConsentForm, record_consent
from ..enrollment.participants import participant_by_code, participant_summary
from ..enrollment.randomize import randomize
from ..extensions import db
from ..policy import Permission, requires
from . import api_user, bp
from .parsing import Body

PREFIX = "/trials/<trial>"


@bp.post(f"{PREFIX}/screenings")
@requires(Permission.ENROLL, api_user)
def create_screening(trial: str) -> ResponseReturnValue:
    body = Body()
    site, referred_on = body.text("site"), body.day("referred_on")
    sex, birth_year, source = body.text("sex", False), body.integer("birth_year", False), body.text("source", False)
    body.done()
    screening = screening_ops.create_screening(g.access, site=site or "", referred_on=referred_on,  # type: ignore[arg-type]  # checked by done()
                                               sex=sex, birth_year=birth_year, source=source)
    db.session.commit()
    return jsonify({"id": screening.uid, "status": screening.status}), 201


@bp.post(f"{PREFIX}/screenings/<uid>/eligibility")
@requires(Permission.ENROLL, api_user)
def eligibility(trial: str, uid: str) -> ResponseReturnValue:
    body = Body()
    answers = body.mapping("answers")
    body.done()
    failed = screening_ops.record_eligibility(g.access, screening_by_uid(g.access, uid), answers)
    db.session.commit()
    return jsonify({"eligible": not failed, "failed": failed})


@bp.post(f"{PREFIX}/screenings/<uid>/exclusion")
@requires(Permission.ENROLL, api_user)
def exclusion(trial: str, uid: str) -> ResponseReturnValue:
    body = Body()
    category, reason = body.text("category"), body.text("reason")
    body.done()
    screening = screening_by_uid(g.access, uid)
    screening_ops.exclude(g.access, screening, category or "", reason or "")
    db.session.commit()
    return jsonify({"status": screening.status})


@bp.post(f"{PREFIX}/screenings/<uid>/consent")
@requires(Permission.ENROLL, api_user)
def consent(trial: str, uid: str) -> ResponseReturnValue:
    body = Body()
    form = ConsentForm(
        version=body.text("version") or "", consented_on=body.day("consented_on"),  # type: ignore[arg-type]  # checked by done()
        name=body.text("name", max_length=200) or "", national_id=body.text("national_id", False),
        email=body.text("email", False), phone=body.text("phone", False),
        method=body.text("method", False) or "paper", signature=body.text("signature", False),
        guardian_name=body.text("guardian_name", False), language=body.text("language", False) or "nb",
        options=body.mapping("options", False))
    body.done()
    screening = screening_by_uid(g.access, uid)
    record_consent(g.access, screening, form)
    db.session.commit()
    return jsonify({"status": screening.status})


@bp.post(f"{PREFIX}/screenings/<uid>/baseline")
@requires(Permission.ENROLL, api_user)
def baseline(trial: str, uid: str) -> ResponseReturnValue:
    body = Body()
    responses, mode = body.mapping("responses"), body.text("mode", False) or "paper"
    reason = body.text("reason", False)
    body.done()
    screening = screening_by_uid(g.access, uid)
    missing = record_baseline(g.access, screening, responses, mode, reason)
    db.session.commit()
    return jsonify({"status": screening.status, "missing": missing})


@bp.post(f"{PREFIX}/screenings/<uid>/randomize")
@requires(Permission.ENROLL, api_user)
def randomize_screening(trial: str, uid: str) -> ResponseReturnValue:
    body = Body()
    factors = body.mapping("factors", False)
    body.done()
    key = request.headers.get("Idempotency-Key")
    access = g.access
    result = run_unit_of_work(db.session, lambda: randomize(access, screening_by_uid(access, uid), factors, key))
    allocation, participant = result.allocation, result.participant
    answer = {"participant_id": participant.code, "arm": participant_summary(access, participant)["arm"],
              "period": allocation.period, "stratum": allocation.stratum, "position": allocation.position,
              "ratio": allocation.ratio, "randomized_at": allocation.randomized_at.isoformat()}
    return jsonify(answer), 200 if result.replayed and key is None else 201


@bp.get(f"{PREFIX}/participants/<code>")
@requires(Permission.VIEW_PARTICIPANTS, api_user)
def participant(trial: str, code: str) -> ResponseReturnValue:
    return jsonify(participant_summary(g.access, participant_by_code(g.access, code)))
