"""The site coordinator's journey as web pages: screening log, referral, eligibility, consent, randomization.

Every page goes through the services the API uses (trial.enrollment.*), so both behave alike: a view
parses its form, calls one service, commits and redirects. A refusal that names a field is shown on
that field in the page's own words (nb or en); the services' English details are for the API.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..database import run_unit_of_work
from ..errors import Conflict, DomainError, InvalidInput, NotFound
from ..extensions import db
from ..models import ConsentDocument, Screening
from ..models import Response as Answered
from ..pages import menu_item, page_user
from ..policy import Permission, requires
from ..protocol import Protocol
from ..questionnaires import instrument_for
from ..sealing import unseal
from . import screening as screening_ops
from .common import protocol, screening_by_uid, today
from .consent import ConsentForm, record_consent, valid_version
from .forms import (
    CATEGORY,
    FIELD_MESSAGES,
    LANGUAGES,
    METHOD,
    PARTICIPANT,
    SEX,
    STATUS,
    STEPS,
    STEPS_DONE,
    VISIT,
    ExclusionForm,
    LogFilter,
    ReferralForm,
    consent_form,
    eligibility_form,
    exclusion_form,
    localized,
    options,
    randomize_form,
)
from .randomize import randomize
from .receipt import document_html, receipt_data, render_receipt
from .reconsent import ReconsentForm, newer_version, record_reconsent

bp = Blueprint("enrollment", __name__, url_prefix="/trials/<trial>")
menu_item("enrollment.screening_log", _l("Screening log"), Permission.ENROLL, order=20)
menu_item("enrollment.participants", _l("Participants"), Permission.VIEW_PARTICIPANTS, order=30)

@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"STATUS": STATUS, "CATEGORY": CATEGORY, "SEX": SEX, "METHOD": METHOD, "VISIT": VISIT,
            "PARTICIPANT": PARTICIPANT, "LANGUAGES": LANGUAGES}


# ---- refusals ---------------------------------------------------------------------------------------

def _message(field: str, error: DomainError, default: str | None) -> str:
    if field == "national_id" and isinstance(error, Conflict):
        # The service names the other site and nothing else about the other record; so does the page.
        site = error.extra.get("site") or _("another site")
        return str(_("This person is already enrolled in the trial at %(site)s.", site=site))
    if field == "guardian_name":
        return str(_("The participant is under %(age)d: a guardian must consent too. Write the guardian's "
                     "full name.", age=protocol(g.access).trial.age_of_majority))
    return str(FIELD_MESSAGES.get(field) or default or _("Check this answer."))


def _run(form: Any, work: Callable[[], Any], names: dict[str, str] | None = None,
         default: str | None = None) -> tuple[bool, Any]:
    """Call a service and commit; a refusal naming fields is rolled back and shown on those fields.

    A refusal naming no field (a step that is no longer open) goes on to `_step_closed`."""
    try:
        result = work()
    except (InvalidInput, Conflict) as error:
        if not error.errors:
            raise
        db.session.rollback()
        for key in error.errors:
            name, message = (names or {}).get(key, key), _message(key, error, default)
            if name in form:
                form[name].errors = [*form[name].errors, message]
            else:
                form.form_errors.append(message)
        return False, None
    db.session.commit()
    return True, result


@bp.errorhandler(Conflict)
def _step_closed(error: Conflict) -> ResponseReturnValue:
    db.session.rollback()
    args = request.view_args or {}
    now = error.extra.get("status_now")
    flash(_("That step is closed: the screening is now “%(status)s”.", status=STATUS.get(now, now)) if now
          else _("That cannot be done now (%(reason)s).", reason=error.detail), "error")
    if "uid" in args:
        return redirect(url_for(".screening_page", trial=args["trial"], uid=args["uid"]))
    return redirect(url_for(".screening_log", trial=args.get("trial")))


# ---- screening log and referrals --------------------------------------------------------------------

def my_sites() -> list[Any]:
    allowed = g.access.site_ids()
    return [s for s in g.access.trial.sites if allowed is None or s.id in allowed]


@bp.get("/screenings")
@requires(Permission.ENROLL, page_user)
def screening_log(trial: str) -> ResponseReturnValue:
    sites, form = my_sites(), LogFilter(formdata=request.args, meta={"csrf": False})
    form.site.choices = options(((s.code, s.name) for s in sites), _("All my sites"))
    form.status.choices = options(STATUS.items(), _("All statuses"))
    form.validate()   # a filter that does not parse is shown as an error and not applied

    def given(field: Any) -> Any:
        return field.data if field.data and not field.errors else None

    site, start, end, status = map(given, (form.site, form.referred_from, form.referred_to, form.status))
    where = [Screening.trial_id == g.access.trial.id,
             Screening.site_id.in_([s.id for s in sites if site in (None, s.code)]),
             *([Screening.referred_on >= start] if start else []),
             *([Screening.referred_on <= end] if end else [])]
    counts = {state: n for state, n in db.session.execute(
        select(Screening.status, func.count()).where(*where).group_by(Screening.status))}
    rows = db.session.scalars(
        select(Screening).where(*where, *([Screening.status == status] if status else []))
        .order_by(Screening.referred_on.desc(), Screening.id.desc())
        .options(selectinload(Screening.site), selectinload(Screening.participant))).all()
    return render_template("enrollment/log.html", form=form, rows=rows, counts=counts,
                           referred=sum(counts.values()))


@bp.route("/screenings/new", methods=["GET", "POST"])
@requires(Permission.ENROLL, page_user)
def new_referral(trial: str) -> ResponseReturnValue:
    form = ReferralForm(data={"referred_on": today(g.access)} if request.method == "GET" else None)
    form.site.choices = options(((s.code, s.name) for s in my_sites() if s.active), _("Choose…"))
    form.sex.choices = options(SEX.items(), _("Not recorded"))
    if form.validate_on_submit():
        ok, screening = _run(form, lambda: screening_ops.create_screening(
            g.access, site=form.site.data, referred_on=form.referred_on.data, sex=form.sex.data or None,
            birth_year=form.birth_year.data, source=_text(form.source.data)))
        if ok:
            flash(_("The referral is logged."), "info")
            return redirect(url_for(".screening_page", trial=trial, uid=screening.uid))
    return render_template("enrollment/referral.html", form=form), 422 if form.errors else 200


# ---- one screening ----------------------------------------------------------------------------------

def _steps(s: Screening) -> list[tuple[str, str]]:
    if s.status == "excluded":
        done, current = 1 + bool(s.eligibility and not s.failed_criteria) + bool(s.consents), -1
    else:
        done = current = STEPS_DONE[s.status]
    return [(str(label), "done" if n < done else "current" if n == current else "todo")
            for n, label in enumerate(STEPS)]


def _baseline(p: Protocol, s: Screening) -> list[tuple[str, bool]]:
    """Each baseline instrument's name and whether it is recorded (never the answers)."""
    recorded = set(db.session.scalars(select(Answered.instrument).where(
        Answered.screening_id == s.id, Answered.timepoint == p.baseline.code)))
    return [(instrument_for(p, code).name, code in recorded) for code in p.baseline.instruments]


