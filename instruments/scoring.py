"""Small helpers shared by the scorers: option checking and exact arithmetic.

Scores are computed with ``Fraction`` so that prorating and 0-100 transforms are exact, and only
turned into ``int`` (when whole) or ``float`` at the end; rounding happens only where a rule
says so (HADS banding).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from instruments.model import Instrument

__all__ = ["number", "option_choice", "round_half_up", "unknown_options"]


def unknown_options(instrument: Instrument, options: Mapping[str, object]) -> None:
    """Refuse scoring options the instrument does not know (a typo must not fall back silently)."""
    unknown = sorted(set(options) - set(instrument.score_options))
    if unknown:
        known = ", ".join(instrument.score_options) or "none"
        raise ValueError(f"{instrument.code} has no scoring option {', '.join(unknown)} (known: {known})")


def option_choice(options: Mapping[str, object], name: str, allowed: tuple[str, ...], default: str) -> str:
    """The value of a named option that must be one of ``allowed``; None means the default."""
    value = options.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise ValueError(f"option {name}={value!r} is not one of {', '.join(allowed)}")
    return str(value)


def round_half_up(value: Fraction) -> int:
    """Round to the nearest whole number, halves upwards (Python's round() goes to even)."""
    return math.floor(value + Fraction(1, 2))


def number(value: Fraction | None) -> int | float | None:
    """An exact score as the caller sees it: ``int`` when whole, else the nearest ``float``."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return float(value)
