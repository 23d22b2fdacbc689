"""The participant's pages behind a personal link: /q/<token>, the birth-date check, one question per
page, review and submission. No sign-in: the token and the second check stand in for it.

Every request looks the link up again, so a link that expired, was spent, replaced or locked in
the meantime, or whose participant left follow-up, gets the one "unavailable" page at once. That
page is the same for every reason and names nobody: it must not tell a finder of a link, or a
guesser, anything about whose it was.

Why one question per page: on a phone, and for the many participants with reading difficulties,
one short question with its answers is the least to read, hear (screen readers) and scroll; each
page is a small decision, errors are about one thing, every "Next" saves (nothing is lost when a
phone call interrupts), and progress ("Question 3 of 32") tells how far there is to go.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale, refresh
from flask_babel import gettext as _

import instruments

from .. import clock
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import QuestionnaireLink
from ..pages import page_user
from ..security import safe_next_url
from . import bp, checks
from .journey import Journey, open_journey, remember_language, save_draft, submit
from .links import find_link

SESSION_KEY = "questionnaire"
LANGUAGE_PENDING = "questionnaire_language_pending"
IDLE_LIMIT_SECONDS = 60 * 60     # a verified session on a shared phone ends after an idle hour


def unavailable() -> ResponseReturnValue:
    """The one page for every link that cannot be used (forged, stale, expired, spent, locked...)."""
    db.session.rollback()
    session.pop(SESSION_KEY, None)
    return render_template("questionnaire/unavailable.html"), 404


def verified(link: QuestionnaireLink) -> bool:
    """Whether this browser passed the second check for this very link (and has not idled out)."""
    state = session.get(SESSION_KEY)
    now = clock.now().timestamp()
    if not isinstance(state, dict) or state.get("link") != link.id or state.get("hash") != link.token_sha256 \
            or now - float(state.get("seen", 0)) > IDLE_LIMIT_SECONDS:
        return False
    session[SESSION_KEY] = {**state, "seen": now}
    return True


def bind_session(link: QuestionnaireLink) -> None:
    session[SESSION_KEY] = {"link": link.id, "hash": link.token_sha256, "seen": clock.now().timestamp()}
    if session.pop(LANGUAGE_PENDING, False) and session.get("language"):
        remember_language(None, link, str(session["language"]))
    else:
        session["language"] = link.participant.screening.language
    refresh()


def participant_page(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Resolve the token to a verified journey, or answer with the unavailable or check page."""

    @wraps(view)
    def wrapper(token: str, **kwargs: Any) -> ResponseReturnValue:
        link = find_link(token)
        if link is None:
            return unavailable()
        if not verified(link):
            return redirect(url_for("questionnaires_web.start", token=token))
        return view(open_journey(link, str(get_locale())), token, **kwargs)

    return wrapper


@bp.route("/q/<token>", methods=["GET", "POST"])
def start(token: str) -> ResponseReturnValue:
    link = find_link(token)
    if link is None:
        return unavailable()
    if verified(link):
        return redirect(_resume_url(open_journey(link, str(get_locale())), token))
    if "language" not in session:
        session["language"] = link.participant.screening.language
        refresh()
    answer = checks.read(link, request.form) if request.method == "POST" else None
    if answer is not None and answer.passed:
        bind_session(link)
        db.session.commit()
        return redirect(_resume_url(open_journey(link, str(get_locale())), token))
    db.session.commit()          # a failed check is counted even though the page is shown again
    if answer is not None and answer.locked:
        return unavailable()
    return render_template("questionnaire/check.html", token=token, answer=answer, **checks.page(link))


@bp.get("/q/<token>/<int:number>")
@participant_page
def question(journey: Journey, token: str, number: int) -> ResponseReturnValue:
    index = number - 1
    asked = journey.form.asked(journey.answers)
    if index not in asked:
        total = len(journey.form.questions)
        return redirect(_step_url(token, _next_asked(asked, index - 1, total), total))
    return _question_page(journey, token, index, journey.answers, {})


@bp.post("/q/<token>/<int:number>")
@participant_page
def answer(journey: Journey, token: str, number: int) -> ResponseReturnValue:
    index = number - 1
    if not 0 <= index < len(journey.form.questions):
        return redirect(_resume_url(journey, token))
    asked_question = journey.form.questions[index]
    answers, errors = journey.form.read([asked_question], request.form, journey.answers)
    if errors:
        return _question_page(journey, token, index, answers, errors)
    total = len(journey.form.questions)
    step = total if request.args.get("return") == "review" else \
        _next_asked(journey.form.asked(answers), index, total)
    save_draft(journey, answers, step)
    if request.form.get("action") == "save":
        session.pop(SESSION_KEY, None)
        session["questionnaire_saved_until"] = journey.visit.closes_on.isoformat()
        db.session.commit()
        return redirect(url_for("questionnaires_web.saved"))
    db.session.commit()
    return redirect(_step_url(token, step, total))