def _screening_page(s: Screening, eligibility: Any = None, exclusion: Any = None,
                    status: int = 200) -> ResponseReturnValue:
    p, entry = protocol(g.access), "questionnaires_web.baseline_entry"   # the baseline page is optional
    baseline_url = url_for(entry, trial=g.access.trial.code, screening=s.uid) \
        if entry in current_app.view_functions and s.status in ("consented", "ready") else None
    failed = (s.failed_criteria or {}).get("failed", [])
    return render_template(
        "enrollment/screening.html", s=s, p=p, steps=_steps(s), baseline=_baseline(p, s),
        baseline_url=baseline_url, failed=[localized(c.text) for c in p.eligibility if c.code in failed],
        reason=unseal(s, "exclusion_reason") if s.status == "excluded" else None,
        eligibility=eligibility or eligibility_form(p), exclusion=exclusion or exclusion_form(p),
        reconsent=newer_version(p, s, today(g.access)),
        open=s.status in STEPS_DONE and s.status != "randomized"), status


@bp.get("/screenings/<uid>")
@requires(Permission.ENROLL, page_user)
def screening_page(trial: str, uid: str) -> ResponseReturnValue:
    return _screening_page(screening_by_uid(g.access, uid))


@bp.post("/screenings/<uid>/eligibility")
@requires(Permission.ENROLL, page_user)
def eligibility(trial: str, uid: str) -> ResponseReturnValue:
    s, p = screening_by_uid(g.access, uid), protocol(g.access)
    form = eligibility_form(p)
    if form.validate_on_submit():
        answers = {c.code: form[f"c_{c.code}"].data == "yes" for c in p.eligibility}
        ok, failed = _run(form, lambda: screening_ops.record_eligibility(g.access, s, answers),
                          {c.code: f"c_{c.code}" for c in p.eligibility}, _("Answer yes or no."))
        if ok:
            flash(_("The person is not eligible; the screening has ended.") if failed else
                  _("The person meets the eligibility criteria. Next: consent."), "info")
            return redirect(url_for(".screening_page", trial=trial, uid=uid))
    return _screening_page(s, eligibility=form, status=422)


