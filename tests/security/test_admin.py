"""A trial administrator's pages: users and roles, second-factor resets, API tokens, the audit trail."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from trial import tokens
from trial.extensions import db
from trial.models import ApiToken, AuditEvent, Membership, Trial, User
from trial.protocol import load_file, store

from ..helpers import example_data, write_protocol
from .auth import ENROL_PATH, second_step, user
from .conftest import PASSWORD

ADMIN = "/trials/ips-norway/admin"
EN = {"Accept-Language": "en"}


def _events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=EN)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_the_admin_pages_are_in_the_admin_s_trial_menu_only(staff: Callable[..., User],
                                                            signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    staff("kari@example.org", "coordinator", ("bergen",))
    admin_home = _page(signed_in("admin@example.org"), "/trials/ips-norway/")
    assert all(f'href="{ADMIN}/{p}"' in admin_home for p in ("users", "tokens", "audit"))
    coordinator = signed_in("kari@example.org")
    assert f"{ADMIN}/" not in _page(coordinator, "/trials/ips-norway/")
    assert coordinator.get(f"{ADMIN}/users").status_code == 403


def test_an_added_user_gets_a_one_time_password_once_and_must_replace_it_and_set_up_the_app(
        app: Flask, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    admin = signed_in("admin@example.org")
    created = admin.post(f"{ADMIN}/users/new", data={"email": " Nina@Example.org ", "role": "coordinator",
                                                     "sites": ["oslo", "bergen"]}, headers=EN)
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    nina = user("nina@example.org")
    assert nina.must_change_password and nina.uid and password not in nina.password_hash
    membership = db.session.scalars(select(Membership).where(Membership.user_id == nina.id)).one()
    assert membership.role == "coordinator" and {s.code for s in membership.sites} == {"oslo", "bergen"}
    assert [e.details for e in _events("user.role_granted")][-1] == {"role": "coordinator",
                                                                     "sites": ["oslo", "bergen"]}
    assert _events("user.created")[-1].actor == "admin@example.org"
    assert password not in _page(admin, f"{ADMIN}/users")
    browser = app.test_client()
    first = browser.post("/sign-in", data={"email": "nina@example.org", "password": password})
    assert first.location == ENROL_PATH
    assert second_step(browser, first, "nina@example.org").status_code == 302
    assert browser.get("/").location == "/password"


def test_adding_refuses_what_does_not_fit_and_an_existing_account_keeps_its_password(
        staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    admin = signed_in("admin@example.org")
    for data, message in [({"email": "a@example.org", "role": "coordinator"}, "at least one site"),
                          ({"email": "a@example.org", "role": "statistician", "sites": ["oslo"]},
                           "leave the sites"),
                          ({"email": "not-an-address", "role": "admin"}, "Not an e-mail address"),
                          ({"email": "a@example.org"}, "This field is required"),
                          ({"email": "admin@example.org", "role": "admin"}, "already a member")]:
        page = admin.post(f"{ADMIN}/users/new", data=data, headers=EN).get_data(as_text=True)
        assert message in page, data
    assert db.session.scalars(select(User).where(User.email == "a@example.org")).first() is None
    sysop = admin.post(f"{ADMIN}/users/new", data={"email": "x@example.org", "role": "sysop"})
    assert sysop.status_code == 200
    assert db.session.scalars(select(User).where(User.email == "x@example.org")).first() is None


def test_a_role_change_needs_a_reason_and_is_audited(staff: Callable[..., User],
                                                     signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    kari = staff("kari@example.org", "coordinator", ("bergen",))
    admin = signed_in("admin@example.org")
    path = f"{ADMIN}/users/{kari.id}/role"
    no_reason = admin.post(path, data={"membership-role": "statistician", "membership-reason": " "},
                           headers=EN)
    assert no_reason.status_code == 200 and "This field is required" in no_reason.get_data(as_text=True)
    changed = admin.post(path, data={"membership-role": "statistician",
                                     "membership-reason": "Moved to the stats team"})
    assert changed.status_code == 302
    membership = db.session.scalars(select(Membership).where(Membership.user_id == kari.id)
                                    .execution_options(populate_existing=True)).one()
    assert membership.role == "statistician" and membership.sites == []
    event = _events("user.role_changed")[-1]
    assert event.reason == "Moved to the stats team" and event.trial_code == "ips-norway"
    assert event.details == {"before": {"role": "coordinator", "sites": ["bergen"]},
                             "after": {"role": "statistician", "sites": []}}
    me = user("admin@example.org")
    own = admin.post(f"{ADMIN}/users/{me.id}/role", data={"membership-role": "statistician",
                                                          "membership-reason": "oops"})
    assert own.status_code == 403


def test_a_disabled_account_cannot_sign_in_or_use_its_tokens(app: Flask, staff: Callable[..., User],
                                                             signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    kari = staff("kari@example.org", "coordinator", ("bergen",))
    token = tokens.issue(db.session, kari, "test")
    db.session.commit()
    kari_browser = signed_in("kari@example.org")
    admin = signed_in("admin@example.org")
    assert admin.post(f"{ADMIN}/users/{kari.id}/status", data={"status-reason": ""}).status_code == 200
    assert user("kari@example.org").active
    disabled = admin.post(f"{ADMIN}/users/{kari.id}/status", data={"status-reason": "Left the project"})
    assert disabled.status_code == 302
    assert not user("kari@example.org").active and _events("user.disabled")[-1].reason == "Left the project"
    assert kari_browser.get("/").status_code == 302
    assert app.test_client().post("/sign-in", data={"email": "kari@example.org",
                                                    "password": PASSWORD}).status_code == 200
    api = app.test_client().get("/api/v1/trials/ips-norway/participants/BER-0001",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    assert admin.post(f"{ADMIN}/users/{kari.id}/status", data={"status-reason": "Back"}).status_code == 302
    assert user("kari@example.org").active and _events("user.enabled")[-1].reason == "Back"
    me = user("admin@example.org")
    assert admin.post(f"{ADMIN}/users/{me.id}/status", data={"status-reason": "bye"}).status_code == 403


def test_resetting_the_second_factor_ends_sessions_and_asks_for_a_new_app(
        app: Flask, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    kari = staff("kari@example.org", "statistician")
    kari_browser = signed_in("kari@example.org")
    admin = signed_in("admin@example.org")
    path = f"{ADMIN}/users/{kari.id}/second-factor"
    assert admin.post(path, data={"factor-reason": ""}).status_code == 200
    assert user("kari@example.org").totp_enabled_at is not None
    assert admin.post(path, data={"factor-reason": "Lost her phone"}).status_code == 302
    reset = user("kari@example.org")
    assert reset.totp_enabled_at is None and reset.totp_secret_enc is None
    assert _events("user.second_factor_reset")[-1].reason == "Lost her phone"
    assert kari_browser.get("/").location.startswith("/sign-in")
    again = app.test_client().post("/sign-in", data={"email": "kari@example.org", "password": PASSWORD})
    assert again.location == ENROL_PATH


def test_an_admin_cannot_disable_or_reset_an_account_that_also_works_in_a_trial_they_do_not_run(
        app: Flask, trial: Trial, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient],
        tmp_path: Path) -> None:
    from trial.cli import add_member
    from trial.models import Role

    data = example_data()
    data["trial"].update(code="other-trial", title="Another trial")
    other = store(db.session, load_file(write_protocol(tmp_path, data)), actor="test",
                  keyring=app.config["KEYRING"]).trial
    staff("admin@example.org")
    kari = staff("kari@example.org", "statistician")
    add_member("kari@example.org", Role.ADMIN, other, [])
    db.session.commit()
    admin = signed_in("admin@example.org")
    assert admin.post(f"{ADMIN}/users/{kari.id}/status", data={"status-reason": "x"}).status_code == 403
    reset = admin.post(f"{ADMIN}/users/{kari.id}/second-factor", data={"factor-reason": "x"})
    assert reset.status_code == 403
    assert user("kari@example.org").active
    # Someone with a role only in the other trial is not found here at all.
    outsider, _ = add_member("olav@example.org", Role.ADMIN, other, [])
    db.session.commit()
    assert admin.get(f"{ADMIN}/users/{outsider.id}").status_code == 404
    assert admin.post(f"{ADMIN}/users/{outsider.id}/status", data={"status-reason": "x"}).status_code == 404


def test_tokens_are_listed_with_their_last_use_and_can_be_revoked_with_a_reason(
        app: Flask, staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    kari = staff("kari@example.org", "coordinator", ("bergen",))
    token = tokens.issue(db.session, kari, "test")
    db.session.commit()
    admin = signed_in("admin@example.org")
    assert "Never" in _page(admin, f"{ADMIN}/tokens")
    headers = {"Authorization": f"Bearer {token}"}
    created = app.test_client().post("/api/v1/trials/ips-norway/screenings", headers=headers,
                                     json={"site": "bergen", "referred_on": "2014-01-02"})
    assert created.status_code == 201
    listing = _page(admin, f"{ADMIN}/tokens")
    row = db.session.scalars(select(ApiToken).execution_options(populate_existing=True)).one()
    assert row.last_used_at is not None and "Never" not in listing
    assert token not in listing and row.prefix in listing and "kari@example.org" in listing
    revoke = f"{ADMIN}/tokens/{row.id}/revoke"
    assert admin.post(revoke, data={"reason": ""}).status_code == 200
    assert admin.post(revoke, data={"reason": "Laptop stolen"}).status_code == 302
    assert _events("token.revoked")[-1].reason == "Laptop stolen"
    after = app.test_client().get("/api/v1/trials/ips-norway/participants/BER-0001", headers=headers)
    assert after.status_code == 401
    assert "Revoked" in _page(admin, f"{ADMIN}/tokens")


def test_the_audit_page_filters_pages_and_shows_the_chain_s_state(
        staff: Callable[..., User], signed_in: Callable[[str], FlaskClient]) -> None:
    from trial import audit

    staff("admin@example.org")
    with time_machine.travel(datetime(2014, 3, 1, 12, tzinfo=UTC)):
        for i in range(60):
            audit.record(db.session, actor="cli:ops", action="test.event", trial_code="ips-norway",
                         entity=f"screening:{i:03d}", details={"i": i})
        audit.record(db.session, actor="cli:ops", action="test.other-trial", trial_code="other-trial")
        db.session.commit()
    admin = signed_in("admin@example.org")
    page = _page(admin, f"{ADMIN}/audit")
    assert "intact" in page and "test.other-trial" not in page
    first = _page(admin, f"{ADMIN}/audit?action=test.event")
    assert "60 matching entries" in first and "Page 1 of 2" in first and "screening:059" in first
    second = _page(admin, f"{ADMIN}/audit?action=test.event&page=2")
    assert "screening:009" in second and "screening:059" not in second
    assert "1 matching entries" in _page(admin, f"{ADMIN}/audit?entity=screening:042")
    assert "60 matching entries" in _page(admin, f"{ADMIN}/audit?actor=OPS&entity=screening:")
    assert "60 matching entries" in _page(admin, f"{ADMIN}/audit?date_from=2014-03-01&date_to=2014-03-01")
    assert "0 matching entries" in _page(admin, f"{ADMIN}/audit?action=test.event&date_from=2014-03-02")
    assert "0 matching entries" in _page(admin, f"{ADMIN}/audit?action=test.event&date_to=2014-02-28")
    seq = _events("test.event")[4].seq
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(actor="someone-else"))
    db.session.commit()
    broken = _page(admin, f"{ADMIN}/audit")
    assert f"entry {seq} content was changed" in broken


def test_sign_ins_of_other_trials_staff_are_not_shown(app: Flask, staff: Callable[..., User],
                                                      signed_in: Callable[[str], FlaskClient]) -> None:
    from trial import audit

    staff("admin@example.org")
    audit.record(db.session, actor="olav@example.org", action="account.sign_in", entity="user:99999")
    db.session.commit()
    page = _page(signed_in("admin@example.org"), f"{ADMIN}/audit?action=account.sign_in")
    assert "admin@example.org" in page and "olav@example.org" not in page


def test_a_locked_account_is_shown_as_locked(staff: Callable[..., User],
                                             signed_in: Callable[[str], FlaskClient]) -> None:
    staff("admin@example.org")
    kari = staff("kari@example.org", "statistician")
    kari.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    db.session.commit()
    assert "Locked until" in _page(signed_in("admin@example.org"), f"{ADMIN}/users/{kari.id}")
