"""Wrong attempts made at the same moment, each on its own connection, all count towards a lock.

Each test holds every request at a barrier after it has read the counter and before it counts, so
without a row lock they would all write the same count. On SQLite every transaction takes the write
lock when it begins (BEGIN IMMEDIATE), so nothing interleaves there: these tests need PostgreSQL.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import trial.accounts as accounts_module
import trial.questionnaires_web.checks as checks_module
from trial import create_app, totp
from trial.cli import add_member
from trial.extensions import db
from trial.models import QuestionnaireLink, Role, Trial
from trial.passwords import hash_password
from trial.questionnaires_web import issue_link

from ..conftest import MigratedDatabase, RequestIsolatedClient, app_config, dispose_database, fresh_database
from ..helpers import load_example
from ..questionnaires_web.conftest import IN_6M_WINDOW, make_participant, visit_of
from .auth import sign_in, user
from .conftest import PASSWORD

pytestmark = pytest.mark.concurrency
EMAIL = "kari@example.org"
ATTEMPTS = 5


@pytest.fixture
def committed(database: MigratedDatabase, tmp_path: Path) -> Iterator[Flask]:
    """A fresh database where every request really commits, with one administrator."""
    if database.backend == "sqlite":
        pytest.skip("SQLite runs one write transaction at a time: wrong attempts cannot interleave")
    fresh = fresh_database(database.backend, tmp_path)
    app = create_app(app_config(fresh.url))
    app.test_client_class = RequestIsolatedClient
    with time_machine.travel(IN_6M_WINDOW, tick=True):
        with app.app_context():
            load_example(app)
            account, _ = add_member(EMAIL, Role("admin"), db.session.scalars(select(Trial)).one(), [])
            account.password_hash, account.must_change_password = hash_password(PASSWORD), False
            db.session.commit()
        yield app
    with app.app_context():
        db.dispose(app)
    dispose_database(fresh)


def _held_at_a_barrier(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
    """Every call of module.name waits until all ATTEMPTS requests have reached it (each having read the
    counter already), then goes on."""
    barrier, real = threading.Barrier(ATTEMPTS, timeout=30), getattr(module, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


def _at_once(clients: list[FlaskClient], attempt: Callable[[FlaskClient], int]) -> list[int]:
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(attempt, clients))


def _refused_sign_in(app: Flask) -> bool:
    return app.test_client().post("/sign-in", data={"email": EMAIL, "password": PASSWORD}).status_code == 200


def test_wrong_passwords_at_once_lock_the_account(committed: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app = committed
    _held_at_a_barrier(monkeypatch, accounts_module, "verify_password")
    wrong = {"email": EMAIL, "password": "not the password"}
    statuses = _at_once([app.test_client() for _ in range(ATTEMPTS)],
                        lambda client: client.post("/sign-in", data=wrong).status_code)
    assert statuses == [200] * ATTEMPTS
    monkeypatch.undo()
    with app.app_context():
        assert user(EMAIL).locked_until is not None
    assert _refused_sign_in(app)


def test_wrong_codes_at_once_lock_the_account(committed: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app = committed
    with app.app_context():
        assert sign_in(app.test_client(), EMAIL, PASSWORD).location == "/"    # sets up the app
    clients = [app.test_client() for _ in range(ATTEMPTS)]
    for client in clients:
        assert client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD}).location == "/sign-in/code"
    _held_at_a_barrier(monkeypatch, totp, "matching_step")
    _at_once(clients, lambda client: client.post("/sign-in/code", data={"code": "12345"}).status_code)
    monkeypatch.undo()
    with app.app_context():
        assert user(EMAIL).locked_until is not None
    assert _refused_sign_in(app)


def test_wrong_birth_dates_at_once_lock_the_link(committed: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app = committed
    with app.app_context():
        token = issue_link(visit_of(make_participant()))
        db.session.commit()
    path = f"/q/{token}"
    _held_at_a_barrier(monkeypatch, checks_module, "check_birth")
    wrong = {"day": "1", "month": "1", "year": "1990"}
    _at_once([app.test_client() for _ in range(ATTEMPTS)], lambda client: client.post(path, data=wrong).status_code)
    monkeypatch.undo()
    with app.app_context():
        link = db.session.scalars(select(QuestionnaireLink)).one()
        assert link.failed_checks == ATTEMPTS and link.locked_until is not None
        assert link.locked_until > IN_6M_WINDOW + timedelta(minutes=59)
    right = {"day": "27", "month": "3", "year": "1985"}
    assert app.test_client().post(path, data=right).status_code == 404
