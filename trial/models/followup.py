"""Follow-up machinery: outgoing messages, personal questionnaire links, drafts and paper entries."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .enrollment import HasUid, Participant, Visit


class OutboxMessage(HasUid, Base):
    """An invitation or reminder, written in the same transaction as the decision to send it.

    The unique key (visit, kind, sequence) makes creating it idempotent; `status` moves
    pending -> sending (claimed, with a lease) -> sent | failed, or cancelled; no-address when the
    participant gave no e-mail (someone must phone). The address and body are sealed; the subject names
    only the trial, by its neutral public title."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("visit_id", "kind", "sequence"),
                      Index("ix_outbox_message_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))
    kind: Mapped[str] = mapped_column(String(16))           # "invitation" | "reminder"
    sequence: Mapped[int] = mapped_column(default=0)        # reminder number (0 for the invitation)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    recipient_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    subject: Mapped[str] = mapped_column(String(200))
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class QuestionnaireLink(Base):
    """A participant's personal link for one visit: only the token's SHA-256 is stored."""

    __tablename__ = "questionnaire_link"
    __table_args__ = (UniqueConstraint("visit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]         # the second check (birth date) passed
    failed_checks: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    used_at: Mapped[datetime | None]              # the questionnaire was submitted; the link is spent

    visit: Mapped[Visit] = relationship()
    participant: Mapped[Participant] = relationship()


class QuestionnaireDraft(HasUid, Base):
    """Answers saved so far for one visit (save and resume), sealed; removed when submitted."""

    __tablename__ = "questionnaire_draft"
    __table_args__ = (UniqueConstraint("visit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"))
    answers_enc: Mapped[bytes] = mapped_column(LargeBinary)      # {instrument: {item: answer}}
    step: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(String(8), default="nb")
    updated_at: Mapped[datetime]


class PaperEntry(HasUid, Base):
    """One staff entry of a paper questionnaire; with double entry, two must agree before acceptance."""

    __tablename__ = "paper_entry"
    __table_args__ = (UniqueConstraint("screening_id", "timepoint", "instrument", "entry_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id"), index=True)
    timepoint: Mapped[str] = mapped_column(String(32))
    instrument: Mapped[str] = mapped_column(String(32))
    entry_number: Mapped[int]                     # 1 or 2
    answers_enc: Mapped[bytes] = mapped_column(LargeBinary)
    completed_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="pending")   # pending | accepted | mismatch
    entered_by: Mapped[str] = mapped_column(String(320))
    entered_at: Mapped[datetime]


class DataLock(HasUid, Base):
    """A statistician's locked, versioned snapshot of the trial's data."""

    __tablename__ = "data_lock"
    __table_args__ = (UniqueConstraint("trial_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    version: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="locked")    # locked | superseded | unlocked
    as_of: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))
    sha256: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(320))
    ended_reason: Mapped[str | None] = mapped_column(String(1000))


class LockedRecord(HasUid, Base):
    """One record as it stood when the lock was made (sealed JSON), with its content hash."""

    __tablename__ = "locked_record"
    __table_args__ = (UniqueConstraint("lock_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    lock_id: Mapped[int] = mapped_column(ForeignKey("data_lock.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))        # participant | response | event | screening
    key: Mapped[str] = mapped_column(String(200))        # e.g. "BER-0042" or "BER-0042|6m|hads"
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None]