@bp.post("/screenings/<uid>/exclusion")
@requires(Permission.ENROLL, page_user)
def exclusion(trial: str, uid: str) -> ResponseReturnValue:
    s, p = screening_by_uid(g.access, uid), protocol(g.access)
    form = exclusion_form(p)
    if form.validate_on_submit() and (reason := _exclusion_reason(p, form)):
        ok, _done = _run(form, lambda: screening_ops.exclude(g.access, s, form.category.data, reason))
        if ok:
            flash(_("The screening has ended."), "info")
            return redirect(url_for(".screening_page", trial=trial, uid=uid))
    return _screening_page(s, exclusion=form, status=422)


def _exclusion_reason(p: Protocol, form: ExclusionForm) -> str | None:
    """The free text if given, else the chosen common reason (which must belong to the chosen category)."""
    if _text(form.reason.data):
        return _text(form.reason.data)
    if form.common_reason.data:
        common = p.exclusion_reasons[int(form.common_reason.data)]
        if common.category == form.category.data:
            return common.text
        form.common_reason.errors = [_("This reason belongs to “%(category)s”.",
                                       category=CATEGORY[common.category])]
        return None
    form.reason.errors = [str(FIELD_MESSAGES["reason"])]
    return None


# ---- consent ----------------------------------------------------------------------------------------

def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _document(version: str, language: str) -> ConsentDocument | None:
    return db.session.scalars(select(ConsentDocument).where(
        ConsentDocument.trial_id == g.access.trial.id, ConsentDocument.version == version,
        ConsentDocument.language == language)).one_or_none()


def _should_record(form: Any) -> bool:
    """Record only what the participant has read: another version or language shows its document first."""
    if not form.is_submitted() or form.show_document.data:
        return False
    if form.shown.data != f"{form.version.data}/{form.language.data}":
        form.form_errors.append(_("You chose another version or language: read the document shown with "
                                  "the participant, then record the consent."))
        return False
    return bool(form.validate())


def _consent_input(form: Any, p: Protocol, first: bool) -> ConsentForm | ReconsentForm:
    electronic = form.method.data == "electronic"
    common = {"version": form.version.data, "consented_on": form.consented_on.data,
              "method": form.method.data, "signature": _text(form.signature.data) if electronic else None,
              "guardian_name": _text(form.guardian_name.data), "language": form.language.data,
              "options": {o.code: bool(form[f"o_{o.code}"].data) for o in p.consent_options}}
    if not first:
        return ReconsentForm(**common)
    return ConsentForm(**common, name=form.name.data.strip(), national_id=_text(form.national_id.data),
                       email=_text(form.email.data), phone=_text(form.phone.data))


