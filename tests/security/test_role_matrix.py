"""Every route of the app, called by every role: a route without a policy fails this suite.

Each view either carries `required_permission` (set by trial.policy.requires) or is listed in PUBLIC
with the reason it needs no trial role. For the others: a role whose grants lack the permission gets
403, a trial the caller has no role in gives 404, nobody signed in is sent to sign-in (pages) or gets
401 (API); a coordinator gets 403 on another site's screening or participant, and no answer to a site
role holds allocation-list details (positions to come, block sizes, the list's secret).
"""
from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from trial import tokens
from trial.enrollment.common import trial_secret
from trial.extensions import db
from trial.models import ApiToken, Consent, Role, Screening, Trial, User
from trial.policy import GRANTS, Permission, access_to
from trial.protocol import load_file, store

from ..api.conftest import Api
from ..helpers import example_data, write_protocol

# Views that need no role in a trial, and why. Nothing under /trials/<trial>/ may be here.
PUBLIC = {
    "static": "the stylesheet and other files shipped with the app",
    "main.index": "signed-in only (login_required); lists the caller's own roles",
    "accounts.sign_in": "the way in",
    "accounts.second_factor": "the second sign-in step; needs the pending sign-in from the password step",
    "accounts.enrol": "setting up the authenticator app; needs the pending sign-in from the password step",
    "accounts.sign_out": "ends the caller's own session",
    "accounts.change_password": "signed-in only (login_required); the caller's own password",
    "i18n.choose_language": "stores the caller's language choice",
    "api.openapi": "describes the API, holds no data",
    "questionnaires_web.start": "participant link: authorized by the link's token and a birth-date check",
    "questionnaires_web.question": "participant link: authorized by the verified link in the session",
    "questionnaires_web.answer": "participant link: authorized by the verified link in the session",
    "questionnaires_web.choose_language": "participant link: the participant's language",
    "questionnaires_web.review": "participant link: authorized by the verified link in the session",
    "questionnaires_web.saved": "participant link: a static 'saved, come back later' page",
    "questionnaires_web.thanks": "participant link: a static 'thank you' page",
}

# What each role may do, written out here so a change to trial.policy.GRANTS is a deliberate one.
EXPECTED_GRANTS = {
    Role.ADMIN: {Permission.MANAGE_TRIAL, Permission.VIEW_FLOW},
    Role.COORDINATOR: {Permission.ENROLL, Permission.VIEW_PARTICIPANTS, Permission.FOLLOW_UP,
                       Permission.VIEW_FLOW, Permission.SEE_ARMS},
    Role.STATISTICIAN: {Permission.VIEW_FLOW, Permission.LOCK_DATA, Permission.EXPORT_DATA},
    Role.UNBLINDED_STATISTICIAN: {Permission.VIEW_FLOW, Permission.LOCK_DATA, Permission.EXPORT_DATA,
                                  Permission.SEE_ARMS},
}
# Views whose service refuses some roles that the declared permission lets in. Each entry is a debt:
# the route should declare the permission it really enforces, and then leave this list.
NARROWED: dict[str, tuple[set[Role], str]] = {}
# Path segments whose argument is one site's record; any other site's coordinator gets 403 there.
RECORD_SEGMENTS = ("/screenings/<", "/participants/<", "/questionnaires/baseline/<",
                   "/questionnaires/paper/<")
SITE_ROLES = {"coordinator-bergen", "coordinator-oslo"}
PASSWORD = "correct horse battery staple"


@dataclass
class Caller:
    name: str
    role: Role | None
    browser: FlaskClient              # signed in through both factors (or not at all, for "anonymous")
    bare: FlaskClient                 # no cookies: for calls with the API token
    token: str | None = None
    user: User | None = None


@dataclass
class World:
    callers: list[Caller]
    samples: dict[str, str]
    secret: bytes
    failures: list[str] = field(default_factory=list)


PEOPLE = [("admin", Role.ADMIN, ()), ("coordinator-bergen", Role.COORDINATOR, ("bergen",)),
          ("coordinator-oslo", Role.COORDINATOR, ("oslo",)), ("statistician", Role.STATISTICIAN, ()),
          ("unblinded-statistician", Role.UNBLINDED_STATISTICIAN, ())]


