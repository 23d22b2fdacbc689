"""A lock never changes: later corrections show up as post-lock changes, and versions can be compared."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from trial.datalocks import lock_in_force, supersede, unlock
from trial.errors import Forbidden
from trial.extensions import db
from trial.models import DataLock, LockedRecord, Participant, Response, Trial, User
from trial.policy import Access, access_to
from trial.sealing import seal_json, unseal_json

from .conftest import SIX_MONTHS, Api, BuiltTrial, download


def access(email_prefix: str) -> Access:
    user = db.session.scalars(select(User).where(User.email.startswith(email_prefix))).first()
    assert user is not None
    return access_to(user, "ips-norway")


def six_month_hads(code: str) -> Response:
    participant = db.session.scalars(select(Participant).where(Participant.code == code)).one()
    return db.session.scalars(select(Response).where(
        Response.screening_id == participant.screening_id, Response.timepoint == "6m",
        Response.instrument == "hads")).one()


def locked_state(lock_id: str) -> tuple[str, list[tuple[str, str, str]]]:
    lock = db.session.scalars(select(DataLock).where(DataLock.uid == lock_id)).one()
    rows = db.session.execute(select(LockedRecord.kind, LockedRecord.key, LockedRecord.sha256)
                              .where(LockedRecord.lock_id == lock.id).order_by(LockedRecord.id)).all()
    return lock.sha256, [tuple(r) for r in rows]


def test_a_correction_in_the_database_changes_neither_the_lock_nor_its_export(
        built: BuiltTrial, statistician: Api, lock_id: str) -> None:
    before = locked_state(lock_id)
    exports = {fmt: download(statistician, lock_id, fmt) for fmt in ("csv", "dta")}
    response = six_month_hads("BER-0001")
    seal_json(response, "answers", {**unseal_json(response, "answers"), "1": 0})
    db.session.commit()
    assert locked_state(lock_id) == before
    assert {fmt: download(statistician, lock_id, fmt) for fmt in ("csv", "dta")} == exports
    _, lock, _ = statistician.get(f"/locks/{lock_id}")
    assert lock["post_lock_changes"]["changed"] == [{"kind": "response", "key": "BER-0001|6m|hads"}]
    assert lock["post_lock_changes"]["counts"] == {"response": {"added": 0, "removed": 0, "changed": 1}}


def test_corrections_and_new_participants_after_the_lock_are_listed(built: BuiltTrial, statistician: Api,
                                                                   coordinator: Api, lock_id: str) -> None:
    with time_machine.travel(date(2015, 3, 3), tick=True):
        status, body, _ = coordinator.call("PUT", "/participants/BER-0002/responses/6m/whodas12", {
            "answers": {**SIX_MONTHS["whodas12"], "S1": 5}, "reason": "Typing error on paper entry"})
        assert status == 200, body
        sid = coordinator.enroll_ready("oslo", referred_on="2015-03-03")
        new = coordinator.post(f"/screenings/{sid}/randomize")[1]["participant_id"]
    _, lock, _ = statistician.get(f"/locks/{lock_id}")
    changes = lock["post_lock_changes"]
    assert {"kind": "response", "key": "BER-0002|6m|whodas12"} in changes["changed"]
    assert {"kind": "participant", "key": new} in changes["added"]
    assert changes["counts"]["response"]["added"] == 3 and changes["counts"]["visit"]["added"] == 2
    assert changes["removed"] == []


def test_superseding_takes_a_new_version_and_the_versions_compare(
        built: BuiltTrial, statistician: Api, as_role: Callable[..., Api], lock_id: str) -> None:
    as_role("admin")
    response = six_month_hads("OSL-0001")
    seal_json(response, "answers", {**unseal_json(response, "answers"), "2": 0})
    db.session.commit()
    with time_machine.travel(date(2015, 4, 1), tick=True):
        new = supersede(access("admin"), db.session.scalars(select(DataLock)).one(), "HADS entry corrected")
        db.session.commit()
    old = db.session.scalars(select(DataLock).where(DataLock.uid == lock_id)).one()
    assert (old.status, old.ended_reason, new.version, new.label) == (
        "superseded", "HADS entry corrected", 2, "Primary analysis")
    in_force = lock_in_force(db.session.scalars(select(Trial)).one())
    assert in_force is not None and in_force.id == new.id
    status, diff, _ = statistician.get(f"/locks/{new.uid}/compare/{lock_id}")
    assert status == 200 and (diff["from"]["version"], diff["to"]["version"]) == (1, 2)
    assert diff["changed"] == [{"kind": "response", "key": "OSL-0001|6m|hads"}] and diff["total"] == 1
    assert statistician.get(f"/locks/{new.uid}")[1]["post_lock_changes"]["total"] == 0
    assert download(statistician, new.uid) != download(statistician, lock_id)


def test_unlocking_needs_an_administrator_and_a_reason(built: BuiltTrial, statistician: Api,
                                                       as_role: Callable[..., Api], lock_id: str) -> None:
    as_role("admin")
    lock = db.session.scalars(select(DataLock)).one()
    with pytest.raises(Forbidden):
        unlock(access("unblinded-statistician"), lock, "I want to")
    assert statistician.post("/locks", {"label": "Second"})[0] == 409
    unlock(access("admin"), lock, "Data cleaning continues")
    db.session.commit()
    assert lock.status == "unlocked" and lock_in_force(db.session.scalars(select(Trial)).one()) is None
    status, body, _ = statistician.post("/locks", {"label": "Second"})
    assert status == 201 and body["version"] == 2
    assert db.session.scalar(select(func.count()).select_from(DataLock)) == 2
