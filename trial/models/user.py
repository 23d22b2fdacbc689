"""Staff accounts and their roles in each trial."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .trial import Site, Trial


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    STATISTICIAN = "statistician"
    UNBLINDED_STATISTICIAN = "unblinded-statistician"


membership_site = Table(
    "membership_site",
    Base.metadata,
    Column("membership_id", ForeignKey("membership.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("site.id"), primary_key=True),
)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Second factor (TOTP): the secret sealed under the user's uid; enabled once a code was confirmed.
    uid: Mapped[str | None] = mapped_column(String(32), unique=True)
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]        # the last accepted time step, so a code is used once
    # Raised at sign-out (and when access changes): every session issued before it ends, even a copied cookie.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Membership(Base):
    """A user's role in one trial; a coordinator's membership names the sites they work at."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "trial_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="memberships")
    trial: Mapped[Trial] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary=membership_site, order_by="Site.id")