def _make_callers(app: Flask, trial: Trial) -> list[Caller]:
    from trial.cli import add_member
    from trial.passwords import hash_password

    from .auth import sign_in

    callers = [Caller("anonymous", None, app.test_client(), app.test_client())]
    for name, role, sites in PEOPLE:
        user, _ = add_member(f"{name}@example.org", role, trial, [s for s in trial.sites if s.code in sites])
        user.password_hash, user.must_change_password = hash_password(PASSWORD), False
        token = tokens.issue(db.session, user, "test")
        db.session.commit()
        browser = app.test_client()
        assert sign_in(browser, user.email, PASSWORD).status_code == 302
        callers.append(Caller(name, role, browser, app.test_client(), token, user))
    return callers


def _records(app: Flask, coordinator: Caller, statistician: Caller) -> dict[str, str]:
    """A randomized participant and a ready screening at Bergen, to aim the record routes at."""
    api = Api(app.test_client(), coordinator.token or "")
    randomized = api.enroll_ready("bergen", email="kari@example.org", phone="+47 22 33 44 55")
    status, body, _ = api.post(f"/screenings/{randomized}/randomize")
    assert status == 201, body
    ready = api.enroll_ready("bergen")
    consent = db.session.scalars(select(Consent).join(Screening).where(Screening.uid == ready)).first()
    token_id = db.session.scalars(select(ApiToken.id).where(
        ApiToken.user_id == statistician.user.id)).one()  # type: ignore[union-attr]
    return {"trial": "ips-norway", "uid": ready, "screening": ready, "code": body["participant_id"],
            "consent_uid": consent.uid if consent else "x", "timepoint": "6m", "instrument": "hads",
            "user_id": str(statistician.user.id), "token_id": str(token_id)}  # type: ignore[union-attr]


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> Iterator[World]:
    from ..conftest import RequestIsolatedClient
    from ..helpers import load_example

    app.test_client_class = RequestIsolatedClient
    app.config["PROPAGATE_EXCEPTIONS"] = False   # a crash is one more failure listed, not the end of the walk
    with time_machine.travel(date(2014, 1, 15), tick=True):
        load_example(app)
        data = example_data()
        data["trial"].update(code="other-trial", title="Another trial")
        store(db.session, load_file(write_protocol(tmp_path, data)), actor="test",
              keyring=app.config["KEYRING"])
        db.session.commit()
        trial = db.session.scalars(select(Trial).where(Trial.code == "ips-norway")).one()
        callers = _make_callers(app, trial)
        by_name = {c.name: c for c in callers}
        samples = _records(app, by_name["coordinator-bergen"], by_name["statistician"])
        secret = trial_secret(access_to(by_name["admin"].user, "ips-norway"))  # type: ignore[arg-type]
        yield World(callers, samples, secret)


def _url(rule: Rule, samples: dict[str, str], trial: str) -> str:
    values = {arg: trial if arg == "trial" else samples.get(arg, "1" if "int:" in rule.rule else "x")
              for arg in rule.arguments}
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{arg}>", value, path)
    return path


def _call(caller: Caller, method: str, url: str, api: bool, use_token: bool):  # noqa: ANN202 - TestResponse
    headers = {"Accept-Language": "en"}
    if use_token and caller.token:
        headers["Authorization"] = f"Bearer {caller.token}"
    client = caller.bare if use_token else caller.browser
    if api and method in ("POST", "PUT", "PATCH"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, headers=headers)


def _allows(role: Role, permission: Permission | tuple[Permission, ...]) -> bool:
    """The example trial is not blinded, so a coordinator may see arms there. A tuple lets in any of them."""
    wanted = (permission,) if isinstance(permission, Permission) else permission
    return any(p in EXPECTED_GRANTS[role] for p in wanted)


def _secret_forms(secret: bytes) -> list[str]:
    return [secret.hex(), base64.b64encode(secret).decode(),
            base64.urlsafe_b64encode(secret).decode().rstrip("=")]


