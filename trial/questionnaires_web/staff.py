"""Staff pages: typing in paper questionnaires for follow-up visits (with optional double entry), and
the baseline questionnaires during enrollment (``questionnaires_web.baseline_entry``).

Questions are shown in the participant's language (the language of the paper form being read),
one instrument per page: staff copy a whole form at once, so a page per item would only slow
them down.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..enrollment.baseline import MODES, record_baseline
from ..enrollment.common import protocol, require_state, screening_by_uid, today
from ..enrollment.participants import participant_by_code
from ..errors import InvalidInput
from ..extensions import db
from ..forms.questionnaire import Part, Question, QuestionnaireForm, questionnaire_form
from ..models import PaperEntry, Participant, Response, Screening, Visit
from ..pages import menu_item, page_user
from ..policy import Permission, requires
from ..protocol import Protocol
from ..questionnaires import instrument_for
from ..sealing import unseal_json
from ..security import safe_next_url
from . import bp, paper
from .texts import instrument_texts

PREFIX = "/trials/<trial>/questionnaires"

menu_item("questionnaires_web.paper_list", _l("Paper questionnaires"), Permission.FOLLOW_UP, order=45)


@bp.get(f"{PREFIX}/paper")
@requires(Permission.FOLLOW_UP, page_user)
def paper_list(trial: str) -> ResponseReturnValue:
    """Visits whose window has opened and that still lack questionnaires, and entries awaiting a check."""
    return render_template("questionnaire/staff_list.html", visits=_open_visits(),
                           entries=_entries_to_check())


@bp.get(f"{PREFIX}/paper/<code>/<timepoint>")
@requires(Permission.FOLLOW_UP, page_user)
def paper_visit(trial: str, code: str, timepoint: str) -> ResponseReturnValue:
    participant = participant_by_code(g.access, code)
    visit = paper.visit_of(participant, timepoint)
    spec = protocol(g.access).timepoint(timepoint)
    stages = {code: paper.entry_state(g.access, participant, visit, code).stage
              for code in (spec.instruments if spec else ())}
    return render_template("questionnaire/staff_visit.html", participant=participant, visit=visit,
                           stages=stages)


@bp.route(f"{PREFIX}/paper/<code>/<timepoint>/<instrument>", methods=["GET", "POST"])
@requires(Permission.FOLLOW_UP, page_user)
def paper_entry(trial: str, code: str, timepoint: str, instrument: str) -> ResponseReturnValue:
    participant = participant_by_code(g.access, code)
    visit = paper.visit_of(participant, timepoint)
    p = protocol(g.access)
    state = paper.entry_state(g.access, participant, visit, instrument)
    part = _part(p, instrument, participant.screening.language)
    errors: dict[str, str] = {}
    if request.method == "POST" and state.stage in ("first", "second", "resolve"):
        errors, endpoint = _save_entry(p, participant, visit, part, state)
        if endpoint:
            extra: dict[str, Any] = {"instrument": instrument} if endpoint.endswith("paper_entry") else {}
            return redirect(url_for(endpoint, trial=trial, code=code, timepoint=timepoint, **extra))
    questions = _questions(part, state)
    return render_template("questionnaire/staff_entry.html", participant=participant, visit=visit, part=part,
                           state=state, differing=_differing(state), questions=questions, errors=errors,
                           summary=_error_summary(questions, errors), hints=_hints(part, state),
                           posted=request.form if errors else {}), 422 if errors else 200


@bp.route(f"{PREFIX}/baseline/<screening>", methods=["GET", "POST"])
@requires(Permission.ENROLL, page_user)
def baseline_entry(trial: str, screening: str) -> ResponseReturnValue:
    """Baseline questionnaires before randomization, typed from paper or filled in on this device."""
    record = screening_by_uid(g.access, screening)
    require_state(record, "consented", "ready", doing="record baseline answers")
    codes, recorded = protocol(g.access).baseline.instruments, _baseline_answers(record)
    chosen = request.args.get("instrument") or next((c for c in codes if c not in recorded), None)
    if chosen is not None and chosen not in codes:
        abort(404)
    part = _part(protocol(g.access), chosen, record.language) if chosen else None
    errors: dict[str, str] = {}
    if request.method == "POST" and part is not None:
        errors = _save_baseline(record, part)
        if not errors:
            return redirect(url_for("questionnaires_web.baseline_entry", trial=trial, screening=screening,
                                    next=request.args.get("next")))
    return render_template("questionnaire/baseline.html", screening=record, codes=codes, recorded=recorded,
                           part=part, errors=errors, posted=request.form, modes=MODES,
                           summary=_error_summary(part.questions if part else (), errors),
                           next_url=safe_next_url(request.args.get("next"), "")), 422 if errors else 200


def _part(p: Protocol, code: str, language: str) -> Part:
    return questionnaire_form([instrument_for(p, code)], language, instrument_texts()).parts[0]


def _differing(state: paper.EntryState) -> list[str]:
    if state.stage != "resolve" or state.first is None or state.second is None:
        return []
    return paper.differences(state.answers(1), state.first.completed_on,
                             state.answers(2), state.second.completed_on)


def _questions(part: Part, state: paper.EntryState) -> list[Question]:
    """All questions for an entry; only the differing ones when settling a mismatch."""
    if state.stage != "resolve":
        return list(part.questions)
    differing = _differing(state)
    return [q for q in part.questions if q.code in differing]


def _hints(part: Part, state: paper.EntryState) -> dict[str, str]:
    """When settling a mismatch: what each entry said for each differing field."""
    if state.stage != "resolve" or state.first is None or state.second is None:
        return {}
    first, second, blank = state.answers(1), state.answers(2), _("blank")
    hints = {q.code: _("First entry: %(first)s. Second entry: %(second)s.",
                       first=q.shown(first.get(q.code)) or blank, second=q.shown(second.get(q.code)) or blank)
             for q in _questions(part, state)}
    hints["completed_on"] = _("First entry: %(first)s. Second entry: %(second)s.",
                              first=state.first.completed_on.isoformat(),
                              second=state.second.completed_on.isoformat())
    return hints


def _error_summary(questions: Any, errors: dict[str, str]) -> list[tuple[str, str]]:
    """The error summary's links, in page order: the date and mode first, then each question."""
    items = [(target, errors[key]) for key, target in (("form", "main"), ("mode", "mode-paper"),
                                                       ("completed_on", "completed_on")) if key in errors]
    return items + [(q.target, f"{q.text}: {errors[q.field]}") for q in questions if q.field in errors]


