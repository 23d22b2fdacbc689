"""The personal link an invitation or reminder carries (verified by trial.questionnaires_web.links).

Only the token's SHA-256 is stored; the plaintext goes only into sealed message bodies. The
invitation and its reminders must carry the *same* link (a participant may open the older
e-mail), so instead of a random token that would be lost after the invitation (re-issuing with
`questionnaires_web.issue_link` would kill the link already sent), the token is derived with
HMAC from the trial's secret, under its own label as the identity blind index is, and the link
row. Whoever can derive it can also unseal the message bodies, so nothing new is exposed. Tokens
have the same shape as issue_link's (43 URL-safe characters), so `find_link` verifies both.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import QuestionnaireLink, Trial, Visit
from ..protocol.store import secret_context
from ..questionnaires_web.links import link_path, store_token, token_sha256
from ..sealing import keyring

LINK_LABEL = b"trial/questionnaire-link/v1"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def link_key(trial: Trial) -> bytes:
    """The trial's key for questionnaire links (derive once per pass: it costs a decryption)."""
    secret = keyring().decrypt(trial.allocation_secret, secret_context(trial.code))
    return hmac.new(secret, LINK_LABEL, hashlib.sha256).digest()


def _token(key: bytes, visit_id: int, created_at: datetime) -> str:
    # Whole seconds: every backend stores them exactly, so the token derived later is the same.
    mac = hmac.new(key, f"{visit_id}|{int(created_at.timestamp())}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def personal_link(key: bytes, visit: Visit) -> str:
    """The visit's link token, creating the link on first use (flushed; the caller commits).

    If the link was re-issued elsewhere since (a random token we cannot know), a new derived
    token replaces it, which - like any re-issue - retires the previous one."""
    link = db.session.scalars(select(QuestionnaireLink).where(
        QuestionnaireLink.visit_id == visit.id)).one_or_none()
    if link is not None:
        token = _token(key, visit.id, link.created_at)
        if token_sha256(token) == link.token_sha256:
            return token
    created = clock.now().replace(microsecond=0)
    token = _token(key, visit.id, created)
    store_token(visit, token, created)
    return token


def link_url(token: str) -> str:
    """The address a participant opens: PUBLIC_URL (default: the development server) + /q/<token>."""
    base = current_app.config.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL
    return f"{base.rstrip('/')}{link_path(token)}"
