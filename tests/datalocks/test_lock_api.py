"""Creating and reading data locks through the API: the contract's answer, who may, and the audit trail."""
from __future__ import annotations

import json
import re
from collections.abc import Callable

from sqlalchemy import select, update

from trial.datalocks import lock_in_force
from trial.extensions import db
from trial.models import AuditEvent, DataLock, LockedRecord, Trial

from .conftest import WITHDRAWAL_REASON, Api, BuiltTrial


def test_post_locks_answers_the_contract_shape(built: BuiltTrial, statistician: Api) -> None:
    status, body, response = statistician.post("/locks", {"label": "Interim"})
    assert status == 201 and response.mimetype == "application/json"
    assert {"id", "label", "created_at", "sha256"} <= set(body)
    assert isinstance(body["id"], str) and body["label"] == "Interim"
    assert re.fullmatch(r"[0-9a-f]{64}", body["sha256"])
    assert body["created_at"].endswith("+00:00") and body["version"] == 1 and body["status"] == "locked"
    # 4 participants, 8 follow-up visits, 12 baseline and 9 six-month responses, 1 withdrawal, 1 design record
    assert body["record_count"] == 4 + 8 + 12 + 9 + 1 + 1


def test_a_lock_is_listed_read_and_recorded_as_made_through_the_api(built: BuiltTrial, statistician: Api,
                                                                    lock_id: str) -> None:
    status, listing, _ = statistician.get("/locks")
    assert status == 200 and [lock["id"] for lock in listing["locks"]] == [lock_id]
    status, lock, _ = statistician.get(f"/locks/{lock_id}")
    assert status == 200 and lock["intact"] is True and lock["post_lock_changes"]["total"] == 0
    assert lock["reason"] == "12-month data" and lock["as_of"] == "2015-03-02"
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lock.created")).one()
    assert created.entity == f"lock:{lock_id}" and created.details["via"] == "api"
    assert created.reason == "12-month data"


def test_only_one_lock_is_in_force_at_a_time(built: BuiltTrial, statistician: Api, lock_id: str) -> None:
    trial = db.session.scalars(select(Trial)).one()
    in_force = lock_in_force(trial)
    assert in_force is not None and in_force.uid == lock_id
    status, body, _ = statistician.post("/locks", {"label": "Again"})
    assert status == 409 and "in force" in body["detail"]
    assert db.session.scalar(select(DataLock.version).where(DataLock.uid != lock_id)) is None


def test_bad_input_is_refused_and_locks_nothing(built: BuiltTrial, statistician: Api) -> None:
    assert statistician.post("/locks", {})[0] == 422
    assert statistician.post("/locks", {"label": "x" * 201})[0] == 422
    assert db.session.scalars(select(DataLock)).first() is None


def test_roles_without_lock_rights_are_refused(built: BuiltTrial, coordinator: Api, lock_id: str,
                                               as_role: Callable[..., Api]) -> None:
    assert coordinator.post("/locks", {"label": "Mine"})[0] == 403
    assert coordinator.get("/locks")[0] == 403
    assert coordinator.get(f"/locks/{lock_id}")[0] == 403
    assert coordinator.get(f"/locks/{lock_id}/export?format=csv")[0] == 403
    assert as_role("admin").post("/locks", {"label": "Admin"})[0] == 403
    assert as_role("statistician").get(f"/locks/{lock_id}")[0] == 200


def test_an_unknown_lock_is_not_found(built: BuiltTrial, statistician: Api) -> None:
    status, body, response = statistician.get("/locks/0123456789abcdef/export?format=csv")
    assert status == 404 and response.mimetype == "application/problem+json"


def test_the_audit_trail_of_locks_holds_no_personal_data(built: BuiltTrial, statistician: Api,
                                                         lock_id: str) -> None:
    from .conftest import download

    download(statistician, lock_id, "csv")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("lock.%"))).all()
    assert {e.action for e in events} == {"lock.created", "lock.exported"}
    text = json.dumps([e.details for e in events])
    for secret in (*built.national_ids.values(), "Kari", "Nordmann", WITHDRAWAL_REASON):
        assert secret not in text


def test_a_tampered_lock_is_not_exported(built: BuiltTrial, statistician: Api, lock_id: str) -> None:
    lock = db.session.scalars(select(DataLock)).one()
    db.session.execute(update(LockedRecord).where(LockedRecord.lock_id == lock.id,
                                                  LockedRecord.kind == "visit").values(sha256="0" * 64))
    db.session.commit()
    status, body, _ = statistician.get(f"/locks/{lock_id}/export?format=csv&blinded=false")
    assert status == 422 and "SHA-256" in body["detail"]
    assert statistician.get(f"/locks/{lock_id}")[1]["intact"] is False
