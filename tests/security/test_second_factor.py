"""The second factor: set up at the first sign-in, a code at every sign-in, each code used once."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial import clock, totp
from trial.extensions import db
from trial.models import AuditEvent, User
from trial.sealing import unseal
from trial.security import CONTENT_SECURITY_POLICY

from .auth import CODE_PATH, ENROL_PATH, next_code, secret_on_page, user
from .conftest import PASSWORD


def _password(client: FlaskClient, email: str, next_url: str = ""):  # noqa: ANN202
    query = f"?next={next_url}" if next_url else ""
    return client.post(f"/sign-in{query}", data={"email": email, "password": PASSWORD})


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_the_first_sign_in_sets_up_an_authenticator_app_before_anything_else(
        client: FlaskClient, staff: Callable[..., User]) -> None:
    staff("kari@example.org")
    response = _password(client, "kari@example.org", next_url="/trials/ips-norway/")
    assert response.location == ENROL_PATH
    assert client.get("/").status_code == 302          # not signed in yet
    page = client.get(ENROL_PATH)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<svg" in html and "<path" in html                          # the QR code, drawn here
    assert "style=" not in html and "<script" not in html and "https://" not in html
    secret = secret_on_page(html)
    assert len(secret) == 32 and unseal(user("kari@example.org"), "totp_secret") == secret
    assert user("kari@example.org").totp_secret_enc is not None and secret.encode() not in user(
        "kari@example.org").totp_secret_enc
    wrong = client.post(ENROL_PATH, data={"code": "12345x"})
    assert wrong.status_code == 200 and user("kari@example.org").totp_enabled_at is None
    done = client.post(ENROL_PATH, data={"code": next_code(secret, None)})
    assert done.status_code == 302 and done.location == "/trials/ips-norway/"
    assert client.get("/").status_code == 200
    assert user("kari@example.org").totp_enabled_at is not None
    assert _actions()[-2:] == ["account.second_factor_enabled", "account.sign_in"]


def test_later_sign_ins_need_a_fresh_code_and_a_code_works_once(
        client: FlaskClient, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    signed_in("kari@example.org")                       # sets up the app
    account = user("kari@example.org")
    secret, last_step = unseal(account, "totp_secret") or "", account.totp_last_step
    assert _password(client, "kari@example.org").location == CODE_PATH
    assert client.get("/").status_code == 302
    replay = client.post(CODE_PATH, data={"code": totp.code_for_step(secret, last_step or 0)},
                         headers={"Accept-Language": "en"})
    assert replay.status_code == 200 and "already used" in replay.get_data(as_text=True)
    assert client.get("/").status_code == 302
    fresh = client.post(CODE_PATH, data={"code": next_code(secret, last_step)})
    assert fresh.status_code == 302 and client.get("/").status_code == 200
    assert user("kari@example.org").totp_last_step > last_step


def test_a_code_from_outside_the_time_window_is_refused(client: FlaskClient, staff: Callable[..., User],
                                                        signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    signed_in("kari@example.org")
    secret = unseal(user("kari@example.org"), "totp_secret") or ""
    _password(client, "kari@example.org")
    stale = totp.code_for_step(secret, totp.step_at(clock.now()) - 3)
    future = totp.code_for_step(secret, totp.step_at(clock.now()) + 3)
    for code in (stale, future, "12345", "abcdef"):          # four: the fifth failure would lock
        assert client.post(CODE_PATH, data={"code": code}).status_code == 200
    assert client.get("/").status_code == 302


def test_wrong_codes_lock_the_account_and_a_right_password_does_not_reset_the_count(
        client: FlaskClient, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    signed_in("kari@example.org")
    secret = unseal(user("kari@example.org"), "totp_secret") or ""
    for attempt in range(5):
        # Starting over with the (known) password between guesses must not earn more guesses.
        assert _password(client, "kari@example.org").location == CODE_PATH, attempt
        client.post(CODE_PATH, data={"code": "000000" if attempt % 2 else "999999"})
    locked = user("kari@example.org")
    assert locked.locked_until is not None and locked.locked_until > clock.now()
    assert "account.locked" in _actions()
    assert _password(client, "kari@example.org").status_code == 200      # the password step refuses too
    right_code = client.post(CODE_PATH, data={"code": next_code(secret, locked.totp_last_step)})
    assert right_code.location == "/sign-in"
    assert client.get("/").status_code == 302


def test_the_pending_sign_in_expires(client: FlaskClient, staff: Callable[..., User],
                                     signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    signed_in("kari@example.org")
    secret = unseal(user("kari@example.org"), "totp_secret") or ""
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        _password(client, "kari@example.org")
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        code = next_code(secret, user("kari@example.org").totp_last_step)
        late = client.post(CODE_PATH, data={"code": code})
        assert late.location == "/sign-in"
        assert client.get("/").status_code == 302


def test_the_code_pages_need_the_password_first(client: FlaskClient, staff: Callable[..., User]) -> None:
    staff("kari@example.org")
    for path in (CODE_PATH, ENROL_PATH):
        assert client.get(path).location == "/sign-in"
        assert client.post(path, data={"code": "123456"}).location == "/sign-in"
    assert user("kari@example.org").totp_secret_enc is None


def test_signing_in_starts_a_new_session(client: FlaskClient, staff: Callable[..., User],
                                         signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    signed_in("kari@example.org")
    with client.session_transaction() as planted:          # what an attacker could have fixed beforehand
        planted["planted"] = "by-attacker"
        planted["language"] = "en"
    before = client.get_cookie("session").value
    from .auth import sign_in

    sign_in(client, "kari@example.org", PASSWORD)
    with client.session_transaction() as now:
        assert "planted" not in now and "pending" not in now
        assert now["language"] == "en" and now["_user_id"]
    assert client.get_cookie("session").value != before


def test_an_idle_session_ends_and_so_does_one_whose_second_factor_was_reset(
        app: Flask, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        browser = signed_in("kari@example.org")
        assert browser.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert browser.get("/").status_code == 200           # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert browser.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        assert browser.get("/").location.startswith("/sign-in")
        assert browser.get("/").location.startswith("/sign-in")   # and stays signed out
    again = signed_in("kari@example.org")
    account = user("kari@example.org")
    account.totp_enabled_at = None
    db.session.commit()
    assert again.get("/").location.startswith("/sign-in")


def test_sign_out_forgets_the_session(staff: Callable[..., User],
                                      signed_in: Callable[[str], FlaskClient]) -> None:
    staff("kari@example.org")
    browser = signed_in("kari@example.org")
    browser.post("/sign-out")
    with browser.session_transaction() as state:
        assert "_user_id" not in state
    assert browser.get("/").status_code == 302


def test_an_unknown_e_mail_costs_the_same_single_hash_check_as_a_wrong_password(
        client: FlaskClient, staff: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    import trial.accounts as accounts

    staff("kari@example.org")
    accounts._timing_equaliser()                             # made once per process, not per attempt
    hashed, checked = [], []
    real_hash, real_verify = accounts.hash_password, accounts.verify_password
    monkeypatch.setattr(accounts, "hash_password", lambda p: hashed.append(p) or real_hash(p))
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: checked.append(p) or real_verify(h, p))
    for email in ("nobody@example.org", "kari@example.org", "nobody@example.org"):
        client.post("/sign-in", data={"email": email, "password": "wrong guess"})
    assert hashed == [] and len(checked) == 3
