"""Baseline questionnaires, entered before randomization is allowed."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit, clock
from ..errors import InvalidInput
from ..extensions import db
from ..models import Response, Screening
from ..policy import Access
from ..questionnaires import score
from ..sealing import seal_json
from .common import protocol, require_state, today

MODES = ("paper", "device")


def record_baseline(access: Access, screening: Screening, responses: dict[str, object],
                    mode: str = "paper", reason: str | None = None) -> list[str]:
    """Validate, score and store baseline answers; returns the baseline instruments still missing.

    All instruments in the request are checked before anything is stored, so a bad answer in one
    leaves the others unrecorded too. A repeated instrument replaces the earlier answers (a
    correction before randomization), which needs a reason and is audited as such."""
    require_state(screening, "consented", "ready", doing="record baseline answers")
    p = protocol(access)
    expected = p.baseline.instruments
    if mode not in MODES:
        raise InvalidInput("unknown mode", errors={"mode": f"one of {', '.join(MODES)}"})
    unknown = [code for code in responses if code not in expected]
    if unknown or not responses:
        raise InvalidInput("the baseline instruments are " + ", ".join(expected),
                           errors={code: "not a baseline instrument" for code in unknown} or {"responses": "empty"})
    scored = {code: score(p, code, answers) for code, answers in responses.items()}
    existing = {r.instrument: r for r in db.session.scalars(
        select(Response).where(Response.screening_id == screening.id, Response.timepoint == p.baseline.code))}
    corrected = [code for code in scored if code in existing]
    if corrected and not (reason or "").strip():
        raise InvalidInput("changing recorded baseline answers is a correction and needs a reason",
                           errors={"reason": f"required to correct {', '.join(corrected)}"})
    for code, (instrument, answers, scores) in scored.items():
        row = existing.get(code) or Response(screening_id=screening.id, timepoint=p.baseline.code, instrument=code)
        row.instrument_version, row.mode = instrument.version, mode
        row.completed_on, row.recorded_at, row.recorded_by = today(access), clock.now(), access.actor
        seal_json(row, "answers", answers)
        seal_json(row, "scores", scores)
        db.session.add(row)
        audit.record(db.session, actor=access.actor, trial_code=access.trial.code,
                     action="baseline.corrected" if code in existing else "baseline.recorded",
                     entity=f"screening:{screening.uid}", details={"instrument": code, "mode": mode},
                     reason=reason.strip() if code in existing and reason else None)
    missing = [code for code in expected if code not in existing and code not in scored]
    screening.status = "consented" if missing else "ready"
    db.session.flush()
    return missing