def _consent_step(s: Screening, first: bool, versions: list[str]) -> ResponseReturnValue:
    p, on = protocol(g.access), today(g.access)
    form = consent_form(p, versions, first)
    if request.method == "GET":
        in_force, language = valid_version(p, on), str(get_locale())
        form.version.data = in_force if in_force in versions else versions[-1]
        form.language.data = language if language in p.trial.languages else p.trial.languages[0]
        form.consented_on.data = on
    if _should_record(form):
        given = _consent_input(form, p, first)
        ok, _consent = _run(form, lambda: record_consent(g.access, s, given) if isinstance(given, ConsentForm)
                            else record_reconsent(g.access, s, given))
        if ok:
            flash(_("Consent is recorded. The participant can download the receipt below."), "info")
            return redirect(url_for(".screening_page", trial=g.access.trial.code, uid=s.uid) + "#consents")
    document = _document(form.version.data, form.language.data)
    form.shown.data = f"{form.version.data}/{form.language.data}"
    heading = _("Consent") if first else _("Re-consent to %(version)s", version=versions[0])
    return render_template("enrollment/consent.html", s=s, p=p, form=form, first=first, heading=heading,
                           document=document_html(document.text) if document else None,
                           document_language=form.language.data), 422 if form.errors else 200


@bp.route("/screenings/<uid>/consent", methods=["GET", "POST"])
@requires(Permission.ENROLL, page_user)
def consent(trial: str, uid: str) -> ResponseReturnValue:
    s = screening_by_uid(g.access, uid)
    if s.status != "eligible" and request.method == "GET":
        return redirect(url_for(".screening_page", trial=trial, uid=uid))
    return _consent_step(s, first=True, versions=[c.version for c in protocol(g.access).consent])


@bp.route("/screenings/<uid>/reconsent", methods=["GET", "POST"])
@requires(Permission.ENROLL, page_user)
def reconsent(trial: str, uid: str) -> ResponseReturnValue:
    s = screening_by_uid(g.access, uid)
    newer = newer_version(protocol(g.access), s, today(g.access))
    if newer is None and request.method == "GET":
        return redirect(url_for(".screening_page", trial=trial, uid=uid))
    # With nothing newer in force, a posted form still goes to the service, which says why it is refused.
    return _consent_step(s, first=False, versions=[newer or (s.consents[-1].version if s.consents else "")])


@bp.get("/screenings/<uid>/consents/<consent_uid>/receipt.pdf")
@requires(Permission.ENROLL, page_user)
def receipt(trial: str, uid: str, consent_uid: str) -> ResponseReturnValue:
    s = screening_by_uid(g.access, uid)
    consent = next((c for c in s.consents if c.uid == consent_uid), None)
    document = _document(consent.version, consent.language) if consent else None
    if consent is None or document is None:
        raise NotFound("no such consent for this screening")
    pdf = render_receipt(receipt_data(protocol(g.access), s, consent, document.text))
    audit.record(db.session, actor=g.access.actor, action="consent.receipt", trial_code=g.access.trial.code,
                 entity=f"screening:{s.uid}", details={"version": consent.version})
    db.session.commit()
    # The receipt holds the participant's name (it is theirs); the file name holds no personal data.
    disposition = f'attachment; filename="consent-receipt-{s.uid[:8]}.pdf"'
    return Response(pdf, mimetype="application/pdf",
                    headers={"Cache-Control": "no-store", "Content-Disposition": disposition})


# ---- randomization and participants -----------------------------------------------------------------

@bp.route("/screenings/<uid>/randomize", methods=["GET", "POST"])
@requires(Permission.ENROLL, page_user)
def randomize_screening(trial: str, uid: str) -> ResponseReturnValue:
    access, s = g.access, screening_by_uid(g.access, uid)
    if request.method == "GET" and s.participant is not None:
        return redirect(url_for(".allocation", trial=trial, code=s.participant.code))
    form = randomize_form(protocol(access))
    if form.validate_on_submit():
        factors = {f.name[2:]: f.data for f in form if f.name.startswith("f_")}
        try:   # the same key on a double click or a resubmission returns the allocation already made
            result = run_unit_of_work(db.session, lambda: randomize(
                access, screening_by_uid(access, uid), factors, form.key.data))
        except InvalidInput as error:
            db.session.rollback()
            form.form_errors.append(_("Check the stratification factors.") if factors else error.detail)
        else:
            if result.replayed:
                flash(_("This person was already randomized; no new allocation was made."), "info")
            return redirect(url_for(".allocation", trial=trial, code=result.participant.code))
    form.key.data = secrets.token_urlsafe(24)   # a new key for each form shown
    return render_template("enrollment/randomize.html", s=s, form=form), 422 if form.errors else 200


# The participant pages live beside this module and register on the same blueprint.
from . import participant_views  # noqa: E402, F401
