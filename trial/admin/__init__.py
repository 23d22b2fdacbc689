"""A trial's administration pages: staff accounts and roles, API tokens, and the audit trail."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, g
from flask_babel import lazy_gettext as _l

from .. import clock
from ..pages import menu_item
from ..policy import Permission

bp = Blueprint("admin", __name__, url_prefix="/trials/<trial>/admin")


@bp.app_template_filter("trial_time")
def trial_time(value: datetime | None) -> str:
    """A stored instant in the current trial's time zone, to the minute."""
    if value is None:
        return "–"
    access = g.get("access")
    zone = ZoneInfo(access.trial.timezone if access is not None else "UTC")
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


@bp.context_processor
def _now() -> dict[str, Any]:
    return {"now": clock.now()}


menu_item("admin.users", _l("Users"), Permission.MANAGE_TRIAL, order=80)
menu_item("admin.tokens", _l("API tokens"), Permission.MANAGE_TRIAL, order=81)
menu_item("admin.audit", _l("Audit trail"), Permission.MANAGE_TRIAL, order=82)

from . import views  # noqa: E402, F401 - registers the routes on bp
