"""A trial, its versioned definitions (protocol amendments), sites, arms and consent documents."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Trial(Base):
    __tablename__ = "trial"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # The randomization secret, AES-GCM encrypted; never shown to any site role.
    allocation_secret: Mapped[bytes] = mapped_column(LargeBinary)

    versions: Mapped[list[TrialVersion]] = relationship(
        back_populates="trial", order_by="TrialVersion.number", cascade="all, delete-orphan")
    sites: Mapped[list[Site]] = relationship(back_populates="trial", order_by="Site.id")
    arms: Mapped[list[Arm]] = relationship(back_populates="trial", order_by="Arm.id")

    @property
    def current_version(self) -> TrialVersion:
        return self.versions[-1]


class TrialVersion(Base):
    """One loaded protocol, immutable: an amendment adds a version and never rewrites one."""

    __tablename__ = "trial_version"
    __table_args__ = (UniqueConstraint("trial_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    number: Mapped[int]
    definition: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(300))
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[str] = mapped_column(String(320))
    note: Mapped[str | None] = mapped_column(Text)

    trial: Mapped[Trial] = relationship(back_populates="versions")


class Site(Base):
    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("trial_id", "code"), UniqueConstraint("trial_id", "prefix"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(8))
    target: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    # The number the site's next participant gets (BER-0042); its row lock serialises numbering.
    next_number: Mapped[int] = mapped_column(default=1)

    trial: Mapped[Trial] = relationship(back_populates="sites")


class Arm(Base):
    __tablename__ = "arm"
    __table_args__ = (UniqueConstraint("trial_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))

    trial: Mapped[Trial] = relationship(back_populates="arms")


class ConsentDocument(Base):
    """The text of one consent version in one language, as approved; never edited after loading."""

    __tablename__ = "consent_document"
    __table_args__ = (UniqueConstraint("trial_id", "version", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    version: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))

    trial: Mapped[Trial] = relationship()
