"""Session cookies are secure, and every form that changes something needs its CSRF token."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from trial import create_app
from trial.models import User

from ..conftest import MigratedDatabase, app_config
from .auth import user

ADMIN = "/trials/ips-norway/admin"


def test_outside_development_the_session_cookie_is_secure_http_only_and_same_site(
        database: MigratedDatabase) -> None:
    config = {k: v for k, v in app_config(database.url).items() if k not in ("TESTING", "WTF_CSRF_ENABLED")}
    app = create_app({**config, "LOG_CONFIGURED": True})
    assert not app.testing
    response = app.test_client().get("/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.permanent_session_lifetime.total_seconds() <= 12 * 3600


def _post_forms(page: str) -> list[str]:
    return re.findall(r'<form method="post"[^>]*>.*?</form>', page, flags=re.S)


def test_every_admin_form_carries_a_csrf_token_and_a_post_without_it_is_refused(
        app: Flask, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    kari = staff("kari@example.org", "coordinator", ("bergen",))
    admin = signed_in("admin@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    pages = [f"{ADMIN}/users/{kari.id}", f"{ADMIN}/users/new", "/trials/ips-norway/"]
    forms = [form for path in pages for form in _post_forms(admin.get(path).get_data(as_text=True))]
    assert len(forms) >= 5 and all(re.search(r'name="([a-z]+-)?csrf_token"', form) for form in forms)
    forged = admin.post(f"{ADMIN}/users/{kari.id}/status", data={"status-reason": "Cross-site"})
    assert forged.status_code == 400 and user("kari@example.org").active
    page = admin.get(f"{ADMIN}/users/{kari.id}").get_data(as_text=True)
    token = re.search(r'name="status-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page
    done = admin.post(f"{ADMIN}/users/{kari.id}/status", data={"status-csrf_token": token.group(1),
                                                               "status-reason": "Left"})
    assert done.status_code == 302 and not user("kari@example.org").active


def test_the_code_step_needs_its_csrf_token_too(app: Flask, client: FlaskClient,
                                                staff: Callable[..., User]) -> None:
    staff("kari@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from .conftest import PASSWORD

    first = client.post("/sign-in", data={"csrf_token": token, "email": "kari@example.org", "password": PASSWORD})
    assert first.location == "/sign-in/authenticator"
    assert client.post("/sign-in/authenticator", data={"code": "123456"}).status_code == 400
    # The session was renewed after the password, so the old page's token no longer counts either.
    assert client.post("/sign-in/authenticator", data={"code": "123456", "csrf_token": token}).status_code == 400
