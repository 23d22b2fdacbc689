"""Creating, ending and reading data locks; every change audited, the caller commits.

At most one lock of a trial is in force (status "locked"). A statistician creates a lock; an
administrator ends it with a reason, either by unlocking it (corrections are free again, and the
next lock gets the next version number) or by superseding it (a new version taken now).
"""
from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from .. import audit, clock
from ..enrollment.common import today
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import AuditEvent, DataLock, LockedRecord, Trial
from ..models.enrollment import new_uid
from ..policy import Access, Permission
from ..sealing import seal_json, unseal_json
from .snapshot import live_records, lock_sha256, record_key, record_sha256

Channel = Literal["web", "api"]
LOCKED, SUPERSEDED, UNLOCKED = "locked", "superseded", "unlocked"
_BATCH = 1000


def lock_in_force(trial: Trial) -> DataLock | None:
    """The trial's lock in force, if any: correction services demand a reason while there is one."""
    return db.session.scalars(select(DataLock).where(DataLock.trial_id == trial.id, DataLock.status == LOCKED)
                              .order_by(DataLock.version.desc()).limit(1)).first()


def locks_of(trial: Trial) -> list[DataLock]:
    """Every lock of the trial, newest version first."""
    return list(db.session.scalars(select(DataLock).where(DataLock.trial_id == trial.id)
                                   .order_by(DataLock.version.desc())))


# Statisticians (who lock) and administrators (who unlock) work with locks; nobody else does.
LOCK_READERS = (Permission.LOCK_DATA, Permission.MANAGE_TRIAL)


def require_reader(access: Access) -> None:
    """Statisticians (who lock) and administrators (who unlock) see locks; nobody else does."""
    if not (access.allows(Permission.LOCK_DATA) or access.allows(Permission.MANAGE_TRIAL)):
        raise Forbidden(f"your role ({access.role}) does not work with data locks")


def lock_by_id(access: Access, lock_id: str) -> DataLock:
    require_reader(access)
    lock = db.session.scalars(select(DataLock).where(DataLock.uid == lock_id,
                                                     DataLock.trial_id == access.trial.id)).one_or_none()
    if lock is None:
        raise NotFound("no such data lock in this trial")
    return lock


def create_lock(access: Access, label: str, reason: str, *, channel: Channel,
                signature: str = "token") -> DataLock:
    """Snapshot every covered record now as the trial's next lock version; refuse while one is in force."""
    if not access.allows(Permission.LOCK_DATA):
        raise Forbidden(f"your role ({access.role}) cannot lock data")
    label, reason = _text(label, "label", 200), (reason or "").strip()[:1000]
    current = lock_in_force(access.trial)
    if current is not None:
        raise Conflict(f"lock version {current.version} is in force; an administrator must unlock or "
                       "supersede it", lock=current.uid)
    lock = _take(access, label, reason)
    _audit(access, "lock.created", lock, reason, via=channel, signature=signature, label=label,
           record_count=lock.record_count, sha256=lock.sha256)
    return lock


def unlock(access: Access, lock: DataLock, reason: str) -> DataLock:
    """End a lock in force (administrators, with a reason); later corrections need no reason."""
    _end(access, lock, reason, UNLOCKED)
    _audit(access, "lock.unlocked", lock, lock.ended_reason)
    return lock


def supersede(access: Access, lock: DataLock, reason: str, label: str | None = None) -> DataLock:
    """Replace a lock in force by a new version taken now (administrators, with a reason)."""
    _end(access, lock, reason, SUPERSEDED)
    new = _take(access, _text(label or lock.label, "label", 200), lock.ended_reason or "")
    _audit(access, "lock.superseded", lock, lock.ended_reason, by_version=new.version)
    _audit(access, "lock.created", new, lock.ended_reason, via="web", supersedes=lock.version,
           record_count=new.record_count, sha256=new.sha256, label=new.label)
    return new


class _Sealed:
    """A locked record's sealed content outside the ORM (bulk reads and writes), for trial.sealing."""

    __tablename__ = LockedRecord.__tablename__

    def __init__(self, uid: str, content_enc: bytes | None = None) -> None:
        self.uid, self.content_enc = uid, content_enc


