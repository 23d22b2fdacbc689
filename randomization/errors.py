"""The one family of exceptions the allocation core raises.

Every error is a ``ValueError`` so a caller that validates a protocol can catch one type; the
subclasses let the web app say precisely what is wrong, and every message names the field.
"""
from __future__ import annotations

__all__ = [
    "InvalidPeriodsError",
    "InvalidPositionError",
    "InvalidRatioError",
    "InvalidSecretError",
    "MinimizationError",
    "NoPeriodError",
    "RandomizationError",
    "UnknownArmError",
    "UnknownMethodError",
    "UnknownPeriodError",
]


class RandomizationError(ValueError):
    """A randomization input or configuration is invalid."""


class UnknownArmError(RandomizationError):
    """An arm code that the plan does not declare."""


class InvalidRatioError(RandomizationError):
    """A ratio or block-multiplier list that cannot define blocks."""


class InvalidPeriodsError(RandomizationError):
    """Periods that overlap, leave a gap, repeat a name or mix the two kinds."""


class NoPeriodError(RandomizationError):
    """A date (or count) that falls outside every period."""


class UnknownPeriodError(RandomizationError):
    """A period name that the plan does not declare."""


class InvalidPositionError(RandomizationError):
    """A negative list position, length or sequence number."""


class InvalidSecretError(RandomizationError):
    """A secret that is empty or not bytes."""


class MinimizationError(RandomizationError):
    """Minimization settings or covariates that cannot be used."""


class UnknownMethodError(RandomizationError):
    """An allocation method name that is not registered."""
