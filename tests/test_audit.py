"""The audit trail's hash chain finds edited, removed and reordered entries."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import delete, select, update

from trial import audit
from trial.extensions import db
from trial.models import AuditEvent


def _write(n: int) -> None:
    for i in range(n):
        audit.record(db.session, actor="tester", action="test.event", details={"i": i})
    db.session.commit()


def test_an_intact_chain_verifies(app: Flask) -> None:
    _write(5)
    assert audit.verify_session(db.session) == []
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))


def test_an_edited_entry_is_named(app: Flask) -> None:
    _write(4)
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(details={"i": 99}))
    assert [(b.seq, b.problem) for b in audit.verify_session(db.session)] == [
        (3, "content was changed after it was written")]


def test_a_removed_entry_is_found(app: Flask) -> None:
    _write(4)
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    problems = audit.verify_session(db.session)
    assert problems and problems[0].seq == 2 and "missing" in problems[0].problem


def test_removing_the_newest_entries_is_found(app: Flask) -> None:
    _write(4)
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq == 4))
    assert "newest entries were removed" in audit.verify_session(db.session)[-1].problem


def test_reordered_entries_are_found(app: Flask) -> None:
    _write(3)
    first, second = db.session.scalars(select(AuditEvent).where(AuditEvent.seq.in_([1, 2])).order_by(AuditEvent.seq))
    first_seq, second_seq = first.seq, second.seq
    first.seq, second.seq = 100, 101
    db.session.flush()
    first.seq, second.seq = second_seq, first_seq
    db.session.flush()
    assert audit.verify_session(db.session) != []
