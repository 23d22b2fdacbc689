"""The method-independent record of one allocation, as the app stores and audits it."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Allocation"]


@dataclass(frozen=True)
class Allocation:
    """What every allocation reports, whichever method made it.

    ``probability`` is the arm's unconditional probability, its share of ``ratio``; the period
    matters for the analysis (reference section 1.5), so it is recorded with each allocation.
    ``position`` is the 0-based list position (blocks) or the sequence number (minimization).
    """

    arm: str
    method: str
    period: str | None
    ratio: str
    probability: Fraction
    position: int
