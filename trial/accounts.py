"""Staff sign-in (password, then a one-time code from an authenticator app), sign-out and password change.

Nobody is signed in until both factors pass: after the password the session holds only a pending
sign-in (the user's id and a short expiry). Password and code failures share one counter, which only
a completed sign-in resets, so knowing the password does not buy unlimited code guesses. Signing in
starts a fresh session (no fixation); a session ends after a period without requests, after an
absolute lifetime, when the account's password, second factor or status changes, and at sign-out
(which raises the account's session epoch, so a copy of the signed-out cookie is refused too).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from functools import cache
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from . import audit, clock, totp
from .extensions import db, login_manager
from .models import User
from .models.enrollment import new_uid
from .passwords import MIN_LENGTH, hash_password, password_problem, verify_password
from .sealing import seal, unseal
from .security import safe_next_url

bp = Blueprint("accounts", __name__)

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
PENDING_LIFETIME = timedelta(minutes=5)      # between the password and the code
IDLE_TIMEOUT_MINUTES = 30                    # default for the IDLE_TIMEOUT_MINUTES setting
SEEN_RESOLUTION_SECONDS = 60                 # refresh the last-seen time at most this often
ISSUER = "Trial management"
# Reached while a password change is pending; everything else waits until it is done.
OPEN_ENDPOINTS = {"accounts.sign_in", "accounts.sign_out", "accounts.change_password", "static",
                  "i18n.choose_language"}


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class CodeForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app"), validators=[DataRequired()],
                       render_kw={"inputmode": "numeric", "maxlength": 8, "spellcheck": "false"})


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


def session_stamp(user: User) -> str:
    """Changes when the password, second factor, account status or session epoch (raised at sign-out)
    changes, ending older sessions."""
    enabled = int(user.totp_enabled_at.timestamp()) if user.totp_enabled_at else 0
    state = f"{user.id}|{user.password_hash}|{enabled}|{user.active}|{user.session_epoch}"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()[:32]


def _session_expired(now: float) -> bool:
    idle = 60 * float(current_app.config.get("IDLE_TIMEOUT_MINUTES", IDLE_TIMEOUT_MINUTES))
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    seen, started = session.get("seen"), session.get("signed_in_at")
    return (not isinstance(seen, int | float) or not isinstance(started, int | float) or now - seen > idle
            or now - started > lifetime or session.get("stamp") != session_stamp(current_user))


@bp.before_app_request
def guard_session() -> ResponseReturnValue | None:
    # The API authenticates each request by its bearer token and never by this cookie.
    if request.endpoint == "static" or request.blueprint == "api" or not current_user.is_authenticated:
        return None
    now = clock.now().timestamp()
    if _session_expired(now):
        logout_user()
        _fresh_session()
        flash(_("Your session has ended (after a while without activity, or a change to the account). "
                "Please sign in again."), "info")
        again = request.full_path if request.method == "GET" else None
        return redirect(url_for("accounts.sign_in", next=again))
    if now - session["seen"] >= SEEN_RESOLUTION_SECONDS:
        session["seen"] = now
    if current_user.must_change_password and request.endpoint not in OPEN_ENDPOINTS:
        return redirect(url_for("accounts.change_password"))
    return None


def _fresh_session() -> None:
    """A new session: nothing from before sign-in carries over except the chosen language."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def _find(email: str) -> User | None:
    same_address = func.lower(User.email) == email.strip().lower()
    return db.session.scalars(select(User).where(same_address)).one_or_none()


def _locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > clock.now()


