"""Encryption at rest: AES-256-GCM per value, with the key id stored beside the ciphertext.

`ENCRYPTION_KEYS` is ``keyid:base64key[,keyid:base64key...]``; the first key encrypts, all of them
decrypt, so a key can be rotated by putting a new one first and re-encrypting (`trial rotate-keys`).
The associated data binds a ciphertext to where it belongs (table, column, row), so a value copied
into another row or column fails to decrypt instead of being silently accepted.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class KeyConfigError(ValueError):
    """ENCRYPTION_KEYS is missing or malformed."""


class DecryptionError(ValueError):
    """A ciphertext is damaged, was moved to another place, or its key is not configured."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active: str

    @classmethod
    def parse(cls, value: str | None) -> KeyRing:
        """Read ``keyid:base64key,...``; the first entry is the active key."""
        if not value or not value.strip():
            raise KeyConfigError("ENCRYPTION_KEYS is not set (expected 'keyid:base64key[,...]')")
        keys: dict[str, bytes] = {}
        for n, entry in enumerate(part.strip() for part in value.split(",")):
            key_id, sep, encoded = entry.partition(":")
            if not sep or not _KEY_ID.match(key_id):
                raise KeyConfigError(f"ENCRYPTION_KEYS entry {n + 1}: expected 'keyid:base64key'")
            if key_id in keys:
                raise KeyConfigError(f"ENCRYPTION_KEYS: key id {key_id!r} appears twice")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise KeyConfigError(f"ENCRYPTION_KEYS: key {key_id!r} is not valid base64") from exc
            if len(key) != 32:
                raise KeyConfigError(f"ENCRYPTION_KEYS: key {key_id!r} must be 32 bytes (AES-256), not {len(key)}")
            keys[key_id] = key
        return cls(keys=keys, active=next(iter(keys)))

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        """Encrypt under the active key; `context` names the value's place (table/column/row)."""
        key_id = self.active.encode()
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext, _aad(key_id, context))
        return bytes([FORMAT_VERSION, len(key_id)]) + key_id + nonce + sealed

    def decrypt(self, token: bytes, context: str) -> bytes:
        key_id = self.key_id_of(token)
        if key_id not in self.keys:
            raise DecryptionError(f"value was encrypted with key {key_id!r}, which is not configured")
        start = 2 + len(key_id)
        nonce, sealed = token[start:start + 12], token[start + 12:]
        try:
            return AESGCM(self.keys[key_id]).decrypt(nonce, sealed, _aad(key_id.encode(), context))
        except InvalidTag as exc:
            raise DecryptionError("value does not decrypt in this place (tampered or moved)") from exc

    @staticmethod
    def key_id_of(token: bytes) -> str:
        if len(token) < 2 or token[0] != FORMAT_VERSION or len(token) < 2 + token[1] + 12 + 16:
            raise DecryptionError("not a ciphertext of this application")
        return token[2:2 + token[1]].decode("ascii", "replace")

    def encrypt_text(self, text: str, context: str) -> bytes:
        return self.encrypt(text.encode("utf-8"), context)

    def decrypt_text(self, token: bytes, context: str) -> str:
        return self.decrypt(token, context).decode("utf-8")


def _aad(key_id: bytes, context: str) -> bytes:
    return b"trial/v1|" + key_id + b"|" + context.encode("utf-8")


def generate_key_entry(key_id: str = "k1") -> str:
    """A fresh ``keyid:base64key`` entry for ENCRYPTION_KEYS."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"
