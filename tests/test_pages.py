"""Sign-in, the start page, languages and the safety of every page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from trial.cli import add_member
from trial.extensions import db
from trial.models import Role, Trial
from trial.passwords import hash_password
from trial.security import CONTENT_SECURITY_POLICY, safe_next_url

from .helpers import example_data, load_example, write_protocol
from .security.auth import sign_in

PASSWORD = "correct horse battery staple"


def _member(email: str, role: Role, trial: Trial, sites=(), must_change: bool = False) -> None:
    user, _ = add_member(email, role, trial, list(sites))
    user.password_hash = hash_password(PASSWORD)
    user.must_change_password = must_change
    db.session.commit()


def _trial(app: Flask) -> Trial:
    load_example(app)
    return db.session.query(Trial).one()


def _sign_in(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str = ""):  # noqa: ANN202
    """Password and second factor (set up on the first sign-in), as in tests/security/auth.py."""
    return sign_in(client, email, password, next_url)


def test_the_start_page_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_a_coordinator_sees_their_trial_role_and_sites(app: Flask, client: FlaskClient) -> None:
    trial = _trial(app)
    _member("kari@example.org", Role.COORDINATOR, trial, [trial.sites[-1]])
    assert _sign_in(client, "kari@example.org").status_code == 302
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "IPS for moderate to severe mental illness" in page
    assert "Site coordinator" in page and "Hordaland (Bergen)" in page


def test_the_start_page_lists_only_the_trials_the_user_has_a_role_in(app: Flask, client: FlaskClient,
                                                                    tmp_path: Path) -> None:
    from trial.protocol import load_file, store

    trial = _trial(app)
    other = example_data()
    other["trial"].update(code="other-trial", title="Another trial entirely")
    store(db.session, load_file(write_protocol(tmp_path, other)), actor="test", keyring=app.config["KEYRING"])
    _member("stat@example.org", Role.STATISTICIAN, trial)
    _sign_in(client, "stat@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "IPS for moderate to severe mental illness" in page
    assert "Another trial entirely" not in page


def test_a_one_time_password_must_be_changed_before_anything_else(app: Flask, client: FlaskClient) -> None:
    _member("new@example.org", Role.ADMIN, _trial(app), must_change=True)
    response = _sign_in(client, "new@example.org")
    assert client.get("/").location.endswith("/password")
    too_short = client.post("/password", data={"current": PASSWORD, "new": "short", "repeat": "short"})
    assert too_short.status_code == 200 and client.get("/").status_code == 302
    response = client.post("/password", data={"current": PASSWORD, "new": "a much longer passphrase",
                                              "repeat": "a much longer passphrase"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/sign-out")
    assert _sign_in(client, "new@example.org", "a much longer passphrase").status_code == 302


def test_a_wrong_password_says_nothing_about_whether_the_account_exists(app: Flask, client: FlaskClient) -> None:
    _member("kari@example.org", Role.ADMIN, _trial(app))
    wrong = _sign_in(client, "kari@example.org", "wrong password").get_data(as_text=True)
    unknown = _sign_in(client, "nobody@example.org", "wrong password").get_data(as_text=True)
    def without_tokens(page: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]+"', "", page)

    assert without_tokens(wrong.replace("kari@", "nobody@")) == without_tokens(unknown)
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account(app: Flask, client: FlaskClient) -> None:
    _member("kari@example.org", Role.ADMIN, _trial(app))
    for _ in range(5):
        _sign_in(client, "kari@example.org", "guess")
    assert _sign_in(client, "kari@example.org").status_code == 200  # the right password is refused while locked
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_never_redirects_to_another_site(app: Flask, client: FlaskClient, target: str) -> None:
    _member("kari@example.org", Role.ADMIN, _trial(app))
    response = _sign_in(client, "kari@example.org", next_url=target)
    assert response.location == "/"
    assert safe_next_url("/participants?site=oslo") == "/participants?site=oslo"


def test_pages_are_norwegian_by_default_and_english_on_request(app: Flask, client: FlaskClient) -> None:
    assert "Logg inn" in client.get("/sign-in").get_data(as_text=True)
    assert 'lang="nb"' in client.get("/sign-in").get_data(as_text=True)
    assert "Sign in" in client.get("/sign-in", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/sign-in"})
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page


def test_every_page_carries_security_headers_and_no_inline_script(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<script" not in page and "style=" not in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN


def test_an_error_page_does_not_echo_the_request(client: FlaskClient) -> None:
    response = client.get("/participants/Kari-Nordmann-01019012345")
    assert response.status_code == 404
    assert "Kari" not in response.get_data(as_text=True)


def test_forms_are_protected_against_cross_site_requests(database) -> None:  # noqa: ANN001
    from trial import create_app

    from .conftest import app_config

    app = create_app(app_config(database.url, WTF_CSRF_ENABLED=True))
    response = app.test_client().post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
