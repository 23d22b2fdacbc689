"""Questionnaire definitions and scoring: pure Python, no Flask, no database, no I/O at import.

Built-in instruments (``codes()``): ``hads``, ``eq5d5l``, ``eq5d3l``, ``whodas12``, ``whodas36``;
trial-specific ones come from ``define()``. Scoring rules and their sources are in
reference/instruments.md; licensed wording is installed per deployment as wording packs
(docs/instrument-wording.md).

    >>> import instruments
    >>> [item.code for item in instruments.get("hads").items][:3]
    ['1', '2', '3']
    >>> instruments.score("eq5d5l", {"MO": 1, "SC": 1, "UA": 1, "PD": 1, "AD": 2, "VAS": 80})["index"]
    0.928256
"""

from instruments.custom import define
from instruments.custom_items import KINDS as TRIAL_ITEM_TYPES
from instruments.model import (
    AnswerError,
    AskedIf,
    Group,
    Instrument,
    InstrumentDefinitionError,
    Item,
    Problem,
)
from instruments.packs import PackProblem, WordingPackError, load_wording_packs
from instruments.registry import codes, get, lookup, score, validate
from instruments.wording import LANGUAGES, ItemWording, Wording, WordingCatalog, placeholder, wording

__all__ = [
    "LANGUAGES",
    "TRIAL_ITEM_TYPES",
    "AnswerError",
    "AskedIf",
    "Group",
    "Instrument",
    "InstrumentDefinitionError",
    "Item",
    "ItemWording",
    "PackProblem",
    "Problem",
    "Wording",
    "WordingCatalog",
    "WordingPackError",
    "codes",
    "define",
    "get",
    "load_wording_packs",
    "lookup",
    "placeholder",
    "score",
    "validate",
    "wording",
]
