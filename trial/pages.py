"""What every trial page shares: the signed-in user's access, the trial menu, and refusals as pages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from .errors import DomainError
from .models import User
from .policy import Permission, Unauthenticated


def page_user() -> User | None:
    """The signed-in staff member, for policy.requires() on pages."""
    return current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[no-any-return]  # the proxy's object


@dataclass(frozen=True)
class MenuItem:
    endpoint: str          # a view taking the `trial` URL argument
    label: Any             # a lazy_gettext string
    permission: Permission
    order: int = 50


MENU: list[MenuItem] = []


def menu_item(endpoint: str, label: Any, permission: Permission, order: int = 50) -> None:
    """Add a page to the trial menu; it is shown to those whose role allows `permission`."""
    if all(item.endpoint != endpoint for item in MENU):
        MENU.append(MenuItem(endpoint, label, permission, order))
        MENU.sort(key=lambda item: item.order)


def _trial_menu() -> dict[str, Any]:
    access = g.get("access")
    if access is None:
        return {"trial_menu": []}
    items = [(url_for(item.endpoint, trial=access.trial.code), item.label, request.endpoint == item.endpoint)
             for item in MENU if access.allows(item.permission)]
    return {"trial_menu": items, "access": access}


def _unauthenticated(_error: Unauthenticated) -> ResponseReturnValue:
    return redirect(url_for("accounts.sign_in", next=request.full_path if request.method == "GET" else None))


def _refused(error: DomainError) -> ResponseReturnValue:
    from .extensions import db

    db.session.rollback()
    # Details name fields and states, never personal data, so they can be shown.
    return render_template("error.html", code=error.status, name=error.title, detail=error.detail,
                           language_next="/"), error.status


def init_app(app: Flask) -> None:
    app.context_processor(_trial_menu)
    app.register_error_handler(Unauthenticated, _unauthenticated)
    app.register_error_handler(DomainError, _refused)