def locked_records(lock: DataLock, kinds: tuple[str, ...] | None = None) -> Iterator[tuple[str, str, Any]]:
    """(kind, key, content) of a lock's records in stored order, each checked against its hash.

    Read in keyset batches of plain rows, so memory stays flat and no cursor stays open."""
    last, r, hash_key = 0, LockedRecord, record_key(db.session.get_one(Trial, lock.trial_id))
    while True:
        query = select(r.id, r.uid, r.kind, r.key, r.content_enc, r.sha256).where(r.lock_id == lock.id,
                                                                                  r.id > last)
        if kinds is not None:
            query = query.where(r.kind.in_(kinds))
        batch = db.session.execute(query.order_by(r.id).limit(_BATCH)).all()
        if not batch:
            return
        for _id, uid, kind, key, content_enc, sha in batch:
            content = unseal_json(_Sealed(uid, content_enc), "content")
            if not hmac.compare_digest(record_sha256(hash_key, kind, key, content), sha):
                raise Conflict(f"locked record {kind} {key} does not match its hash")
            yield kind, key, content
        last = batch[-1][0]


def verify_lock(lock: DataLock) -> bool:
    """True when the stored record hashes still give the lock's SHA-256 and count."""
    hashes = list(db.session.scalars(select(LockedRecord.sha256).where(LockedRecord.lock_id == lock.id)))
    return len(hashes) == lock.record_count and lock_sha256(hashes) == lock.sha256


def created_through(lock: DataLock) -> str | None:
    """'web' or 'api': how the lock was made, as its audit entry says."""
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lock.created",
                                                        AuditEvent.entity == f"lock:{lock.uid}")).first()
    return None if event is None else event.details.get("via")


def _take(access: Access, label: str, reason: str) -> DataLock:
    latest = db.session.scalar(select(func.max(DataLock.version)).where(DataLock.trial_id == access.trial.id))
    version = (latest or 0) + 1
    lock = DataLock(trial_id=access.trial.id, version=version, label=label, reason=reason, status=LOCKED,
                    as_of=today(access), created_at=clock.now(), created_by=access.actor, sha256="",
                    record_count=0)
    db.session.add(lock)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another lock took this version number at the same moment
        raise Conflict("another data lock was created at the same time; reload and try again") from exc
    hashes: list[str] = []
    batch: list[dict[str, Any]] = []
    for record in live_records(access.trial):
        sealed = _Sealed(new_uid())
        seal_json(sealed, "content", record.content)
        batch.append({"uid": sealed.uid, "lock_id": lock.id, "kind": record.kind, "key": record.key,
                      "content_enc": sealed.content_enc, "sha256": record.sha256, "details": record.details})
        hashes.append(record.sha256)
        if len(batch) == _BATCH:
            db.session.execute(insert(LockedRecord), batch)  # one executemany per batch
            batch = []
    if batch:
        db.session.execute(insert(LockedRecord), batch)
    lock.sha256, lock.record_count = lock_sha256(hashes), len(hashes)
    db.session.flush()
    return lock


def _end(access: Access, lock: DataLock, reason: str, status: str) -> None:
    if not access.allows(Permission.MANAGE_TRIAL):
        raise Forbidden("only an administrator can unlock or supersede a data lock")
    reason = _text(reason, "reason", 1000)
    if lock.status != LOCKED:
        raise Conflict(f"lock version {lock.version} is {lock.status}, not in force", status_now=lock.status)
    lock.status, lock.ended_at, lock.ended_by, lock.ended_reason = status, clock.now(), access.actor, reason
    db.session.flush()


def _text(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise InvalidInput(f"the {field} is required (at most {limit} characters)",
                           errors={field: f"give 1-{limit} characters"})
    return text


def _audit(access: Access, action: str, lock: DataLock, reason: str | None, **details: Any) -> None:
    # Details name the lock and how it was made; never participants' data.
    audit.record(db.session, actor=access.actor, action=action, trial_code=access.trial.code,
                 entity=f"lock:{lock.uid}", details={"version": lock.version, **details},
                 reason=reason or None)
