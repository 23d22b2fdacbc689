"""Concealed allocation: stratified permuted blocks with ratio periods, and minimization.

A pure core: standard library only, no I/O, no clock and no global random state. Callers bring
the secret, the date and what has been allocated before; every list and every minimization draw
is a deterministic function of them (see ``stream`` for the keyed stream, ``plan`` for the
canonical form behind ``AllocationPlan.fingerprint``).
"""
from __future__ import annotations

from . import diagnostics
from .allocation import Allocation
from .errors import (
    InvalidPeriodsError,
    InvalidPositionError,
    InvalidRatioError,
    InvalidSecretError,
    MinimizationError,
    NoPeriodError,
    RandomizationError,
    UnknownArmError,
    UnknownMethodError,
    UnknownPeriodError,
)
from .methods import METHODS, get_method
from .minimization import Minimization, MinimizationResult
from .periods import Period
from .plan import AllocationPlan, Slot
from .strata import stratum_key
from .stream import ALGORITHM_VERSION, MINIMIZATION_VERSION

__all__ = [
    "ALGORITHM_VERSION",
    "METHODS",
    "MINIMIZATION_VERSION",
    "AllocationPlan",
    "Allocation",
    "InvalidPeriodsError",
    "InvalidPositionError",
    "InvalidRatioError",
    "InvalidSecretError",
    "Minimization",
    "MinimizationError",
    "MinimizationResult",
    "NoPeriodError",
    "Period",
    "RandomizationError",
    "Slot",
    "UnknownArmError",
    "UnknownMethodError",
    "UnknownPeriodError",
    "diagnostics",
    "get_method",
    "stratum_key",
]
