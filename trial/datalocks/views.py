"""Data lock pages: list and create (statisticians, signed), see and compare locks, download exports;
unlock, supersede and the linkage key for administrators."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..exports import FORMATS
from ..extensions import db
from ..pages import menu_item, page_user
from ..policy import Permission, requires
from . import service
from .compare import compare_locks, post_lock_changes
from .download import export_options, send_export, send_linkage_key
from .service import LOCK_READERS
from .signature import confirm_signature

bp = Blueprint("datalocks", __name__, url_prefix="/trials/<trial>/locks")


class LockForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Reason for the lock"), validators=[DataRequired(), Length(max=1000)])
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    code = StringField(_l("Code from the authenticator app"),
                       render_kw={"inputmode": "numeric", "maxlength": 8, "autocomplete": "one-time-code"})


class EndForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
    label = StringField(_l("Label of the new version (optional)"), validators=[Optional(), Length(max=200)])


def _list(form: LockForm | None = None) -> str:
    return render_template("datalocks/index.html", locks=service.locks_of(g.access.trial),
                           in_force=service.lock_in_force(g.access.trial),
                           form=(form or LockForm()) if g.access.allows(Permission.LOCK_DATA) else None)


@bp.get("")
@requires(Permission.LOCK_DATA, page_user)
def index(trial: str) -> ResponseReturnValue:
    """The trial's locks, newest first, and the form to lock the data."""
    return _list()


@bp.get("/administration")
@requires(Permission.MANAGE_TRIAL, page_user)
def administration(trial: str) -> ResponseReturnValue:
    """The same list for administrators, who unlock and supersede locks and download linkage keys."""
    return _list()


@bp.post("")
@requires(Permission.LOCK_DATA, page_user)
def create(trial: str) -> ResponseReturnValue:
    form = LockForm()
    if not form.validate_on_submit():
        return _list(form), 422
    signed = confirm_signature(g.access.user, form.password.data or "", form.code.data or "", trial)
    if signed is None:
        db.session.commit()  # keep the audited refusal
        form.code.errors = [_("The password or the code is wrong. The data were not locked.")]
        return _list(form), 422
    lock = service.create_lock(g.access, form.label.data or "", form.reason.data or "", channel="web",
                               signature=signed)
    db.session.commit()
    flash(_("The data are locked as version %(version)d.", version=lock.version), "info")
    return redirect(url_for(".show", trial=trial, lock_id=lock.uid))


@bp.get("/<lock_id>")
@requires(LOCK_READERS, page_user)
def show(trial: str, lock_id: str) -> ResponseReturnValue:
    """One lock: its hash, records, post-lock changes, downloads and (for administrators) actions."""
    lock = service.lock_by_id(g.access, lock_id)
    return render_template("datalocks/lock.html", lock=lock, changes=post_lock_changes(lock, g.access.trial),
                           intact=service.verify_lock(lock), via=service.created_through(lock),
                           others=[x for x in service.locks_of(g.access.trial) if x.id != lock.id],
                           formats=FORMATS, form=EndForm(), is_admin=_is_admin(),
                           can_export=g.access.allows(Permission.EXPORT_DATA) or _is_admin(),
                           can_unblind=g.access.allows(Permission.SEE_ARMS))


@bp.get("/compare")
@requires(LOCK_READERS, page_user)
def compare(trial: str) -> ResponseReturnValue:
    """What changed between two lock versions (?a=<lock id>&b=<lock id>)."""
    a = service.lock_by_id(g.access, request.args.get("a", ""))
    b = service.lock_by_id(g.access, request.args.get("b", ""))
    older, newer = sorted((a, b), key=lambda lock: lock.version)
    return render_template("datalocks/compare.html", older=older, newer=newer,
                           changes=compare_locks(older, newer))


@bp.get("/<lock_id>/export")
@requires(LOCK_READERS, page_user)
def export(trial: str, lock_id: str) -> ResponseReturnValue:
    fmt, blinded = export_options(g.access, request.args.get("format"), request.args.get("blinded"))
    response = send_export(g.access, service.lock_by_id(g.access, lock_id), fmt, blinded, "web")
    db.session.commit()
    return response


@bp.get("/<lock_id>/linkage-key")
@requires(Permission.MANAGE_TRIAL, page_user)
def linkage_key(trial: str, lock_id: str) -> ResponseReturnValue:
    response = send_linkage_key(g.access, service.lock_by_id(g.access, lock_id), "web")
    db.session.commit()
    return response


@bp.post("/<lock_id>/unlock")
@requires(Permission.MANAGE_TRIAL, page_user)
def unlock(trial: str, lock_id: str) -> ResponseReturnValue:
    form = EndForm()
    if not form.validate_on_submit():
        return _no_reason(trial, lock_id)
    service.unlock(g.access, service.lock_by_id(g.access, lock_id), form.reason.data or "")
    db.session.commit()
    flash(_("The lock is ended. Corrections no longer need a lock reason."), "info")
    return redirect(url_for(".show", trial=trial, lock_id=lock_id))


@bp.post("/<lock_id>/supersede")
@requires(Permission.MANAGE_TRIAL, page_user)
def supersede(trial: str, lock_id: str) -> ResponseReturnValue:
    form = EndForm()
    if not form.validate_on_submit():
        return _no_reason(trial, lock_id)
    new = service.supersede(g.access, service.lock_by_id(g.access, lock_id), form.reason.data or "",
                            form.label.data or None)
    db.session.commit()
    flash(_("A new lock version %(version)d replaces the old one.", version=new.version), "info")
    return redirect(url_for(".show", trial=trial, lock_id=new.uid))


def _is_admin() -> bool:
    return g.access.allows(Permission.MANAGE_TRIAL)  # type: ignore[no-any-return]  # g is untyped


def _no_reason(trial: str, lock_id: str) -> ResponseReturnValue:
    flash(_("Give a reason (at most 1000 characters). Nothing was changed."), "error")
    return redirect(url_for(".show", trial=trial, lock_id=lock_id))


menu_item("datalocks.index", _l("Data locks"), Permission.LOCK_DATA, order=70)
menu_item("datalocks.administration", _l("Data locks"), Permission.MANAGE_TRIAL, order=71)