@bp.route("/q/<token>/review", methods=["GET", "POST"])
@participant_page
def review(journey: Journey, token: str) -> ResponseReturnValue:
    problem = None
    if request.method == "POST":
        locked = _locked(journey, token)
        if locked is None:
            return unavailable()
        journey = locked
        try:
            submit(journey)
        except InvalidInput:
            db.session.rollback()
            problem = "nothing-answered"
        else:
            db.session.commit()
            session.pop(SESSION_KEY, None)
            return redirect(url_for("questionnaires_web.thanks"))
    summary = journey.summary()
    first = next((number for _part, rows in summary for _q, number, _value in rows), 1)
    return render_template("questionnaire/review.html", journey=journey, token=token, summary=summary,
                           problem=problem, first_change=f"change-{first}"), 200 if problem is None else 422


def _locked(journey: Journey, token: str) -> Journey | None:
    """The journey looked up again under the participant's lock, or None if it may no longer be sent.

    A paper form typed in by staff meanwhile wins: its instrument is left out (or the spent link
    answers "unavailable"), so a simultaneous paper entry never makes a duplicate Response."""
    # Imported here: trial.followups imports this package's links, so a module-level import is a cycle.
    from ..followups.responses import check_accepted, lock_for_response

    participant, visit = lock_for_response(journey.link.participant, journey.visit.timepoint)
    db.session.expire_all()         # read what was committed while this request waited for the lock
    link = find_link(token)
    if link is None:
        return None
    try:
        check_accepted(participant, visit, clock.today(participant.trial.timezone))
    except Conflict:
        return None
    return open_journey(link, str(get_locale()))


@bp.post("/q/<token>/language")
def choose_language(token: str) -> ResponseReturnValue:
    link = find_link(token)
    language = request.form.get("language", "")
    if link is None:
        return unavailable()
    if language in ("nb", "en"):
        session["language"] = language
        if verified(link):
            journey = open_journey(link, language)
            remember_language(journey, link, language)
            db.session.commit()
        else:
            session[LANGUAGE_PENDING] = True
    return redirect(safe_next_url(request.form.get("next"), url_for("questionnaires_web.start", token=token)))


@bp.errorhandler(instruments.WordingPackError)
def wording_refused(error: instruments.WordingPackError) -> ResponseReturnValue:
    """A licensed wording pack that does not match its instrument: show no question rather than
    wording against the wrong scores. Staff see the problems (file names, no personal data)."""
    db.session.rollback()
    current_app.logger.error("instrument wording packs refused: %s", error)
    if page_user() is not None:
        return render_template("error.html", code=503, name=_("Questionnaire wording refused"),
                               detail=str(error)), 503
    return render_template("questionnaire/not_available.html"), 503


@bp.get("/q/saved")
def saved() -> ResponseReturnValue:
    until = session.get("questionnaire_saved_until")
    return render_template("questionnaire/saved.html",
                           until=format_date(date.fromisoformat(until), "long") if until else None)


@bp.get("/q/thanks")
def thanks() -> ResponseReturnValue:
    return render_template("questionnaire/thanks.html")


def _question_page(journey: Journey, token: str, index: int, answers: dict[str, Any],
                   errors: dict[str, str]) -> ResponseReturnValue:
    form, returning = journey.form, request.args.get("return") == "review"
    asked, shown = form.asked(answers), form.questions[index]
    position = asked.index(index) if index in asked else 0
    back_to_review: dict[str, Any] = {"return": "review"} if returning else {}
    action = url_for("questionnaires_web.answer", token=token, number=index + 1, **back_to_review)
    return render_template(
        "questionnaire/question.html", journey=journey, token=token, question=shown,
        part=form.part(shown.instrument),
        position=position + 1, total=len(asked), previous=asked[position - 1] + 1 if position > 0 else None,
        value=answers.get(shown.instrument, {}).get(shown.code), error=errors.get(shown.field),
        returning=returning, action_url=action), 422 if errors else 200


def _next_asked(asked: tuple[int, ...], after: int, total: int) -> int:
    return next((n for n in asked if n > after), total)


def _step_url(token: str, step: int, total: int | None = None) -> str:
    if total is not None and step >= total:
        return url_for("questionnaires_web.review", token=token)
    return url_for("questionnaires_web.question", token=token, number=step + 1)


def _resume_url(journey: Journey, token: str) -> str:
    total = len(journey.form.questions)
    step = journey.resume_step
    if step >= total or total == 0:
        return url_for("questionnaires_web.review", token=token)
    return url_for("questionnaires_web.question", token=token, number=step + 1)
