"""Masked arm codes for blinded roles: stable per trial, and their order reveals nothing about the arms."""
from __future__ import annotations

import hashlib
import hmac
import string


def arm_masks(secret: bytes, arms: tuple[str, ...]) -> dict[str, str]:
    """Arm code -> "Arm A", "Arm B", ...; the letters follow a keyed shuffle, not the protocol's order."""
    keyed = sorted(arms, key=lambda arm: hmac.new(secret, f"arm-mask|{arm}".encode(), hashlib.sha256).digest())
    return {arm: f"Arm {string.ascii_uppercase[n]}" for n, arm in enumerate(keyed)}
