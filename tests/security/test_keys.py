"""`trial rotate-keys`: every encrypted value moves to the active key; an interrupted run can be re-run."""
from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from flask import Flask
from sqlalchemy import LargeBinary, select

from trial import audit
from trial.crypto import DecryptionError, KeyRing
from trial.extensions import db
from trial.keys import encrypted_columns
from trial.models import Base, Screening, User
from trial.sealing import unseal

from ..api.conftest import Api
from ..conftest import TEST_KEYS
from ..helpers import api_user
from .auth import user
from .conftest import PASSWORD

NEW_KEY = "t2:" + base64.b64encode(b"n" * 32).decode()
NAME = "Xylofon Quintessa"


def _stored_values() -> list[tuple[str, bytes, str]]:
    """(place, ciphertext, context) of every encrypted value in the database."""
    found = []
    for place in encrypted_columns():
        table = place.table
        for row in db.session.execute(select(table.c.id, table.c[place.context_column], table.c[place.column])
                                      .where(table.c[place.column].is_not(None))):
            mapping = dict(row._mapping)
            found.append((place.name, bytes(mapping[place.column]), place.context(mapping)))
    return found


@pytest.fixture
def data(app: Flask, staff: Callable[..., User], signed_in: Callable[[str], object]) -> None:
    """Participants with identity and contact details, an exclusion, and a user with a second factor."""
    with time_machine.travel(date(2014, 1, 15), tick=True):
        api = Api(app.test_client(), api_user("coordinator@example.org", "coordinator", sites=("bergen",)))
        for n in range(3):
            sid = api.enroll_ready("bergen", name=NAME, email=f"x{n}@example.org", phone="+47 99 88 77 66")
            assert api.post(f"/screenings/{sid}/randomize")[0] == 201
        _, body, _ = api.post("/screenings", {"site": "bergen", "referred_on": "2014-01-03"})
        assert api.post(f"/screenings/{body['id']}/exclusion", {"category": "declined",
                                                                "reason": "Does not want to"})[0] == 200
        staff("kari@example.org")
        signed_in("kari@example.org")


def test_every_column_holding_ciphertext_is_found() -> None:
    binary = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
              if isinstance(c.type, LargeBinary)}
    assert binary == {place.name for place in encrypted_columns()}


def test_after_rotation_the_old_key_can_be_removed(app: Flask, runner, data: None) -> None:  # noqa: ANN001
    before = _stored_values()
    assert len(before) > 15 and {KeyRing.key_id_of(token) for _, token, _ in before} == {"t1"}
    app.config["KEYRING"] = KeyRing.parse(f"{NEW_KEY},{TEST_KEYS}")
    result = runner.invoke(args=["trial", "rotate-keys", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "screening.name_enc: 3 re-encrypted, 0 already current" in result.output
    assert "trial.allocation_secret: 1 re-encrypted" in result.output
    assert f"done: {len(before)} value(s) re-encrypted, 0 already under 't2'" in result.output

    app.config["KEYRING"] = KeyRing.parse(NEW_KEY)          # the old key is gone
    after = _stored_values()
    assert {KeyRing.key_id_of(token) for _, token, _ in after} == {"t2"} and len(after) == len(before)
    ring = KeyRing.parse(NEW_KEY)
    assert all(ring.decrypt(token, context) for _, token, context in after)
    names = [unseal(s, "name") for s in db.session.scalars(select(Screening).execution_options(
        populate_existing=True)) if s.name_enc]
    assert names == [NAME] * 3
    with pytest.raises(DecryptionError):
        KeyRing.parse(TEST_KEYS).decrypt(after[0][1], after[0][2])
    # The app works on the new key alone: second factor, allocation secret (randomization), identity.
    from .auth import sign_in

    assert sign_in(app.test_client(), "kari@example.org", PASSWORD).status_code == 302
    with time_machine.travel(date(2014, 1, 16), tick=True):
        api = Api(app.test_client(), api_user("coordinator2@example.org", "coordinator", sites=("bergen",)))
        sid = api.enroll_ready("bergen", referred_on="2014-01-16")
        assert api.post(f"/screenings/{sid}/randomize")[0] == 201
    assert audit.verify_session(db.session) == []
    rotated = [e for e in db.session.scalars(select(audit.AuditEvent).where(
        audit.AuditEvent.action.in_(["keys.rotated", "keys.rotation_completed"])))]
    assert rotated[-1].details == {"key": "t2", "rotated": len(before), "current": 0}
    assert sum(e.details["values"] for e in rotated[:-1]) == len(before)


def test_an_interrupted_rotation_keeps_its_finished_batches_and_a_rerun_completes(
        app: Flask, runner, data: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    total = len(_stored_values())
    app.config["KEYRING"] = KeyRing.parse(f"{NEW_KEY},{TEST_KEYS}")
    calls = {"n": 0}
    real_encrypt = KeyRing.encrypt

    def failing(self: KeyRing, plaintext: bytes, context: str) -> bytes:
        calls["n"] += 1
        if calls["n"] == 8:
            raise KeyboardInterrupt  # the operator presses Ctrl+C in the middle of a batch
        return real_encrypt(self, plaintext, context)

    monkeypatch.setattr(KeyRing, "encrypt", failing)
    interrupted = runner.invoke(args=["trial", "rotate-keys", "--batch-size", "3"])
    assert interrupted.exit_code != 0
    monkeypatch.undo()
    db.session.rollback()
    partial = [KeyRing.key_id_of(token) for _, token, _ in _stored_values()]
    done = partial.count("t2")
    # The finished batches stay (1 + 1 + 3 values), the batch in progress is rolled back as a whole.
    assert done == 5 and partial.count("t1") == total - done

    rerun = runner.invoke(args=["trial", "rotate-keys", "--batch-size", "3"])
    assert rerun.exit_code == 0, rerun.output
    assert f"done: {total - done} value(s) re-encrypted, {done} already under 't2'" in rerun.output
    app.config["KEYRING"] = KeyRing.parse(NEW_KEY)
    assert all(KeyRing.parse(NEW_KEY).decrypt(token, context) for _, token, context in _stored_values())
    assert unseal(user("kari@example.org"), "totp_secret")
    again = runner.invoke(args=["trial", "rotate-keys"])
    assert f"done: 0 value(s) re-encrypted, {total} already under 't2'" in again.output


def test_a_value_under_a_key_no_longer_configured_stops_the_run_naming_the_place(
        app: Flask, runner, data: None) -> None:  # noqa: ANN001
    app.config["KEYRING"] = KeyRing.parse(NEW_KEY)          # the old key was removed too early
    result = runner.invoke(args=["trial", "rotate-keys"])
    assert result.exit_code == 1
    assert "user_account.totp_secret_enc, row id" in result.output and "'t1'" in result.output
    assert "run again once the key is configured" in result.output
