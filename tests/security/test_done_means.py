"""What "done" means for security, on a real committed database of each backend:

personal data is nowhere in the database's bytes (SQLite file and WAL, or a PostgreSQL dump); an
edited audit entry makes `trial verify-audit` fail and name it; a forged, expired or revoked token
is refused.
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from sqlalchemy import make_url, select, text, update

from trial import create_app, tokens
from trial.extensions import db
from trial.models import AuditEvent, User

from ..conftest import MigratedDatabase, RequestIsolatedClient, app_config, dispose_database, fresh_database
from ..helpers import load_example
from .journey import Enrolled, enroll

PARTICIPANT = "/api/v1/trials/ips-norway/participants/BER-0001"


@dataclass
class Committed:
    app: Flask
    database: MigratedDatabase
    enrolled: Enrolled


@pytest.fixture
def committed(database: MigratedDatabase, tmp_path: Path) -> Iterator[Committed]:
    """A fresh database where every request really commits, after a full enrollment journey."""
    fresh = fresh_database(database.backend, tmp_path)
    app = create_app(app_config(fresh.url))
    app.test_client_class = RequestIsolatedClient
    with time_machine.travel(date(2014, 1, 15), tick=True):
        with app.app_context():
            load_example(app)
            enrolled = enroll(app)
        yield Committed(app, fresh, enrolled)
    with app.app_context():
        db.dispose(app)
    dispose_database(fresh)


def _stored_bytes(committed: Committed) -> bytes:
    """Every byte the database keeps: the SQLite file with its WAL (checkpointed), or a pg_dump."""
    url = make_url(committed.database.url)
    if committed.database.backend == "sqlite":
        with committed.app.app_context():
            db.dispose(committed.app)
        committed.database.engine.dispose()
        path = Path(url.database or "")
        connection = sqlite3.connect(path)     # outside SQLAlchemy's BEGIN IMMEDIATE: no transaction
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        files = (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        return b"".join(p.read_bytes() for p in files if p.exists())
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    dump = subprocess.run(["pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),  # noqa: S603, S607
                           "-U", url.username or "postgres", url.database or ""],
                          check=True, capture_output=True, env=env, timeout=120)
    return dump.stdout


def test_no_personal_data_is_anywhere_in_the_stored_bytes(committed: Committed) -> None:
    stored = _stored_bytes(committed)
    assert b"BER-0001" in stored and b"ips-norway" in stored        # the search does find what is there
    found = [s for s in committed.enrolled.secrets
             for encoded in {s.encode("utf-8"), s.encode("utf-16-le"), s.lower().encode()}
             if encoded in stored]
    assert found == []


def test_an_edited_audit_entry_makes_verify_audit_fail_and_name_it(committed: Committed) -> None:
    app = committed.app
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["trial", "verify-audit"]).exit_code == 0
        target = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "randomization")
                                    .order_by(AuditEvent.seq)).first()
        assert target is not None
        seq = target.seq
        db.session.execute(update(AuditEvent).where(AuditEvent.seq == seq)
                           .values(details={**target.details, "arm": "forged"}))
        db.session.commit()
    with app.app_context():
        broken = app.test_cli_runner().invoke(args=["trial", "verify-audit"])
    assert broken.exit_code == 1
    assert f"entry {seq}: content was changed after it was written" in broken.output


def _status(app: Flask, token: str) -> int:
    return app.test_client().get(PARTICIPANT, headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_forged_expired_or_revoked_token_is_refused(committed: Committed) -> None:
    app, good = committed.app, committed.enrolled.token
    assert _status(app, good) == 200
    forged = [tokens.TOKEN_PREFIX + secrets.token_urlsafe(32), good[:-1] + ("A" if good[-1] != "A" else "B"),
              good.removeprefix(tokens.TOKEN_PREFIX), good + "x", "", "trl_" + "x" * 200]
    assert [_status(app, t) for t in forged] == [401] * len(forged)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "journey@example.org")).one()
        expiring = tokens.issue(db.session, user, "test", lifetime=timedelta(days=1))
        revoked = tokens.issue(db.session, user, "test")
        db.session.commit()
        assert _status(app, expiring) == 200 and _status(app, revoked) == 200
        row = db.session.scalars(select(tokens.ApiToken).order_by(tokens.ApiToken.id.desc())).first()
        tokens.revoke(db.session, row.id, "test", "no longer needed")
        db.session.commit()
    assert _status(app, revoked) == 401
    with time_machine.travel(date(2014, 1, 17), tick=True):
        assert _status(app, expiring) == 401
        assert _status(app, good) == 200


def test_the_database_holds_ciphertext_where_the_personal_data_was_given(committed: Committed) -> None:
    with committed.app.app_context():
        row = db.session.execute(text("SELECT name_enc, national_id_enc, national_id_index FROM screening "
                                      "WHERE national_id_enc IS NOT NULL")).first()
    assert row is not None and row[0] and row[1] and len(row[2]) == 64
