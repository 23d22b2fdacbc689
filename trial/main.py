"""The start page: the trials the signed-in person works on, and their role in each."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Membership, Trial
from .pages import page_user
from .policy import Permission, requires

bp = Blueprint("main", __name__)

ROLE_NAMES = {
    "admin": _l("Administrator"),
    "coordinator": _l("Site coordinator"),
    "statistician": _l("Statistician (blinded)"),
    "unblinded-statistician": _l("Statistician (unblinded)"),
}


@bp.app_context_processor
def role_names() -> dict[str, object]:
    return {"role_names": ROLE_NAMES}


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    memberships = db.session.scalars(
        select(Membership).join(Trial).where(Membership.user_id == current_user.id)
        .options(selectinload(Membership.trial).selectinload(Trial.versions), selectinload(Membership.sites))
        .order_by(Trial.title)).all()
    return render_template("index.html", memberships=memberships)


@bp.get("/trials/<trial>/")
@requires(Permission.VIEW_FLOW, page_user)
def trial_home(trial: str) -> ResponseReturnValue:
    """A trial's start page: the pages this role has, from the trial menu."""
    return render_template("trial_home.html")