def _save_entry(p: Protocol, participant: Participant, visit: Visit, part: Part,
                state: paper.EntryState) -> tuple[dict[str, str], str | None]:
    """(problems by field, the page to go to next when saved)."""
    settling = state.stage == "resolve"
    saved = {part.code: state.answers(2)} if settling else {}
    answers, errors = QuestionnaireForm(part.wording.language, (part,)).read(
        _questions(part, state), request.form, saved, prune=False)
    completed_on = _completed_on(errors, state, settling and "completed_on" not in _differing(state))
    if errors:
        return errors, None
    given = answers.get(part.code, {})
    try:
        if settling:
            paper.resolve(g.access, p, participant, visit, part.code, given, completed_on)
        elif paper.enter(g.access, p, participant, visit, part.code, given, completed_on,
                         double_entry=request.form.get("double_entry") == "yes"):
            db.session.commit()
            flash(_("The two entries differ. Read the paper form again and settle the differences."), "error")
            return {}, "questionnaires_web.paper_entry"
    except InvalidInput as refused:
        db.session.rollback()
        return _field_errors(part, refused), None
    db.session.commit()
    flash(_("The questionnaire is saved."), "success")
    return {}, "questionnaires_web.paper_visit"


def _completed_on(errors: dict[str, str], state: paper.EntryState, keep_second: bool) -> date:
    if keep_second and state.second is not None:
        return state.second.completed_on
    try:
        return date.fromisoformat(request.form.get("completed_on", ""))
    except ValueError:
        errors["completed_on"] = _("Enter the date on the form as year-month-day, for example 2014-03-27.")
        return date.min


def _save_baseline(record: Screening, part: Part) -> dict[str, str]:
    answers, errors = QuestionnaireForm(part.wording.language, (part,)).read(
        part.questions, request.form, {}, prune=False)
    mode = request.form.get("mode", "")
    if mode not in MODES:
        errors["mode"] = _("Choose how the questionnaire was filled in.")
    if errors:
        return errors
    try:
        missing = record_baseline(g.access, record, {part.code: answers.get(part.code, {})}, mode,
                                  reason=request.form.get("reason") or None)
    except InvalidInput as refused:
        db.session.rollback()
        return _field_errors(part, refused)
    db.session.commit()
    flash(_("Saved. All baseline questionnaires are recorded.") if not missing else _("Saved."), "success")
    return {}


def _field_errors(part: Part, refused: InvalidInput) -> dict[str, str]:
    by_item = {f"{part.code}.{q.code}": q for q in part.questions}
    errors = {by_item[key].field: by_item[key].problem() for key in refused.errors if key in by_item}
    if "completed_on" in refused.errors:
        errors["completed_on"] = _("The date must be in the visit's window and not after today.")
    if "reason" in refused.errors:
        errors["reason"] = _("Give the reason for changing recorded answers.")
    return errors or {"form": refused.detail}


def _baseline_answers(record: Screening) -> dict[str, dict[str, Any]]:
    rows = db.session.scalars(select(Response).where(Response.screening_id == record.id,
                                                     Response.timepoint == protocol(g.access).baseline.code))
    return {row.instrument: unseal_json(row, "answers") or {} for row in rows}


def _open_visits() -> list[Visit]:
    query = (select(Visit).join(Participant).where(
        Participant.trial_id == g.access.trial.id, Visit.opens_on <= today(g.access),
        Visit.status.not_in(paper.CLOSED_VISITS)).order_by(Visit.closes_on, Participant.code).limit(500))
    allowed = g.access.site_ids()
    if allowed is not None:
        query = query.where(Participant.site_id.in_(allowed))
    return list(db.session.scalars(query))


def _entries_to_check() -> list[tuple[PaperEntry, Participant]]:
    query = (select(PaperEntry, Participant)
             .join(Participant, Participant.screening_id == PaperEntry.screening_id)
             .where(Participant.trial_id == g.access.trial.id, PaperEntry.status.in_(("pending", "mismatch")),
                    PaperEntry.entry_number == 1).order_by(PaperEntry.entered_at))
    allowed = g.access.site_ids()
    if allowed is not None:
        query = query.where(Participant.site_id.in_(allowed))
    return [(entry, participant) for entry, participant in db.session.execute(query)]
