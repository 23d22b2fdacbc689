"""Data locks through the API: create (the bearer token authenticates; recorded as made through the
API), list, read with post-lock changes, export as a ZIP, and compare two versions."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue

from ..datalocks import service
from ..datalocks.compare import compare_locks, post_lock_changes
from ..datalocks.download import export_options, send_export
from ..datalocks.service import LOCK_READERS
from ..extensions import db
from ..models import DataLock
from ..policy import Permission, requires
from . import api_user, bp
from .parsing import Body

LOCKS = "/trials/<trial>/locks"


def lock_json(lock: DataLock) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return None if value is None else value.isoformat()

    return {"id": lock.uid, "version": lock.version, "label": lock.label, "reason": lock.reason or None,
            "status": lock.status, "as_of": iso(lock.as_of), "created_at": iso(lock.created_at),
            "created_by": lock.created_by, "sha256": lock.sha256, "record_count": lock.record_count,
            "ended_at": iso(lock.ended_at), "ended_by": lock.ended_by, "ended_reason": lock.ended_reason}


@bp.post(LOCKS)
@requires(Permission.LOCK_DATA, api_user)
def create_lock(trial: str) -> ResponseReturnValue:
    """Lock the trial's data now: {"label", "reason"?}."""
    body = Body()
    label, reason = body.text("label", max_length=200), body.text("reason", False, max_length=1000)
    body.done()
    lock = service.create_lock(g.access, label or "", reason or "", channel="api")
    db.session.commit()
    return jsonify(lock_json(lock)), 201


@bp.get(LOCKS)
@requires(LOCK_READERS, api_user)
def list_locks(trial: str) -> ResponseReturnValue:
    """Every lock of the trial, newest version first."""
    service.require_reader(g.access)
    return jsonify({"locks": [lock_json(lock) for lock in service.locks_of(g.access.trial)]})


@bp.get(f"{LOCKS}/<lock_id>")
@requires(LOCK_READERS, api_user)
def get_lock(trial: str, lock_id: str) -> ResponseReturnValue:
    """One lock, with the records whose live content now differs from it (post-lock changes)."""
    lock = service.lock_by_id(g.access, lock_id)
    return jsonify({**lock_json(lock), "intact": service.verify_lock(lock),
                    "post_lock_changes": post_lock_changes(lock, g.access.trial).as_json()})


@bp.get(f"{LOCKS}/<lock_id>/export")
@requires(LOCK_READERS, api_user)
def export_lock(trial: str, lock_id: str) -> ResponseReturnValue:
    """The lock's dataset as a ZIP (?format=csv|sav|dta&blinded=true|false; blinded by default)."""
    fmt, blinded = export_options(g.access, request.args.get("format"), request.args.get("blinded"))
    response = send_export(g.access, service.lock_by_id(g.access, lock_id), fmt, blinded, "api")
    db.session.commit()
    return response


@bp.get(f"{LOCKS}/<a>/compare/<b>")
@requires(LOCK_READERS, api_user)
def compare(trial: str, a: str, b: str) -> ResponseReturnValue:
    """Records added, removed and changed from the older of two locks to the newer."""
    older, newer = sorted((service.lock_by_id(g.access, a), service.lock_by_id(g.access, b)),
                          key=lambda lock: lock.version)
    changes = compare_locks(older, newer)
    return jsonify({"from": lock_json(older), "to": lock_json(newer), **changes.as_json()})
