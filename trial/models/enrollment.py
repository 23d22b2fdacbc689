"""The screening log, consent, questionnaire responses, and randomized participants.

Personal data (names, identity numbers, contact details, signatures, answers, scores, free text)
is held only as AES-GCM ciphertext (`*_enc` columns, see trial.sealing); pseudonymous ids, sites,
arms, statuses and dates stay queryable.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .trial import Site, Trial


def new_uid() -> str:
    return uuid.uuid4().hex


class HasUid:
    """Rows holding sealed values get their uid at construction: the ciphertext's context names it."""

    uid: Mapped[str]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("uid", new_uid())
        super().__init__(**kwargs)


class Screening(HasUid, Base):
    """One referral, from the day it is logged until it ends excluded or randomized."""

    __tablename__ = "screening"
    __table_args__ = (Index("ix_screening_trial_site_status", "trial_id", "site_id", "status"),
                      Index("ix_screening_identity", "trial_id", "national_id_index"))

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    referred_on: Mapped[date]
    source: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(16))
    birth_year: Mapped[int | None]
    # screening -> eligible -> consented -> ready -> randomized; or excluded from any of the first four
    status: Mapped[str] = mapped_column(String(16), default="screening")
    eligibility: Mapped[dict[str, Any] | None]
    failed_criteria: Mapped[dict[str, Any] | None]
    exclusion_category: Mapped[str | None] = mapped_column(String(16))
    exclusion_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    ended_on: Mapped[date | None]
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_index: Mapped[str | None] = mapped_column(String(64))
    birth_date_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(8), default="nb")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))

    trial: Mapped[Trial] = relationship()
    site: Mapped[Site] = relationship()
    consents: Mapped[list[Consent]] = relationship(back_populates="screening", order_by="Consent.id")
    participant: Mapped[Participant | None] = relationship(back_populates="screening")


class Consent(HasUid, Base):
    """A signed consent to one version of the consent document (re-consent adds a row)."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id"))
    version: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    consented_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(16))   # "electronic" (signed on the device) | "paper"
    options: Mapped[dict[str, Any]]                   # separate consents the protocol declares: code -> bool
    signature_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    guardian_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))
    taken_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime]

    screening: Mapped[Screening] = relationship(back_populates="consents")


class Response(HasUid, Base):
    """One instrument answered at one timepoint; answers and scores are encrypted."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("screening_id", "timepoint", "instrument"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id"))
    timepoint: Mapped[str] = mapped_column(String(32))
    instrument: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))     # "paper" | "online" | "device"
    answers_enc: Mapped[bytes] = mapped_column(LargeBinary)
    scores_enc: Mapped[bytes] = mapped_column(LargeBinary)
    completed_on: Mapped[date]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(320))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))


class StratumCounter(Base):
    """The next position in one (stratum, period) allocation list; its row lock serialises randomization."""

    __tablename__ = "stratum_counter"
    __table_args__ = (UniqueConstraint("trial_id", "stratum", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    stratum: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(64))
    next_position: Mapped[int] = mapped_column(default=0)


class Participant(Base):
    """A randomized person, known by a pseudonymous, readable id such as BER-0042."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("trial_id", "code"), Index("ix_participant_trial_site", "trial_id", "site_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id"), unique=True)
    arm: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="active")
    randomized_on: Mapped[date]

    trial: Mapped[Trial] = relationship()
    site: Mapped[Site] = relationship()
    screening: Mapped[Screening] = relationship(back_populates="participant")
    allocation: Mapped[Allocation] = relationship(back_populates="participant")
    visits: Mapped[list[Visit]] = relationship(back_populates="participant", order_by="Visit.due_on")


class Allocation(Base):
    """How a participant's arm was drawn: list, position and block (concealed from site roles)."""

    __tablename__ = "allocation"
    __table_args__ = (UniqueConstraint("trial_id", "stratum", "period", "position"),
                      # One request key, one allocation: a key reused concurrently for two people fails here.
                      UniqueConstraint("trial_id", "idempotency_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    stratum: Mapped[str] = mapped_column(String(200))
    factors: Mapped[dict[str, Any]]
    period: Mapped[str] = mapped_column(String(64))
    ratio: Mapped[str] = mapped_column(String(32))
    probability: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    block_index: Mapped[int]
    block_size: Mapped[int]
    algorithm: Mapped[str] = mapped_column(String(64))
    protocol_version: Mapped[int]
    randomized_at: Mapped[datetime]
    randomized_by: Mapped[str] = mapped_column(String(320))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))

    participant: Mapped[Participant] = relationship(back_populates="allocation")


class Visit(Base):
    """A follow-up timepoint of one participant, its window computed from the randomization date."""

    __tablename__ = "visit"
    __table_args__ = (UniqueConstraint("participant_id", "timepoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    timepoint: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date]
    opens_on: Mapped[date] = mapped_column(index=True)
    closes_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    completed_on: Mapped[date | None]
    completion_mode: Mapped[str | None] = mapped_column(String(16))   # "online" | "paper"

    participant: Mapped[Participant] = relationship(back_populates="visits")


class ParticipantEvent(HasUid, Base):
    """A withdrawal (of a scope), a death or a loss to follow-up, with its date and reason."""

    __tablename__ = "participant_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on: Mapped[date]
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(320))


class ApiToken(Base):
    """A bearer token for /api/v1: only its SHA-256 is stored; shown once when issued."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
