"""The administration pages. Each change needs a reason (except adding someone) and is audited."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..errors import DomainError, Forbidden
from ..extensions import db
from ..main import ROLE_NAMES
from ..models import Role
from ..pages import page_user
from ..policy import Permission, requires
from . import audit_log, bp, members

MANAGE = Permission.MANAGE_TRIAL
ROLES = [SelectChoice(r.value, ROLE_NAMES[r.value]) for r in Role]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (kept in the audit trail)"), filters=[_strip],
                           validators=[DataRequired(), Length(max=1000)])


class MembershipForm(ReasonForm):
    role = SelectField(_l("Role"), choices=ROLES)
    sites = SelectMultipleField(_l("Sites (coordinators only)"), choices=[],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class NewMemberForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[DataRequired(), Length(max=320),
                                                         Regexp(EMAIL, message=_l("Not an e-mail address."))])
    # No preselected role: the first in the list is the administrator, the last thing to give by accident.
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("Choose a role…")), *ROLES],
                       validators=[DataRequired()])
    sites = MembershipForm.sites


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False       # a search (GET) changes nothing

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(_l("Actor (e-mail or command)"), filters=[_strip],
                        validators=[Optional(), Length(max=320)])
    entity = StringField(_l("Entity (e.g. user:3 or screening:)"), filters=[_strip],
                         validators=[Optional(), Length(max=128)])
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date, inclusive)"), validators=[Optional()])


def _site_choices(form: FlaskForm) -> FlaskForm:
    form.sites.choices = [SelectChoice(s.code, s.name) for s in g.access.trial.sites]
    return form


def _show_errors(form: FlaskForm, error: DomainError) -> None:
    """A refusal in the form's own words: field errors where they belong, else a message."""
    if isinstance(error, Forbidden):
        raise error
    db.session.rollback()
    for name, message in error.errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
    if not error.errors:
        flash(error.detail, "error")


@bp.get("/users")
@requires(MANAGE, page_user)
def users(trial: str) -> ResponseReturnValue:
    return render_template("admin/users.html", memberships=members.members(g.access))


@bp.route("/users/new", methods=["GET", "POST"])
@requires(MANAGE, page_user)
def new_user(trial: str) -> ResponseReturnValue:
    form = _site_choices(NewMemberForm())
    if form.validate_on_submit():
        try:
            role = Role(form.role.data)
            sites = members.sites_for(g.access, role, form.sites.data)
            created = members.add(g.access, form.email.data, role, sites)
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            # Shown in this answer only (never stored, never flashed into the session cookie).
            return render_template("admin/user_created.html", user=created.user, password=created.password)
    return render_template("admin/new_user.html", form=form)


def _user_page(membership: Any, **forms: FlaskForm) -> ResponseReturnValue:
    role_form = forms.get("role_form") or _site_choices(MembershipForm(
        prefix="membership", formdata=None, role=membership.role, sites=[s.code for s in membership.sites]))
    return render_template("admin/user.html", membership=membership, user=membership.user,
                           role_form=role_form,
                           status_form=forms.get("status_form") or ReasonForm(prefix="status", formdata=None),
                           factor_form=forms.get("factor_form") or ReasonForm(prefix="factor", formdata=None))


@bp.get("/users/<int:user_id>")
@requires(MANAGE, page_user)
def user(trial: str, user_id: int) -> ResponseReturnValue:
    return _user_page(members.member(g.access, user_id))


@bp.post("/users/<int:user_id>/role")
@requires(MANAGE, page_user)
def change_role(trial: str, user_id: int) -> ResponseReturnValue:
    membership = members.member(g.access, user_id)
    form = _site_choices(MembershipForm(prefix="membership"))
    if form.validate():
        try:
            role = Role(form.role.data)
            sites = members.sites_for(g.access, role, form.sites.data)
            members.change_role(g.access, membership, role, sites, form.reason.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The role is changed."), "info")
            return redirect(url_for("admin.user", trial=trial, user_id=user_id))
    return _user_page(membership, role_form=form)


@bp.post("/users/<int:user_id>/status")
@requires(MANAGE, page_user)
def change_status(trial: str, user_id: int) -> ResponseReturnValue:
    membership = members.member(g.access, user_id)
    form = ReasonForm(prefix="status")
    if form.validate():
        enable = not membership.user.active
        members.set_active(g.access, membership.user, enable, form.reason.data)
        db.session.commit()
        flash(_("The account is enabled.") if enable else _("The account is disabled."), "info")
        return redirect(url_for("admin.user", trial=trial, user_id=user_id))
    return _user_page(membership, status_form=form)


@bp.post("/users/<int:user_id>/second-factor")
@requires(MANAGE, page_user)
def reset_second_factor(trial: str, user_id: int) -> ResponseReturnValue:
    membership = members.member(g.access, user_id)
    form = ReasonForm(prefix="factor")
    if form.validate():
        members.reset_second_factor(g.access, membership.user, form.reason.data)
        db.session.commit()
        flash(_("The second factor is reset: the person sets up an authenticator app at the next sign-in."),
              "info")
        return redirect(url_for("admin.user", trial=trial, user_id=user_id))
    return _user_page(membership, factor_form=form)


@bp.get("/tokens")
@requires(MANAGE, page_user)
def tokens(trial: str) -> ResponseReturnValue:
    return render_template("admin/tokens.html", tokens=members.tokens(g.access))


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@requires(MANAGE, page_user)
def revoke_token(trial: str, token_id: int) -> ResponseReturnValue:
    token, owner = members.token(g.access, token_id)
    form = ReasonForm()
    if form.validate_on_submit():
        members.revoke_token(g.access, token_id, form.reason.data)
        db.session.commit()
        flash(_("The token is revoked: it no longer works."), "info")
        return redirect(url_for("admin.tokens", trial=trial))
    return render_template("admin/revoke_token.html", form=form, token=token, owner=owner)


@bp.get("/audit")
@requires(MANAGE, page_user)
def audit(trial: str) -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("Any action")),
                           *(SelectChoice(a) for a in audit_log.actions(g.access))]
    valid = form.validate()
    filters = audit_log.Filters(
        action=form.action.data or "", actor=form.actor.data or "", entity=form.entity.data or "",
        date_from=form.date_from.data if valid else None, date_to=form.date_to.data if valid else None)
    shown = audit_log.page(g.access, filters, request.args.get("page", 1, type=int) or 1)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, page=shown, query=query,
                           chain=audit_log.chain_state())