def _count_failure(user: User, step: str) -> None:
    # Count on the row as committed, locked until our commit: parallel wrong attempts would otherwise
    # each read the same count and write the same count + 1 (read committed on PostgreSQL).
    db.session.scalars(select(User).where(User.id == user.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if _locked(user):  # locked by a parallel attempt meanwhile: this one is refused anyway
        return
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        user.locked_until, user.failed_sign_ins = clock.now() + LOCKOUT, 0
        audit.record(db.session, actor=user.email, action="account.locked", entity=f"user:{user.id}",
                     details={"after": step}, remote_addr=request.remote_addr)


@cache
def _timing_equaliser() -> str:
    """A hash to verify against for an unknown e-mail, made once: hashing it on every attempt would
    double the work (and the time) for unknown accounts, telling them apart from known ones."""
    return hash_password("timing-equaliser")


def _check_password(email: str, password: str) -> User | None:
    """The user if the password is right and the account usable; counts failures and locks out."""
    user = _find(email)
    if user is None:
        verify_password(_timing_equaliser(), password)  # the same work whether or not the account exists
        return None
    if not user.active or _locked(user):
        return None
    if not verify_password(user.password_hash, password):
        _count_failure(user, "password")
        return None
    return user


def _pending_user() -> User | None:
    """The user who passed the password step in this session, within its short lifetime."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or not pending.get("until", 0) > clock.now().timestamp():
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.active and not _locked(user) else None


def _restart(message: Any) -> ResponseReturnValue:
    _fresh_session()
    flash(message, "error")
    return redirect(url_for("accounts.sign_in"))


def _complete_sign_in(user: User) -> ResponseReturnValue:
    target = safe_next_url(session.get("pending", {}).get("next"), url_for("main.index"))
    now = clock.now()
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, now
    _fresh_session()
    login_user(user)
    session.update(signed_in_at=now.timestamp(), seen=now.timestamp(), stamp=session_stamp(user))
    audit.record(db.session, actor=user.email, action="account.sign_in", entity=f"user:{user.id}",
                 remote_addr=request.remote_addr)
    db.session.commit()
    return redirect(target)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        user = _check_password(form.email.data or "", form.password.data or "")
        db.session.commit()
        if user is not None:
            _fresh_session()
            session["pending"] = {"user": user.id, "next": request.args.get("next"),
                                  "until": (clock.now() + PENDING_LIFETIME).timestamp()}
            return redirect(url_for("accounts.second_factor" if user.totp_enabled_at else "accounts.enrol"))
        flash(_("The e-mail or password is wrong, or the account is locked for a while after "
                "too many attempts."), "error")
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    """The second step for a user with an authenticator app: a code accepted once."""
    user = _pending_user()
    if user is None:
        return _restart(_("The sign-in has expired. Please start again."))
    if user.totp_enabled_at is None:
        return redirect(url_for("accounts.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        step = totp.matching_step(unseal(user, "totp_secret") or "", form.code.data or "", clock.now(),
                                  user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return _complete_sign_in(user)
        _count_failure(user, "code")
        db.session.commit()
        if _locked(user):
            return _restart(_("Too many wrong codes: the account is locked for a while."))
        form.code.errors = [_("The code is wrong or already used. Wait for the next code and try again.")]
    return render_template("accounts/second_factor.html", form=form)


@bp.route("/sign-in/authenticator", methods=["GET", "POST"])
def enrol() -> ResponseReturnValue:
    """First sign-in (or after an administrator's reset): connect an authenticator app."""
    user = _pending_user()
    if user is None:
        return _restart(_("The sign-in has expired. Please start again."))
    if user.totp_enabled_at is not None:
        return redirect(url_for("accounts.second_factor"))
    secret = _unconfirmed_secret(user)
    form = CodeForm()
    if form.validate_on_submit():
        step = totp.matching_step(secret, form.code.data or "", clock.now(), None)
        if step is not None:
            user.totp_enabled_at, user.totp_last_step = clock.now(), step
            audit.record(db.session, actor=user.email, action="account.second_factor_enabled",
                         entity=f"user:{user.id}", remote_addr=request.remote_addr)
            return _complete_sign_in(user)
        _count_failure(user, "enrolment code")
        db.session.commit()
        if _locked(user):
            return _restart(_("Too many wrong codes: the account is locked for a while."))
        form.code.errors = [_("That code does not match. Check the app's clock and enter the newest code.")]
    uri = totp.provisioning_uri(secret, user.email, ISSUER)
    return render_template("accounts/enrol.html", form=form, secret=totp.grouped(secret),
                           qr=totp.qr_svg(uri, _("QR code for your authenticator app")))


def _unconfirmed_secret(user: User) -> str:
    """The secret being set up, created (and sealed under the user's uid) on first need."""
    secret = unseal(user, "totp_secret") if user.totp_secret_enc is not None else None
    if secret is None:
        if user.uid is None:
            user.uid = new_uid()
        secret = totp.new_secret()
        seal(user, "totp_secret", secret)
        db.session.commit()
    return secret


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # Every session of the account issued so far ends, including any copy of this cookie.
        current_user.session_epoch = User.session_epoch + 1
        db.session.commit()
    logout_user()
    _fresh_session()
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
            session["stamp"] = session_stamp(current_user)  # this session stays; others with the old password end
            audit.record(db.session, actor=current_user.email, action="account.password_changed",
                         entity=f"user:{current_user.id}", remote_addr=request.remote_addr)
            db.session.commit()
            flash(_("Your password is changed."), "info")
            return redirect(url_for("main.index"))
    return render_template("accounts/change_password.html", form=form, min_length=MIN_LENGTH)
