"""Password hashing (argon2id) and one-time passwords."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 12
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """A 20-character password from an unambiguous alphabet, to be changed at first sign-in."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(20))


def password_problem(password: str, email: str) -> str | None:
    """Why a new password is refused ("too-short", "contains-email"), or None."""
    if len(password) < MIN_LENGTH:
        return "too-short"
    if email.split("@")[0].lower() in password.lower():
        return "contains-email"
    return None
