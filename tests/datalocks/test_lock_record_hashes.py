"""A locked record's hash is keyed per trial: it cannot be reversed by hashing candidate answers."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from trial.datalocks.service import locked_records, verify_lock
from trial.enrollment.common import trial_secret
from trial.errors import Conflict
from trial.extensions import db
from trial.models import DataLock, LockedRecord, User
from trial.policy import access_to

from .conftest import BuiltTrial


def _body(kind: str, key: str, content: object) -> bytes:
    return json.dumps({"kind": kind, "key": key, "content": content}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _record_key() -> bytes:
    user = db.session.scalars(select(User).where(User.email.startswith("unblinded-statistician"))).first()
    assert user is not None
    return hmac.new(trial_secret(access_to(user, "ips-norway")), b"trial/lock-record/v1", hashlib.sha256).digest()


def test_record_hashes_are_hmacs_under_the_trials_own_key(built: BuiltTrial, lock_id: str) -> None:
    lock = db.session.scalars(select(DataLock).where(DataLock.uid == lock_id)).one()
    stored = {key: sha for key, sha in db.session.execute(select(LockedRecord.key, LockedRecord.sha256)
                                                           .where(LockedRecord.lock_id == lock.id))}
    key, responses = _record_key(), 0
    for kind, record_key, content in locked_records(lock):
        body = _body(kind, record_key, content)
        assert stored[record_key] != hashlib.sha256(body).hexdigest()   # no plain hash to brute-force
        assert stored[record_key] == hmac.new(key, body, hashlib.sha256).hexdigest()
        responses += kind == "response"
    assert responses >= 9 and verify_lock(lock)   # baseline and 6-month answers


def test_a_record_stored_with_a_plain_sha256_no_longer_verifies(built: BuiltTrial, lock_id: str) -> None:
    lock = db.session.scalars(select(DataLock).where(DataLock.uid == lock_id)).one()
    record = db.session.scalars(select(LockedRecord).where(LockedRecord.lock_id == lock.id,
                                                           LockedRecord.kind == "response")).first()
    assert record is not None
    content = next(c for _k, key, c in locked_records(lock, ("response",)) if key == record.key)
    record.sha256 = hashlib.sha256(_body(record.kind, record.key, content)).hexdigest()  # the old scheme
    db.session.commit()
    with pytest.raises(Conflict, match="does not match its hash"):
        list(locked_records(lock))