def _check(world: World, caller: Caller, rule: Rule, method: str, via_token: bool) -> None:
    """One call; a mismatch is added to world.failures (all are reported together)."""
    api = rule.endpoint.startswith("api.")
    permission = _permission(rule)
    url = _url(rule, world.samples, "ips-norway")
    response = _call(caller, method, url, api, via_token)
    status, where = response.status_code, f"{caller.name}{' (token)' if via_token else ''} {method} {url}"
    signed_in = caller.role is not None and via_token == api   # the API reads tokens only, pages cookies only
    if not signed_in:
        expected_anon = status == 401 if api else (status == 302 and response.location.startswith("/sign-in"))
        if not expected_anon:
            world.failures.append(f"{where}: {status}, expected {'401' if api else 'a redirect to sign-in'}")
        return
    assert caller.role is not None
    narrowed_for, _reason = NARROWED.get(rule.endpoint, (set(), ""))
    if not _allows(caller.role, permission) or caller.role in narrowed_for:
        if status != 403:
            world.failures.append(f"{where}: {status}, expected 403 (role lacks {permission})")
        return
    record_bound = any(segment in rule.rule for segment in RECORD_SEGMENTS)
    if caller.name == "coordinator-oslo" and record_bound:
        allowed = {403} if method == "GET" else {400, 403, 422}
        if status not in allowed:
            world.failures.append(f"{where}: {status}, expected 403 (another site's record)")
    elif status in (401, 403) or status >= 500 or (status == 302
                                                    and response.location.startswith("/sign-in")):
        world.failures.append(f"{where}: {status}, expected to be let in")
    body = response.get_data(as_text=True) if not response.is_streamed else ""
    if caller.name == "coordinator-oslo":
        shown = [world.samples[k] for k in ("code", "uid") if world.samples[k] in body]
        if shown:
            world.failures.append(f"{where}: shows Bergen's records {shown} to Oslo's coordinator")
    if caller.name in SITE_ROLES:
        leaked = [w for w in ("block_size", "block_index", "next_position", "block size", "allocation_secret",
                              *_secret_forms(world.secret)) if w.lower() in body.lower()]
        if leaked:
            world.failures.append(f"{where}: the answer shows {leaked}")


def _permission(rule: Rule) -> Permission:
    from flask import current_app

    return current_app.view_functions[rule.endpoint].required_permission  # type: ignore[no-any-return]


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_the_expected_grants_are_the_policy() -> None:
    assert {role: set(perms) for role, perms in GRANTS.items()} == EXPECTED_GRANTS


def test_every_route_has_a_permission_or_a_public_reason(app: Flask) -> None:
    unprotected = {r.endpoint for r in _rules(app)
                   if not hasattr(app.view_functions[r.endpoint], "required_permission")}
    assert unprotected - PUBLIC.keys() == set(), \
        "add requires(...) to these views, or list them in PUBLIC with a reason"
    trial_scoped_public = [r.rule for r in _rules(app) if r.endpoint in PUBLIC and "<trial>" in r.rule]
    assert trial_scoped_public == []


def test_every_role_gets_the_expected_answer_from_every_route(app: Flask, world: World) -> None:
    protected = [r for r in _rules(app) if hasattr(app.view_functions[r.endpoint], "required_permission")]
    assert len(protected) >= 10
    for rule in protected:          # (the world fixture keeps the clock in January 2014)
        for method in _methods(rule):
            for caller in world.callers:
                _check(world, caller, rule, method, via_token=False)
                if caller.token:
                    _check(world, caller, rule, method, via_token=True)
    assert world.failures == [], "\n".join(world.failures)


def test_a_trial_without_a_role_answers_404_to_everyone(app: Flask, world: World) -> None:
    failures = []
    for rule in _rules(app):
        if not hasattr(app.view_functions[rule.endpoint], "required_permission"):
            continue
        api, method = rule.endpoint.startswith("api."), _methods(rule)[0]
        url = _url(rule, world.samples, "other-trial")
        for caller in world.callers[1:]:
            status = _call(caller, method, url, api, use_token=api).status_code
            if status != 404:
                failures.append(f"{caller.name} {method} {url}: {status}, expected 404")
    assert failures == []


def test_the_api_ignores_the_session_cookie_and_pages_ignore_tokens(app: Flask, world: World) -> None:
    admin = next(c for c in world.callers if c.name == "coordinator-bergen")
    code = world.samples["code"]
    cookie_only = admin.browser.get(f"/api/v1/trials/ips-norway/participants/{code}")
    assert cookie_only.status_code == 401
    token_only = app.test_client().get("/trials/ips-norway/participants",
                                       headers={"Authorization": f"Bearer {admin.token}"})
    assert token_only.status_code == 302 and token_only.location.startswith("/sign-in")
