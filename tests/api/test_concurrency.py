"""Randomization under concurrent requests, each on its own connection, on a committed database."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

import trial.enrollment.randomize as randomize_module
from trial import create_app
from trial.enrollment.common import trial_secret
from trial.extensions import db
from trial.models import Allocation, AuditEvent, Participant, StratumCounter, Trial
from trial.policy import access_to
from trial.protocol import current_protocol
from trial.protocol.checks import build_plan

from ..conftest import MigratedDatabase, RequestIsolatedClient, app_config, dispose_database, fresh_database
from ..helpers import api_user, load_example
from .conftest import Api

pytestmark = pytest.mark.concurrency


@pytest.fixture
def committed(database: MigratedDatabase, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """A fresh database where every request really commits, and a coordinator's token."""
    fresh = fresh_database(database.backend, tmp_path)
    app = create_app(app_config(fresh.url))
    app.test_client_class = RequestIsolatedClient
    with time_machine.travel(date(2014, 1, 15), tick=True):
        with app.app_context():
            load_example(app)
            token = api_user("coordinator@example.org", "coordinator", sites=("bergen",))
        yield app, token
    with app.app_context():
        db.dispose(app)
    dispose_database(fresh)


def _ready(app: Flask, token: str, n: int) -> list[str]:
    api = Api(app.test_client(), token)
    return [api.enroll_ready("bergen") for _ in range(n)]


def _concurrently(app: Flask, token: str, calls: list[tuple[str, dict[str, str]]]) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(calls))

    def run(call: tuple[str, dict[str, str]]) -> tuple[int, dict]:
        path, headers = call
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/trials/ips-norway{path}", json={},
                               headers={"Authorization": f"Bearer {token}", **headers})
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _expected_list(n: int) -> tuple[str, ...]:
    """The first n arms of Bergen's start-up list (call inside the test's app context: on SQLite a
    second session would wait for the write lock the first one holds)."""
    trial = db.session.scalars(select(Trial)).one()
    secret = trial_secret(access_to(_coordinator(), trial.code))
    return build_plan(current_protocol(trial)).sequence(secret, "bergen", "start-up", n)


def _coordinator():  # noqa: ANN202 - User
    from trial.models import User

    return db.session.scalars(select(User).where(User.email == "coordinator@example.org")).one()


def test_fifty_concurrent_randomizations_take_positions_0_to_49_in_order(committed: tuple[Flask, str]) -> None:
    app, token = committed
    screenings = _ready(app, token, 50)
    answers = _concurrently(app, token, [(f"/screenings/{sid}/randomize", {}) for sid in screenings])
    assert [status for status, _ in answers] == [201] * 50, answers
    assert sorted(body["position"] for _, body in answers) == list(range(50))
    with app.app_context():
        rows = db.session.execute(select(Allocation.position, Participant.arm).join(Participant)
                                  .order_by(Allocation.position)).all()
        assert [position for position, _ in rows] == list(range(50))
        assert tuple(arm for _, arm in rows) == _expected_list(50)
        assert db.session.scalars(select(StratumCounter.next_position)).one() == 50
        assert len(set(db.session.scalars(select(Participant.code)))) == 50
        randomizations = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "randomization")).all()
        assert len(randomizations) == 50
        from trial import audit

        assert audit.verify_session(db.session) == []


def test_ten_concurrent_requests_for_one_person_use_one_position(committed: tuple[Flask, str]) -> None:
    app, token = committed
    (sid,) = _ready(app, token, 1)
    answers = _concurrently(app, token, [(f"/screenings/{sid}/randomize", {"Idempotency-Key": "same"})] * 10)
    assert {status for status, _ in answers} == {201}
    assert len({tuple(sorted(body.items())) for _, body in answers}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Participant)).all()) == 1
        assert db.session.scalars(select(StratumCounter.next_position)).one() == 1


def test_ten_concurrent_requests_without_a_key_also_use_one_position(committed: tuple[Flask, str]) -> None:
    app, token = committed
    (sid,) = _ready(app, token, 1)
    answers = _concurrently(app, token, [(f"/screenings/{sid}/randomize", {})] * 10)
    assert sorted(status for status, _ in answers) == [200] * 9 + [201]
    with app.app_context():
        assert db.session.scalars(select(StratumCounter.next_position)).one() == 1


def test_a_failure_after_the_position_is_read_leaves_the_counter_unchanged(
        committed: tuple[Flask, str], monkeypatch: pytest.MonkeyPatch) -> None:
    app, token = committed
    first, second = _ready(app, token, 2)
    api = Api(app.test_client(), token)

    def fail(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("injected failure after the position was taken")

    monkeypatch.setattr(randomize_module, "_schedule", fail)
    app.testing = False  # answer 500 like production instead of re-raising in the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    status, _, _ = api.post(f"/screenings/{first}/randomize")
    assert status == 500
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalars(select(StratumCounter.next_position)).all() in ([], [0])
        assert db.session.scalars(select(Participant)).all() == []
    status, body, _ = api.post(f"/screenings/{second}/randomize")
    assert (status, body["position"]) == (201, 0)
