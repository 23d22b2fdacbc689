"""Dispatchers at once, each on its own connection, on a committed database: every message goes once.

Also the schedulers that run the dispatcher: in the background of `trial serve`, and `trial scheduler`.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import select

import trial.followups.dispatcher as dispatcher_module
from trial import create_app
from trial.extensions import db
from trial.followups import start_background_scheduler
from trial.followups.dispatcher import PassReport, run_pass
from trial.followups.scheduler import build_scheduler
from trial.models import OutboxMessage

from ..conftest import MigratedDatabase, RequestIsolatedClient, app_config, dispose_database, fresh_database
from ..helpers import api_user, load_example
from .conftest import Api, Mailbox, morning, randomize, use_mail_server

pytestmark = pytest.mark.concurrency
OPENS = date(2014, 7, 1)


@pytest.fixture
def committed(database: MigratedDatabase, tmp_path: Path, mailbox: Mailbox) -> Iterator[tuple[Flask, Api]]:
    """A fresh database where every request and pass really commits, the mail server, a coordinator."""
    fresh = fresh_database(database.backend, tmp_path)
    app = create_app(app_config(fresh.url))
    app.test_client_class = RequestIsolatedClient
    use_mail_server(app, mailbox)
    with app.app_context():
        load_example(app)
        token = api_user("coordinator@example.org", "coordinator", sites=("bergen",))
    yield app, Api(app.test_client(), token)
    with app.app_context():
        db.dispose(app)
    dispose_database(fresh)


def _outbox(app: Flask) -> list[tuple[str, int, str, int]]:
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.sequence, OutboxMessage.status,
                                         OutboxMessage.attempts)).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _dispatchers_at_once(app: Flask, n: int) -> list[PassReport]:
    barrier = threading.Barrier(n)

    def one() -> list[PassReport]:
        with app.app_context():
            barrier.wait()
            return run_pass()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return [report for f in [pool.submit(one) for _ in range(n)] for report in f.result()]


def test_dispatchers_at_once_send_every_invitation_and_reminder_exactly_once(
        committed: tuple[Flask, Api], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    app, api = committed
    monkeypatch.setattr(dispatcher_module, "BATCH", 2)     # small claims, so the dispatchers interleave
    people = [f"p{n}@example.org" for n in range(16)]
    for address in people:
        randomize(api, email=address)
    app.config["MAIL_SERVER"] = None
    with time_machine.travel(morning(OPENS), tick=True):
        written = _dispatchers_at_once(app, 2)             # the invitations wait in the outbox
        app.config["MAIL_SERVER"] = "127.0.0.1"
        sending = _dispatchers_at_once(app, 4)             # four dispatchers claim the same queue at once
    mailbox.delay = 0.005
    reminding = []
    for day in (OPENS + timedelta(days=7), OPENS + timedelta(days=14)):
        with time_machine.travel(morning(day), tick=True):
            reminding += _dispatchers_at_once(app, 2)
    received = Counter(address for r in mailbox.received for address in r.to)
    assert received == {address: 3 for address in people}
    assert sum(r.invitations for r in written) == 16 and sum(r.sent for r in sending) == 16
    assert (sum(r.reminders for r in reminding), sum(r.sent for r in reminding)) == (32, 32)
    expected = [("invitation", 0, "sent", 1), ("reminder", 1, "sent", 1), ("reminder", 2, "sent", 1)] * 16
    assert sorted(_outbox(app)) == sorted(expected)


def _wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_background_scheduler_of_the_dev_server_runs_a_pass_at_once(
        committed: tuple[Flask, Api], mailbox: Mailbox) -> None:
    app, api = committed
    randomize(api, email="kari@example.org")
    assert start_background_scheduler(app) is None               # off unless SCHEDULER_ENABLED
    app.config["SCHEDULER_ENABLED"] = True
    with time_machine.travel(morning(OPENS), tick=True):
        scheduler = start_background_scheduler(app)
        assert scheduler is not None
        try:
            _wait_for(lambda: len(mailbox.received) == 1)
            (job,) = scheduler.get_jobs()
            assert (job.trigger.interval, job.coalesce, job.max_instances) == (timedelta(minutes=1), True, 1)
        finally:
            scheduler.shutdown()
    assert _outbox(app) == [("invitation", 0, "sent", 1)]


def test_the_scheduler_process_runs_the_dispatcher_until_stopped(
        committed: tuple[Flask, Api], mailbox: Mailbox) -> None:
    app, api = committed
    randomize(api, email="kari@example.org")
    with time_machine.travel(morning(OPENS), tick=True):
        scheduler = build_scheduler(app, BlockingScheduler)
        thread = threading.Thread(target=scheduler.start)
        thread.start()
        try:
            _wait_for(lambda: len(mailbox.received) == 1)
        finally:
            _wait_for(lambda: scheduler.running)
            scheduler.shutdown()
            thread.join(10)
    assert not thread.is_alive()
    assert _outbox(app) == [("invitation", 0, "sent", 1)]
