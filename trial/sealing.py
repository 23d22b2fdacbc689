"""Sealing personal data into `*_enc` columns, bound to their table, column and row.

A sealed value decrypts only in the row and column it was written to (the associated data names
them), so copying ciphertext from one participant to another is detected, not silently accepted.
"""
from __future__ import annotations

import json
from typing import Any

from flask import current_app

from .crypto import KeyRing


def keyring() -> KeyRing:
    ring: KeyRing = current_app.config["KEYRING"]
    return ring


def context(row: Any, column: str) -> str:
    return f"{row.__tablename__}.{column}|{row.uid}"


def seal(row: Any, column: str, value: str | None) -> None:
    """Store `value` encrypted in `row.<column>_enc` (None clears it)."""
    if row.uid is None:
        raise ValueError("a row needs its uid before a value can be sealed into it")
    token = None if value is None else keyring().encrypt_text(value, context(row, column))
    setattr(row, f"{column}_enc", token)


def unseal(row: Any, column: str) -> str | None:
    token = getattr(row, f"{column}_enc")
    return None if token is None else keyring().decrypt_text(token, context(row, column))


def seal_json(row: Any, column: str, value: Any) -> None:
    seal(row, column, json.dumps(value, sort_keys=True, ensure_ascii=False))


def unseal_json(row: Any, column: str) -> Any:
    text = unseal(row, column)
    return None if text is None else json.loads(text)
