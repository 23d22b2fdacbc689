"""Time-based one-time codes (RFC 6238) for the staff second factor.

The secret is 160 random bits (RFC 4226 section 4), shown once as a QR code drawn here (never by an
outside service) and as text for manual entry. A code is accepted for the current 30-second step or
one step either side (clock drift), and only for a step later than the last one accepted, so an
overheard code cannot be replayed.
"""
from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup

STEP_SECONDS = 30
DRIFT_STEPS = 1
DIGITS = 6


def new_secret() -> str:
    """A fresh base32 secret (32 characters, 160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG: presentation attributes only (no style attribute, no script), so the
    strict Content-Security-Policy needs no exception and nothing leaves the server."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title)
    return Markup(svg)  # noqa: S704 - segno's own markup; the only text in it (title) is XML-escaped by segno


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def step_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_for_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is within the drift window and later than `last_step`."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    current = step_at(at)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(code_for_step(secret, step), code):
            return step
    return None
