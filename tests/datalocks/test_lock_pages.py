"""The data lock pages: a signed lock, the lock page, comparing versions, and the administrator's actions."""
from __future__ import annotations

import io
import zipfile

from flask.testing import FlaskClient
from sqlalchemy import select

from trial.cli import add_member
from trial.extensions import db
from trial.models import AuditEvent, DataLock, Role, Trial
from trial.passwords import hash_password
from trial.sealing import unseal

from ..security.auth import next_code, sign_in, user
from .conftest import BuiltTrial, csv_rows

PASSWORD = "correct horse battery staple"
LOCKS = "/trials/ips-norway/locks"


def member(email: str, role: Role) -> None:
    account, _ = add_member(email, role, db.session.scalars(select(Trial)).one(), [])
    account.password_hash, account.must_change_password = hash_password(PASSWORD), False
    db.session.commit()


def signed_in(client: FlaskClient, email: str, role: Role) -> None:
    member(email, role)
    assert sign_in(client, email, PASSWORD).status_code == 302


def code_for(email: str) -> str:
    account = user(email)
    return next_code(unseal(account, "totp_secret") or "", account.totp_last_step)


def lock_by_form(client: FlaskClient, email: str, code: str | None = None, **fields: str):  # noqa: ANN201
    data = {"label": "Primary analysis", "reason": "All 12-month data in", "password": PASSWORD,
            "code": code if code is not None else code_for(email), **fields}
    return client.post(LOCKS, data=data)


def test_a_statistician_signs_a_lock_with_password_and_code(built: BuiltTrial, client: FlaskClient) -> None:
    signed_in(client, "stat@example.org", Role.UNBLINDED_STATISTICIAN)
    home = client.get("/trials/ips-norway/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Data locks" in home
    page = client.get(LOCKS, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No data have been locked yet." in page and 'name="password"' in page
    response = lock_by_form(client, "stat@example.org")
    lock = db.session.scalars(select(DataLock)).one()
    assert response.status_code == 302 and response.location.endswith(f"{LOCKS}/{lock.uid}")
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lock.created")).one()
    assert created.details["via"] == "web" and created.details["signature"] == "password+totp"
    page = client.get(f"{LOCKS}/{lock.uid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert lock.sha256 in page and "(verified)" in page and "No differences." in page
    assert str(lock.record_count) in page and "Unblinded export (DTA)" in page and "Linkage key" not in page
    export = client.get(f"{LOCKS}/{lock.uid}/export?format=csv&blinded=false")
    assert export.status_code == 200 and export.mimetype == "application/zip"
    wide = csv_rows(zipfile.ZipFile(io.BytesIO(export.data)).read("wide.csv"))
    assert {row["participant_id"]: row["arm"] for row in wide} == built.participants


def test_a_wrong_password_or_code_locks_nothing_and_is_recorded(built: BuiltTrial,
                                                               client: FlaskClient) -> None:
    signed_in(client, "stat@example.org", Role.STATISTICIAN)
    assert lock_by_form(client, "stat@example.org", code="000000").status_code == 422
    assert lock_by_form(client, "stat@example.org", password="not my password").status_code == 422
    assert db.session.scalars(select(DataLock)).first() is None
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lock.signature_refused")
                                 .order_by(AuditEvent.seq)).all()
    assert [e.details["factor"] for e in refused] == ["code", "password"]
    code = code_for("stat@example.org")
    assert lock_by_form(client, "stat@example.org", code=code).status_code == 302
    assert lock_by_form(client, "stat@example.org", code=code).status_code == 422  # a code signs once


def test_a_blinded_statistician_is_offered_only_blinded_exports(built: BuiltTrial,
                                                               client: FlaskClient) -> None:
    signed_in(client, "stat@example.org", Role.STATISTICIAN)
    lock_by_form(client, "stat@example.org")
    lock = db.session.scalars(select(DataLock)).one()
    page = client.get(f"{LOCKS}/{lock.uid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Blinded export (SAV)" in page and "Unblinded export" not in page
    assert client.get(f"{LOCKS}/{lock.uid}/export?format=csv&blinded=false").status_code == 403


def test_administrators_supersede_compare_and_download_the_audited_linkage_key(
        built: BuiltTrial, client: FlaskClient) -> None:
    signed_in(client, "stat@example.org", Role.UNBLINDED_STATISTICIAN)
    lock_by_form(client, "stat@example.org")
    first = db.session.scalars(select(DataLock)).one()
    assert client.get(f"{LOCKS}/{first.uid}/linkage-key").status_code == 403
    client.post("/sign-out")
    signed_in(client, "admin@example.org", Role.ADMIN)
    assert f"{LOCKS}/administration" in client.get("/trials/ips-norway/").get_data(as_text=True)
    assert client.post(f"{LOCKS}/{first.uid}/supersede", data={"reason": ""}).status_code == 302
    assert db.session.scalars(select(DataLock)).one().status == "locked"  # no reason, no change
    response = client.post(f"{LOCKS}/{first.uid}/supersede", data={"reason": "Late paper forms entered",
                                                                  "label": "Primary analysis, v2"})
    second = db.session.scalars(select(DataLock).where(DataLock.version == 2)).one()
    db.session.refresh(first)
    assert response.location.endswith(f"{LOCKS}/{second.uid}") and first.status == "superseded"
    page = client.get(f"{LOCKS}/administration", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Primary analysis, v2" in page and "Superseded" in page
    compared = client.get(f"{LOCKS}/compare?a={second.uid}&b={first.uid}", headers={"Accept-Language": "en"})
    assert compared.status_code == 200 and "From version 1 to version 2" in compared.get_data(as_text=True)
    key = client.get(f"{LOCKS}/{second.uid}/linkage-key")
    assert key.status_code == 200 and key.headers["Cache-Control"] == "no-store"
    rows = csv_rows(zipfile.ZipFile(io.BytesIO(key.data)).read("linkage_key.csv"))
    assert {row["participant_id"]: row["national_id"] for row in rows} == built.national_ids
    audited = db.session.scalars(select(AuditEvent)
                                 .where(AuditEvent.action == "lock.linkage_key_downloaded")).one()
    assert audited.actor == "admin@example.org" and audited.details["participants"] == 4
    assert not any(number in str(audited.details) for number in built.national_ids.values())
    assert client.post(f"{LOCKS}/{second.uid}/unlock", data={"reason": "Cleaning resumes"}).status_code == 302
    db.session.refresh(second)
    assert second.status == "unlocked"


def test_a_coordinator_has_no_data_lock_pages(built: BuiltTrial, client: FlaskClient) -> None:
    signed_in(client, "coord@example.org", Role.COORDINATOR)
    assert client.get(LOCKS).status_code == 403
    assert "Data locks" not in client.get("/trials/ips-norway/", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
