"""What differs between a lock and the live data (post-lock changes), or between two locks.

Records are matched by kind and key and compared by content hash only, so nothing is decrypted
from the locks and nothing personal is shown: a difference names the record, never its content.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import DataLock, LockedRecord, Trial
from .snapshot import live_records

RecordRef = tuple[str, str]  # (kind, key)


@dataclass(frozen=True)
class Changes:
    """Records only in the newer side (added), only in the older (removed), or in both but different."""

    added: tuple[RecordRef, ...]
    removed: tuple[RecordRef, ...]
    changed: tuple[RecordRef, ...]

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def by_kind(self) -> dict[str, dict[str, int]]:
        """{kind: {"added": n, "removed": n, "changed": n}} for the kinds that differ."""
        counts: dict[str, dict[str, int]] = {}
        for what in ("added", "removed", "changed"):
            for kind, n in sorted(Counter(kind for kind, _ in getattr(self, what)).items()):
                counts.setdefault(kind, {"added": 0, "removed": 0, "changed": 0})[what] = n
        return counts

    def as_json(self) -> dict[str, Any]:
        def refs(items: tuple[RecordRef, ...]) -> list[dict[str, str]]:
            return [{"kind": kind, "key": key} for kind, key in items]

        return {"added": refs(self.added), "removed": refs(self.removed), "changed": refs(self.changed),
                "counts": self.by_kind(), "total": self.total}


def differences(old: dict[RecordRef, str], new: dict[RecordRef, str]) -> Changes:
    """Compare two {(kind, key): sha256} maps."""
    return Changes(added=tuple(sorted(new.keys() - old.keys())),
                   removed=tuple(sorted(old.keys() - new.keys())),
                   changed=tuple(sorted(ref for ref in old.keys() & new.keys() if old[ref] != new[ref])))


def lock_hashes(lock: DataLock) -> dict[RecordRef, str]:
    rows = db.session.execute(select(LockedRecord.kind, LockedRecord.key, LockedRecord.sha256)
                              .where(LockedRecord.lock_id == lock.id))
    return {(kind, key): sha for kind, key, sha in rows}


def live_hashes(trial: Trial) -> dict[RecordRef, str]:
    return {(r.kind, r.key): r.sha256 for r in live_records(trial)}


def post_lock_changes(lock: DataLock, trial: Trial) -> Changes:
    """The records whose live content now differs from the lock's snapshot: changed, added, removed."""
    return differences(lock_hashes(lock), live_hashes(trial))


def compare_locks(older: DataLock, newer: DataLock) -> Changes:
    """What changed from one lock to another (pass them in either order; the lower version is older)."""
    if older.version > newer.version:
        older, newer = newer, older
    return differences(lock_hashes(older), lock_hashes(newer))
