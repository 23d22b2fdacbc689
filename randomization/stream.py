"""The keyed random stream every allocation is drawn from.

Python's ``random`` and NumPy promise no stream stability across versions (reference section
1.6), so lists are derived from HMAC-SHA256 alone. The stream is defined byte for byte here;
changing any of it changes every list and must come with a new ``ALGORITHM_VERSION``.

Message for one 32-byte output::

    enc(version) || enc(stratum) || enc(period) || enc(purpose) || u64(index) || u64(counter)
    enc(s) = u32be(len(utf8(s))) || utf8(s);  u64 = 8-byte big-endian unsigned

    output = HMAC-SHA256(secret, message), read as eight 32-bit big-endian words.

``purpose`` and ``index`` name an independent sub-stream ("block-size" with index 0, "shuffle"
with index = block number, "minimization" with index = sequence number); ``counter`` = 0, 1, ...
extends it. Length prefixes keep distinct field tuples from ever producing the same message.
"""
from __future__ import annotations

import hmac
import struct
from collections.abc import Iterator, MutableSequence
from typing import TypeVar

from .errors import InvalidSecretError

__all__ = ["ALGORITHM_VERSION", "MINIMIZATION_VERSION", "KeyedStream", "check_secret", "shuffle",
           "uniform_below"]

ALGORITHM_VERSION = "hmac-sha256-pbr/1"
MINIMIZATION_VERSION = "hmac-sha256-minimization/1"

_WORDS = struct.Struct(">8I")
_SPAN = 1 << 32
T = TypeVar("T")


def check_secret(secret: bytes) -> None:
    """Raise ``InvalidSecretError`` unless ``secret`` is non-empty ``bytes``."""
    if not isinstance(secret, bytes | bytearray):
        raise InvalidSecretError(f"secret must be bytes, not {type(secret).__name__}")
    if not secret:
        raise InvalidSecretError("secret is empty; use secrets.token_bytes(32)")


def _field(text: str) -> bytes:
    raw = text.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


class KeyedStream:
    """The sub-streams of one (version, stratum, period, purpose); ``index`` selects one."""

    __slots__ = ("_prefix", "_secret")

    def __init__(self, secret: bytes, version: str, stratum: str, period: str, purpose: str) -> None:
        check_secret(secret)
        self._secret = bytes(secret)
        self._prefix = _field(version) + _field(stratum) + _field(period) + _field(purpose)

    def digest(self, index: int, counter: int = 0) -> bytes:
        """The 32-byte output ``counter`` of sub-stream ``index``."""
        message = self._prefix + index.to_bytes(8, "big") + counter.to_bytes(8, "big")
        return hmac.digest(self._secret, message, "sha256")

    def words(self, index: int) -> Iterator[int]:
        """Sub-stream ``index`` as unsigned 32-bit words, eight per output, without end."""
        counter = 0
        while True:
            yield from _WORDS.unpack(self.digest(index, counter))
            counter += 1


def uniform_below(words: Iterator[int], n: int) -> int:
    """A uniform integer in ``[0, n)`` by rejection, so there is no modulo bias."""
    # Words at or above the largest multiple of n are rejected; for the small n used here a
    # rejection is rarer than one in 10^8, but it keeps the draw exactly uniform.
    limit = _SPAN - _SPAN % n
    return next(word % n for word in words if word < limit)


def shuffle(items: MutableSequence[T], words: Iterator[int]) -> None:
    """Fisher-Yates (Durstenfeld) shuffle in place: every ordering equally likely."""
    for i in range(len(items) - 1, 0, -1):
        j = uniform_below(words, i + 1)
        items[i], items[j] = items[j], items[i]
