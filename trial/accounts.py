"""Staff sign-in, sign-out and password change."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo

from . import audit, clock
from .extensions import db, login_manager
from .models import User
from .passwords import MIN_LENGTH, hash_password, password_problem, verify_password
from .security import safe_next_url

bp = Blueprint("accounts", __name__)

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
# Reached while a password change is pending; everything else waits until it is done.
OPEN_ENDPOINTS = {"accounts.sign_in", "accounts.sign_out", "accounts.change_password", "static",
                  "i18n.choose_language"}


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    repeat = PasswordField(_l("Repeat the new password"),
                           validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


login_manager.login_view = "accounts.sign_in"
login_manager.login_message = _l("Please sign in to see this page.")


@bp.before_app_request
def require_password_change() -> ResponseReturnValue | None:
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_ENDPOINTS):
        return redirect(url_for("accounts.change_password"))
    return None


def _find(email: str) -> User | None:
    return db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).one_or_none()


def _check_sign_in(email: str, password: str) -> User | None:
    """The user if the password is right and the account usable; counts failures and locks out."""
    user, now = _find(email), clock.now()
    if user is None:
        verify_password(hash_password("timing-equaliser"), password)  # same work whether or not the account exists
        return None
    if not user.active or (user.locked_until is not None and user.locked_until > now):
        return None
    if not verify_password(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = now + LOCKOUT, 0
            audit.record(db.session, actor=user.email, action="account.locked", entity=f"user:{user.id}",
                         remote_addr=request.remote_addr)
        return None
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, now
    return user


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        user = _check_sign_in(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            audit.record(db.session, actor=user.email, action="account.sign_in", entity=f"user:{user.id}",
                         remote_addr=request.remote_addr)
        db.session.commit()
        if user is not None:
            return redirect(safe_next_url(request.args.get("next"), url_for("main.index")))
        flash(_("The e-mail or password is wrong, or the account is locked for a while after "
                "too many attempts."), "error")
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.new.data or "", current_user.email)
        if not verify_password(current_user.password_hash, form.current.data or ""):
            form.current.errors = [_("The current password is wrong.")]
        elif problem or form.new.data == form.current.data:
            form.new.errors = [{"too-short": _("Use at least %(n)d characters.", n=MIN_LENGTH),
                                "contains-email": _("Do not use your e-mail name in the password.")}.get(
                problem or "", _("Choose a password you have not used here."))]
        else:
            current_user.password_hash = hash_password(form.new.data or "")
            current_user.must_change_password = False
            audit.record(db.session, actor=current_user.email, action="account.password_changed",
                         entity=f"user:{current_user.id}", remote_addr=request.remote_addr)
            db.session.commit()
            flash(_("Your password is changed."), "info")
            return redirect(url_for("main.index"))
    return render_template("accounts/change_password.html", form=form, min_length=MIN_LENGTH)
