"""Writing and verifying the hash-chained audit trail.

Each entry's hash covers its own fields and the previous entry's hash, so an edited, removed or
reordered entry breaks the chain from that point on. Entries are written in the same transaction as
the change they record; the chain's tip (audit_head) is locked first, which serialises appends.
Entries never hold personal data: callers pass pseudonymous ids and codes, never names or answers.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock
from .models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def entry_hash(event: AuditEvent) -> str:
    body = {
        "seq": event.seq, "at": event.at.isoformat(), "actor": event.actor, "action": event.action,
        "trial": event.trial_code, "entity": event.entity, "details": event.details, "reason": event.reason,
        "remote_addr": event.remote_addr, "prev": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(session: Session, *, actor: str, action: str, trial_code: str | None = None,
           entity: str | None = None, details: Mapping[str, Any] | None = None, reason: str | None = None,
           remote_addr: str | None = None) -> AuditEvent:
    """Append one entry to the chain in the caller's transaction (the caller commits)."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one_or_none()
    if head is None:
        raise RuntimeError("the audit trail is not initialised: run `flask --app wsgi trial init-db`")
    event = AuditEvent(seq=head.last_seq + 1, at=clock.now(), actor=actor, action=action, trial_code=trial_code,
                       entity=entity, details=dict(details or {}), reason=reason, remote_addr=remote_addr,
                       prev_hash=head.last_hash)
    event.hash = entry_hash(event)
    head.last_seq, head.last_hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify(events: Iterable[AuditEvent], head: AuditHead | None) -> list[ChainBreak]:
    """Every break in the chain, in order; an empty list means the trail is intact."""
    breaks: list[ChainBreak] = []
    expected_seq, prev = 1, GENESIS_HASH
    for event in events:
        if event.seq != expected_seq:
            breaks.append(ChainBreak(expected_seq, f"entry {expected_seq} is missing (next found is {event.seq})"))
        if event.prev_hash != prev:
            breaks.append(ChainBreak(event.seq, "does not follow the previous entry (removed or reordered)"))
        if entry_hash(event) != event.hash:
            breaks.append(ChainBreak(event.seq, "content was changed after it was written"))
        expected_seq, prev = event.seq + 1, event.hash
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev):
        breaks.append(ChainBreak(head.last_seq, "the newest entries were removed (chain tip does not match)"))
    return breaks


def verify_session(session: Session) -> list[ChainBreak]:
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000)
    return verify(events, session.get(AuditHead, 1))
