"""Follow-up pages: the coordinator's dashboard and each participant's contacts, withdrawals and
events; for administrators the outbox and the data protection officer's erasure requests."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..enrollment.participants import participant_by_code
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import OutboxMessage, Participant, Visit
from ..pages import menu_item, page_user
from ..policy import Permission, requires
from .dashboard import contact_history, followup_overview, needs_phone_call
from .events import erasure_requests, record_event, withdraw

bp = Blueprint("followups", __name__, url_prefix="/trials/<trial>")
menu_item("followups.dashboard", _l("Follow-up"), Permission.FOLLOW_UP, order=40)
menu_item("followups.outbox", _l("Outbox"), Permission.MANAGE_TRIAL, order=85)
menu_item("followups.erasures", _l("Erasure requests"), Permission.MANAGE_TRIAL, order=86)

SCOPES = [SelectChoice("intervention", _l("From the intervention only: still followed up with questionnaires")),
          SelectChoice("follow-up", _l("From follow-up: no more invitations; the data collected so far are kept")),
          SelectChoice("all", _l("From everything: no more contact, and a request to erase the data"))]
EVENTS = [SelectChoice("died", _l("Died")), SelectChoice("lost-to-follow-up", _l("Lost to follow-up"))]
COUNT_NAMES = {"due": _l("Due"), "open": _l("Open"), "overdue": _l("Overdue"), "completed": _l("Completed"),
               "missed": _l("Missed"), "cancelled": _l("Cancelled")}
MESSAGE_STATUS = {"pending": _l("Waiting to be sent"), "sending": _l("Being sent"), "sent": _l("Sent"),
                  "failed": _l("Refused by the mail server"), "cancelled": _l("Cancelled"),
                  "no-address": _l("No e-mail address: phone the participant")}


class WithdrawalForm(FlaskForm):
    scope = RadioField(_l("Withdraw from"), choices=SCOPES,
                       validators=[InputRequired(_l("Choose what to withdraw from."))])
    on = DateField(_l("Date of withdrawal"), validators=[InputRequired(_l("Give the date."))])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(_l("Give the reason.")), Length(max=500)])


class EventForm(FlaskForm):
    kind = RadioField(_l("What happened"), choices=EVENTS, validators=[InputRequired(_l("Choose what happened."))])
    on = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))])
    reason = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=500)])


@bp.get("/follow-up")
@requires(Permission.FOLLOW_UP, page_user)
def dashboard(trial: str) -> ResponseReturnValue:
    """Visits due, open, overdue and completed per site and arm, and who needs a phone call."""
    return render_template("followups/dashboard.html", overview=followup_overview(g.access),
                           calls=needs_phone_call(g.access), names=COUNT_NAMES)


def _participant_page(code: str, withdrawal: WithdrawalForm | None = None,
                      event: EventForm | None = None, status: int = 200) -> ResponseReturnValue:
    participant = participant_by_code(g.access, code)
    return render_template("followups/participant.html", person=participant,
                           contacts=contact_history(g.access, participant), statuses=MESSAGE_STATUS,
                           withdrawal=withdrawal or WithdrawalForm(prefix="w"),
                           event=event or EventForm(prefix="e")), status


@bp.get("/follow-up/participants/<code>")
@requires(Permission.FOLLOW_UP, page_user)
def participant(trial: str, code: str) -> ResponseReturnValue:
    """A participant's contact history, and the forms to record a withdrawal or an event."""
    return _participant_page(code)


def _record(form: FlaskForm, code: str, work: Any, other: dict[str, Any]) -> ResponseReturnValue:
    """Run a departure service for a valid form; a refusal is shown on the form, nothing is stored."""
    if form.validate_on_submit():
        try:
            work(participant_by_code(g.access, code))
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            form.form_errors.append(_("It could not be recorded: %(why)s", why=error.detail))
        else:
            db.session.commit()
            flash(_("Recorded."), "info")
            return redirect(url_for("followups.participant", trial=g.access.trial.code, code=code))
    return _participant_page(code, status=422, **other)


@bp.post("/follow-up/participants/<code>/withdrawal")
@requires(Permission.FOLLOW_UP, page_user)
def record_withdrawal(trial: str, code: str) -> ResponseReturnValue:
    form = WithdrawalForm(prefix="w")
    return _record(form, code, lambda p: withdraw(g.access, p, form.scope.data or "", form.on.data,
                                                  form.reason.data or ""), {"withdrawal": form})


@bp.post("/follow-up/participants/<code>/event")
@requires(Permission.FOLLOW_UP, page_user)
def record_departure(trial: str, code: str) -> ResponseReturnValue:
    form = EventForm(prefix="e")
    return _record(form, code, lambda p: record_event(g.access, p, form.kind.data or "", form.on.data,
                                                      form.reason.data or None), {"event": form})


@bp.get("/admin/outbox")
@requires(Permission.MANAGE_TRIAL, page_user)
def outbox(trial: str) -> ResponseReturnValue:
    """Messages written by the dispatcher, newest first: what and how it went, never the address or body."""
    rows = db.session.execute(
        select(OutboxMessage, Participant.code, Visit.timepoint)
        .join(Participant, OutboxMessage.participant_id == Participant.id)
        .outerjoin(Visit, OutboxMessage.visit_id == Visit.id)
        .where(OutboxMessage.trial_id == g.access.trial.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(500)).all()
    return render_template("followups/outbox.html", rows=rows, statuses=MESSAGE_STATUS)


@bp.get("/admin/erasure-requests")
@requires(Permission.MANAGE_TRIAL, page_user)
def erasures(trial: str) -> ResponseReturnValue:
    """Participants who withdrew from everything: the data protection officer acts on each request."""
    return render_template("followups/erasures.html", requests=erasure_requests(g.access))
