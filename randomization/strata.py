"""The stratum key a participant's list is chosen by (spec section 5)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from .errors import RandomizationError

__all__ = ["SITE", "UNSTRATIFIED", "stratum_key"]

SITE = "site"
# The one stratum of a trial that stratifies by nothing; "*" cannot be a URL-safe site code.
UNSTRATIFIED = "*"


def stratum_key(stratify_by: Sequence[str], values: Mapping[str, str]) -> str:
    """The site code alone for ``["site"]``, else the factors joined by ``|`` in declared order.

    The site contributes its bare code and every other factor ``name=value``:
    ``stratum_key(["site", "aap"], {"site": "bergen", "aap": "yes"}) == "bergen|aap=yes"``.
    ``|`` may appear in no name or value, and ``=`` in no factor name, so a key reads back
    unambiguously.
    """
    if isinstance(stratify_by, str) or not isinstance(stratify_by, Sequence):
        raise RandomizationError("stratify_by must be a sequence of factor names")
    if len(set(stratify_by)) != len(stratify_by):
        raise RandomizationError(f"stratify_by repeats a factor: {list(stratify_by)}")
    parts = []
    for factor in stratify_by:
        if not isinstance(factor, str) or not factor:
            raise RandomizationError(f"stratification factor names must be non-empty strings, got {factor!r}")
        value = values.get(factor)
        if not isinstance(value, str) or not value:
            raise RandomizationError(f"stratification factor {factor!r} has no value")
        if "|" in factor or "=" in factor or "|" in value:
            raise RandomizationError(f"stratification factor {factor!r}={value!r}: "
                                     "'|' is not allowed, nor '=' in a factor name")
        parts.append(value if factor == SITE else f"{factor}={value}")
    return "|".join(parts) or UNSTRATIFIED
