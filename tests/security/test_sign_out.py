"""Signing out ends the session everywhere, including a copy of the cookie taken before."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from trial.models import User

from .auth import user


def _copy(client: FlaskClient, app: Flask) -> FlaskClient:
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    return copy


def test_a_cookie_copied_before_sign_out_is_refused_after_it(
        app: Flask, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    browser = signed_in("kari@example.org")
    stolen = _copy(browser, app)
    assert stolen.get("/").status_code == 200          # the copy works while the session lasts
    epoch = user("kari@example.org").session_epoch
    assert browser.post("/sign-out").location == "/sign-in"
    assert user("kari@example.org").session_epoch == epoch + 1
    replayed = stolen.get("/")
    assert replayed.status_code == 302 and replayed.location.startswith("/sign-in")
    assert browser.get("/").location.startswith("/sign-in")


def test_signing_in_again_after_sign_out_works(staff: Callable[..., User],
                                               signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    signed_in("kari@example.org").post("/sign-out")
    assert signed_in("kari@example.org").get("/").status_code == 200
