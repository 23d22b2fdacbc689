"""API bearer tokens: random, shown once, stored as SHA-256, revocable, with last-used time."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock
from .models import ApiToken, User

TOKEN_PREFIX = "trl_"  # noqa: S105 - a recognisable prefix (for log redaction), not a secret
# Refresh last_used_at at most this often, so a busy integration does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(session: Session, user: User, actor: str, lifetime: timedelta | None = None) -> str:
    """A new token for `user`; the plaintext is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(user_id=user.id, token_sha256=_digest(token), prefix=token[:10], created_at=now,
                   expires_at=now + lifetime if lifetime else None)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="token.issued", entity=f"user:{user.id}",
                 details={"token": row.prefix, "expires_at": row.expires_at.isoformat() if row.expires_at else None})
    return token


def authenticate(session: Session, token: str) -> User | None:
    """The active user a valid, unrevoked, unexpired token belongs to; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == _digest(token))).one_or_none()
    now = clock.now()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return user


def revoke(session: Session, token_id: int, actor: str, reason: str) -> None:
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(session, actor=actor, action="token.revoked", entity=f"user:{row.user_id}",
                     details={"token": row.prefix}, reason=reason)
