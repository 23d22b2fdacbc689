"""`trial dispatch` runs one pass and says what it did; the scheduler job survives a bad pass."""
from __future__ import annotations

import logging
from datetime import date

import pytest
import time_machine
from flask import Flask

from trial.followups.scheduler import dispatch_job

from ..api.conftest import Api
from .conftest import Mailbox, morning, outline, randomize


def test_dispatch_prints_what_the_pass_did(mail_app: Flask, mailbox: Mailbox, coordinator: Api) -> None:
    kari = randomize(coordinator, email="kari@example.org")
    randomize(coordinator)
    runner = mail_app.test_cli_runner()
    with time_machine.travel(morning(date(2014, 7, 1)), tick=False):
        first = runner.invoke(args=["trial", "dispatch"])
        second = runner.invoke(args=["trial", "dispatch"])
    assert first.exit_code == 0, first.output
    assert first.output == ("ips-norway: opened 2 window(s), wrote 2 invitation(s) and 0 reminder(s) "
                            "(1 without an e-mail address: call them), marked 0 visit(s) missed, "
                            "cancelled 0 message(s); sent 1, 0 to retry, 0 refused by the mail server\n")
    assert "opened 0 window(s), wrote 0 invitation(s)" in second.output and "sent 0" in second.output
    assert outline(kari) == [("6m", "invitation", 0, "sent")]
    assert len(mailbox.received) == 1


def test_dispatch_refuses_a_mail_server_without_a_sender_address(trial_app: Flask) -> None:
    trial_app.config["MAIL_SERVER"] = "127.0.0.1"
    result = trial_app.test_cli_runner().invoke(args=["trial", "dispatch"])
    assert result.exit_code == 1 and "MAIL_FROM" in result.output


def test_a_failing_scheduled_pass_is_logged_and_the_scheduler_goes_on(
        trial_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    trial_app.config["MAIL_SERVER"] = "127.0.0.1"
    with caplog.at_level(logging.ERROR, logger="trial.followups.scheduler"):
        dispatch_job(trial_app)
    assert "follow-up dispatch failed" in caplog.text and "MAIL_FROM" in caplog.text
