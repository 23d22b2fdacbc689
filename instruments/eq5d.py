"""EQ-5D-5L and EQ-5D-3L: the descriptive profile, its index under a value set, and the EQ VAS.

The wording, the VAS graphic and translations belong to the EuroQol Research Foundation and are
loaded per deployment from a wording pack (reference/instruments.md section 2.4). Dimension
codes, levels and published value-set coefficients are safe to ship.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from instruments.model import Instrument, Item
from instruments.scoring import number, option_choice, unknown_options
from instruments.valuesets import DIMENSIONS, VALUE_SETS_3L, VALUE_SETS_5L, ValueSet

__all__ = ["EQ5D3L", "EQ5D5L"]

# CamCOPS eq5d5l.py codes a missing or ambiguous dimension as 9 in the state string.
_MISSING_LEVEL = "9"


def _score(
    value_sets: Mapping[str, ValueSet],
    instrument: Instrument,
    answers: Mapping[str, object],
    options: Mapping[str, object],
) -> dict[str, object]:
    unknown_options(instrument, options)
    default = instrument.default_value_set or ""
    value_set = value_sets[option_choice(options, "value_set", instrument.value_sets, default)]
    profile = "".join(str(answers.get(dimension, _MISSING_LEVEL)) for dimension in DIMENSIONS)
    index = None
    # No index for an incomplete state (fragla returns NA for such states): never impute a level.
    if _MISSING_LEVEL not in profile:
        index = number(value_set.index(tuple(int(level) for level in profile)))
    # The VAS is the second part of the instrument and never combined with the index (EuroQol FAQ).
    return {"profile": profile, "index": index, "vas": answers.get("VAS"), "value_set": value_set.code}


def _instrument(
    code: str, name: str, levels: int, value_sets: Mapping[str, ValueSet], default: str
) -> Instrument:
    dimensions = tuple(
        Item(code=dimension, kind="choice", options=tuple(range(1, levels + 1))) for dimension in DIMENSIONS
    )
    return Instrument(
        code=code,
        version="1",
        name=name,
        label=name,
        items=(*dimensions, Item(code="VAS", kind="integer", minimum=0, maximum=100)),
        value_sets=tuple(value_sets),
        default_value_set=default,
        scores=("profile", "index", "vas", "value_set"),
        score_options=("value_set",),
        licensed=True,
        scorer=partial(_score, value_sets),
    )


# Norway is the default 5L value set (the contract; the example trial is Norwegian). No Norwegian
# 3L value set exists in fragla or eq5dsuite, so 3L offers Dolan's UK TTO only.
EQ5D5L = _instrument("eq5d5l", "EQ-5D-5L", 5, VALUE_SETS_5L, "norway")
EQ5D3L = _instrument("eq5d3l", "EQ-5D-3L", 3, VALUE_SETS_3L, "uk-tto")
