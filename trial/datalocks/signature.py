"""The electronic signature on a lock made on the web: the signer's password and second factor again.

The code must be one the authenticator shows now and later than the last code this account used
(at sign-in or an earlier signature), so an overheard code cannot sign twice.
"""
from __future__ import annotations

from .. import audit, clock, totp
from ..extensions import db
from ..models import User
from ..passwords import verify_password
from ..sealing import unseal


def confirm_signature(user: User, password: str, code: str, trial_code: str) -> str | None:
    """How the signature was made ("password+totp", or "password" for an account without a second
    factor), or None when the password or code is wrong; a refusal is audited (the caller commits)."""
    if not verify_password(user.password_hash, password or ""):
        return _refused(user, trial_code, "password")
    if user.totp_enabled_at is None:
        return "password"
    step = totp.matching_step(unseal(user, "totp_secret") or "", code or "", clock.now(), user.totp_last_step)
    if step is None:
        return _refused(user, trial_code, "code")
    user.totp_last_step = step
    return "password+totp"


def _refused(user: User, trial_code: str, factor: str) -> None:
    audit.record(db.session, actor=user.email, action="lock.signature_refused", trial_code=trial_code,
                 entity=f"user:{user.id}", details={"factor": factor})
