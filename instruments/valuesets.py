"""EQ-5D value sets: index = 1 - decrements, from coefficients published in the cited papers.

The coefficients are kept as decimal strings and summed as exact fractions, so an index is the
nearest float to the published arithmetic (Norway 11112 is exactly ``0.928256``, not
``0.9282560000000001``). Sources are the papers themselves; the numbers were checked against the
MIT-licensed R package fragla/eq5d (``data-raw/TTO.csv``, ``VT.csv``) and eq5dsuite's state tables
(reference/instruments.md section 2.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["DIMENSIONS", "VALUE_SETS_3L", "VALUE_SETS_5L", "ValueSet"]

DIMENSIONS = ("MO", "SC", "UA", "PD", "AD")


@dataclass(frozen=True)
class ValueSet:
    """Decrements per dimension for levels 2.. (level 1 is no decrement), plus 3L's extra terms."""

    code: str
    name: str
    levels: int
    decrements: Mapping[str, tuple[Fraction, ...]]
    constant: Fraction = Fraction(0)  # applied when any dimension is above level 1
    n3: Fraction = Fraction(0)  # applied when any dimension is at level 3 (Dolan's N3 term)

    def index(self, state: tuple[int, ...]) -> Fraction:
        """The exact index of a complete state, dimensions in MO SC UA PD AD order."""
        value = Fraction(1)
        if any(level > 1 for level in state):
            value -= self.constant
        if any(level == 3 for level in state):
            value -= self.n3
        for dimension, level in zip(DIMENSIONS, state, strict=True):
            if level > 1:
                value -= self.decrements[dimension][level - 2]
        return value


def _table(rows: Mapping[str, str]) -> dict[str, tuple[Fraction, ...]]:
    return {dimension: tuple(Fraction(cell) for cell in cells.split()) for dimension, cells in rows.items()}


# Dolan 1997, Med Care 35:1095-1108, doi 10.1097/00005650-199711000-00002 (UK TTO); fragla
# TTO.csv column UK. Levels 2, 3; constant 0.081 and N3 0.269. Range -0.594 (33333) to 1.
UK_TTO = ValueSet(
    code="uk-tto",
    name="EQ-5D-3L UK TTO (Dolan 1997)",
    levels=3,
    decrements=_table(
        {
            "MO": "0.069 0.314",
            "SC": "0.104 0.214",
            "UA": "0.036 0.094",
            "PD": "0.123 0.386",
            "AD": "0.071 0.236",
        }
    ),
    constant=Fraction("0.081"),
    n3=Fraction("0.269"),
)

# Garratt et al., Qual Life Res, doi 10.1007/s11136-024-03837-3. Each decrement is a dimension
# weight times a level weight (fragla VT.csv column Norway holds exactly these products, e.g.
# MO 0.03116 = 0.205 x 0.152). Range -0.453 (55555) to 1.
_NORWAY_LEVEL_WEIGHTS = (Fraction("0.152"), Fraction("0.317"), Fraction("0.775"), Fraction(1))
_NORWAY_DIMENSION_WEIGHTS = {"MO": "0.205", "SC": "0.206", "UA": "0.179", "PD": "0.391", "AD": "0.472"}
NORWAY = ValueSet(
    code="norway",
    name="EQ-5D-5L Norway (Garratt et al. 2024)",
    levels=5,
    decrements={
        dimension: tuple(Fraction(beta) * weight for weight in _NORWAY_LEVEL_WEIGHTS)
        for dimension, beta in _NORWAY_DIMENSION_WEIGHTS.items()
    },
)

# Devlin et al. 2018, Health Econ 27:7-22, doi 10.1002/hec.3564; fragla VT.csv column England.
# Additive, no constant. Range -0.285 (55555) to 1.
ENGLAND = ValueSet(
    code="england",
    name="EQ-5D-5L England (Devlin et al. 2018)",
    levels=5,
    decrements=_table(
        {
            "MO": "0.058 0.076 0.207 0.274",
            "SC": "0.050 0.080 0.164 0.203",
            "UA": "0.050 0.063 0.162 0.184",
            "PD": "0.063 0.084 0.276 0.335",
            "AD": "0.078 0.104 0.285 0.289",
        }
    ),
)

# The new UK EQ-5D-5L value set, doi 10.1016/j.jval.2026.03.008; fragla VT.csv column UK and
# eq5dsuite EQ-5D-5L/UK.csv. Additive. Range -0.567 (55555) to 1.
UK_2026 = ValueSet(
    code="uk2026",
    name="EQ-5D-5L UK (2026)",
    levels=5,
    decrements=_table(
        {
            "MO": "0.032 0.058 0.179 0.279",
            "SC": "0.038 0.060 0.162 0.206",
            "UA": "0.049 0.086 0.184 0.212",
            "PD": "0.056 0.066 0.371 0.479",
            "AD": "0.041 0.126 0.313 0.391",
        }
    ),
)

# The 5L->3L crosswalk is deliberately absent: it is a 3125-row lookup table derived from
# EuroQol's calculator that cannot be recomputed exactly (reference section 2.2), and shipping it
# needs EuroQol's consent.
VALUE_SETS_5L = {value_set.code: value_set for value_set in (NORWAY, ENGLAND, UK_2026)}
VALUE_SETS_3L = {UK_TTO.code: UK_TTO}
