"""Allocation methods by the name a protocol stores in ``[randomization] method``."""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import minimization, plan
from .errors import UnknownMethodError
from .minimization import Minimization
from .plan import AllocationPlan

__all__ = ["METHODS", "Method", "get_method"]

Method = type[AllocationPlan] | type[Minimization]

METHODS: Mapping[str, Method] = MappingProxyType({
    plan.METHOD: AllocationPlan,
    minimization.METHOD: Minimization,
})


def get_method(name: str) -> Method:
    """The class implementing method ``name``; ``UnknownMethodError`` names the known ones."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise UnknownMethodError(f"allocation method {name!r} is not one of {sorted(METHODS)}") from None
