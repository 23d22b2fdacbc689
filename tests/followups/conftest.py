"""Follow-up fixtures: a real SMTP server on localhost, participants randomized through the API,
and dispatcher passes at chosen instants."""
from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from trial import clock
from trial.extensions import db
from trial.followups.dispatcher import PassReport, run_pass
from trial.models import OutboxMessage, Participant, Visit

from ..api.conftest import Api, as_role, coordinator, trial_app  # noqa: F401 - fixtures used here

TZ = "Europe/Oslo"
RANDOMIZED_ON = date(2014, 1, 15)   # start-up period: 6m window 2014-07-01..08-26, 12m 2015-01-01..02-26
MORNING = time(6, 0)                # 07:00 or 08:00 in Oslo


def morning(day: date) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=UTC)


@dataclass
class Received:
    on: date                  # the trial's date when the server accepted it
    to: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping what it accepts; addresses starting with 'refused' get a 550."""

    port: int
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0        # seconds the server takes to accept each message
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: ANN001, ANN201, N802
        if address.startswith("refused"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(clock.today(TZ), list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


def use_mail_server(app: Flask, box: Mailbox) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port, MAIL_FROM="studie@example.org")


@pytest.fixture
def mail_app(trial_app: Flask, mailbox: Mailbox) -> Flask:  # noqa: F811 - the fixture imported above
    use_mail_server(trial_app, mailbox)
    return trial_app


def randomize(api: Api, site: str = "bergen", on: date = RANDOMIZED_ON, referred_on: date | None = None,
              **consent: str) -> str:
    """A participant randomized on `on` through the API; returns the participant id (BER-0001)."""
    with time_machine.travel(morning(on), tick=False):
        sid = api.enroll_ready(site, (referred_on or on).isoformat(), **consent)
        status, body, _ = api.post(f"/screenings/{sid}/randomize", {})
    assert status == 201, body
    return str(body["participant_id"])


def dispatch(at: datetime | date) -> list[PassReport]:
    """One dispatcher pass at an instant (a date means that day's morning)."""
    moment = at if isinstance(at, datetime) else morning(at)
    with time_machine.travel(moment, tick=False):
        return run_pass()


def visits(code: str) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(select(Visit.timepoint, Visit.status).join(Participant)
                              .where(Participant.code == code))
    return {timepoint: status for timepoint, status in rows}


def messages(code: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(OutboxMessage).join(Participant, OutboxMessage.participant_id == Participant.id)
        .where(Participant.code == code).order_by(OutboxMessage.id)))


def outline(code: str) -> list[tuple[str, str, int, str]]:
    """(timepoint, kind, sequence, status) of each message written for a participant."""
    timepoints = {v.id: v.timepoint for v in db.session.scalars(select(Visit))}
    return [(timepoints[m.visit_id], m.kind, m.sequence, m.status) for m in messages(code)]  # type: ignore[index]
