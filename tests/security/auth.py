"""Signing in through the pages as a person would: password, then the authenticator app's code."""
from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from trial import clock, totp
from trial.extensions import db
from trial.models import User
from trial.sealing import unseal

ENROL_PATH = "/sign-in/authenticator"
CODE_PATH = "/sign-in/code"


def user(email: str) -> User:
    """The account as stored now (not as this session last saw it)."""
    return db.session.scalars(select(User).where(func.lower(User.email) == email.lower())
                              .execution_options(populate_existing=True)).one()


def secret_on_page(page: str) -> str:
    """The key shown for manual entry on the set-up page, as a person would type it."""
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', unescape(page))
    assert match, "the set-up page shows no key"
    return match.group(1).replace(" ", "")


def next_code(secret: str, last_step: int | None) -> str:
    """A code the app shows within the accepted window and not used before (the app's clock may differ
    by a step, so up to three sign-ins per 30 seconds work, as they would for a person)."""
    current = totp.step_at(clock.now())
    step = current - totp.DRIFT_STEPS if last_step is None else max(last_step + 1, current - totp.DRIFT_STEPS)
    assert step <= current + totp.DRIFT_STEPS, "no unused code left in this time window"
    return totp.code_for_step(secret, step)


def second_step(client: FlaskClient, response: TestResponse, email: str) -> TestResponse:
    """Finish a sign-in the password step has started: set up the app if needed, then enter its code."""
    if response.status_code != 302 or not response.location.startswith(("/sign-in/", "http")):
        return response
    if response.location.endswith(ENROL_PATH):
        page = client.get(ENROL_PATH).get_data(as_text=True)
        return client.post(ENROL_PATH, data={"code": next_code(secret_on_page(page), None)})
    if response.location.endswith(CODE_PATH):
        account = user(email)
        return client.post(CODE_PATH, data={"code": next_code(unseal(account, "totp_secret") or "",
                                                              account.totp_last_step)})
    return response


def sign_in(client: FlaskClient, email: str, password: str, next_url: str = "") -> TestResponse:
    """Password and code; returns the last answer (a redirect to `next` when it worked)."""
    query = f"?next={next_url}" if next_url else ""
    first = client.post(f"/sign-in{query}", data={"email": email, "password": password})
    return second_step(client, first, email)
