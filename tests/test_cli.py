"""The `trial` commands."""
from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select, text, update

from trial import create_app, migrate
from trial.extensions import db
from trial.models import AuditEvent, Membership, Trial, TrialVersion, User
from trial.passwords import verify_password

from .conftest import app_config
from .helpers import EXAMPLE_PROTOCOL, example_data, write_protocol


def test_init_db_builds_a_fresh_database_and_is_safe_to_repeat(tmp_path: Path) -> None:
    app = create_app(app_config(f"sqlite:///{tmp_path / 'fresh.db'}"))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["trial", "init-db"])
    assert first.exit_code == 0, first.output
    assert f"is at revision {migrate.heads()[0]}" in first.output
    assert runner.invoke(args=["trial", "init-db"]).exit_code == 0
    with app.app_context():
        assert db.session.execute(text("SELECT last_seq FROM audit_head")).scalar_one() == 0
        db.dispose(app)


def test_load_protocol_creates_the_trial_and_reports_it(app: Flask, runner) -> None:
    result = runner.invoke(args=["trial", "load-protocol", str(EXAMPLE_PROTOCOL)])
    assert result.exit_code == 0, result.output
    assert "trial ips-norway created version 1 (6 sites, 2 arms)" in result.output
    again = runner.invoke(args=["trial", "load-protocol", str(EXAMPLE_PROTOCOL)])
    assert "unchanged at version 1" in again.output


def test_a_broken_protocol_is_refused_with_a_clear_message_and_nothing_stored(app: Flask, runner,
                                                                              tmp_path: Path) -> None:
    data = example_data()
    data["randomization"]["periods"][0]["ratio"] = {"ips": 2, "placebo": 1}
    result = runner.invoke(args=["trial", "load-protocol", str(write_protocol(tmp_path, data))])
    assert result.exit_code == 1
    assert "names unknown arm 'placebo'" in result.output
    assert db.session.scalars(select(Trial)).first() is None
    assert db.session.scalars(select(TrialVersion)).first() is None


def _one_time_password(output: str) -> str:
    match = re.search(r"one-time password: (\S+)", output)
    assert match, output
    return match.group(1)


def test_create_user_prints_a_one_time_password_that_must_be_changed(app: Flask, runner) -> None:
    runner.invoke(args=["trial", "load-protocol", str(EXAMPLE_PROTOCOL)])
    result = runner.invoke(args=["trial", "create-user", "Kari@Example.org", "--role", "coordinator",
                                 "--site", "bergen", "--site", "oslo", "--trial", "ips-norway"])
    assert result.exit_code == 0, result.output
    password = _one_time_password(result.output)
    user = db.session.scalars(select(User)).one()
    assert user.email == "kari@example.org" and user.must_change_password
    assert verify_password(user.password_hash, password) and password not in user.password_hash
    membership = db.session.scalars(select(Membership)).one()
    assert membership.role == "coordinator" and {s.code for s in membership.sites} == {"oslo", "bergen"}
    assert "user.role_granted" in set(db.session.scalars(select(AuditEvent.action)))


def test_create_user_refuses_what_does_not_fit(app: Flask, runner) -> None:
    runner.invoke(args=["trial", "load-protocol", str(EXAMPLE_PROTOCOL)])
    cases = [
        (["a@example.org", "--role", "coordinator", "--trial", "ips-norway"], "needs at least one --site"),
        (["a@example.org", "--role", "coordinator", "--site", "tromso", "--trial", "ips-norway"],
         "unknown site tromso"),
        (["a@example.org", "--role", "statistician", "--site", "oslo", "--trial", "ips-norway"],
         "only for coordinators"),
        (["a@example.org", "--role", "admin", "--trial", "nope"], "no trial 'nope'"),
        (["not-an-email", "--role", "admin", "--trial", "ips-norway"], "is not an e-mail address"),
        (["a@example.org", "--role", "superuser", "--trial", "ips-norway"], "Invalid value for '--role'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["trial", "create-user", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert db.session.scalars(select(User)).first() is None
    runner.invoke(args=["trial", "create-user", "b@example.org", "--role", "admin", "--trial", "ips-norway"])
    twice = runner.invoke(args=["trial", "create-user", "b@example.org", "--role", "admin", "--trial", "ips-norway"])
    assert twice.exit_code == 1 and "already has a role in ips-norway" in twice.output


def test_the_demo_admin_is_created_once(app: Flask, runner) -> None:
    runner.invoke(args=["trial", "load-protocol", str(EXAMPLE_PROTOCOL)])
    first = runner.invoke(args=["trial", "demo-admin", "--trial", "ips-norway"])
    assert "admin@example.org" in first.output and "password:" in first.output
    second = runner.invoke(args=["trial", "demo-admin", "--trial", "ips-norway"])
    assert second.exit_code == 0 and "password:" not in second.output and "exists" in second.output


def test_verify_audit_passes_on_an_intact_trail_and_names_an_edited_entry(app: Flask, runner) -> None:
    runner.invoke(args=["trial", "load-protocol", str(EXAMPLE_PROTOCOL)])
    runner.invoke(args=["trial", "create-user", "b@example.org", "--role", "admin", "--trial", "ips-norway"])
    intact = runner.invoke(args=["trial", "verify-audit"])
    assert intact.exit_code == 0 and "audit trail intact: 2 entries" in intact.output
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(actor="someone-else"))
    broken = runner.invoke(args=["trial", "verify-audit"])
    assert broken.exit_code == 1
    assert "entry 1: content was changed" in broken.output
