"""Trial-specific instruments defined in TOML: single items, Likert scales, the 1-10 "ladder of
life", yes/no, dates, numbers with ranges and free text, scored by sum or mean (or not at all).

``define(mapping)`` takes the parsed TOML (``tomllib.load``); the format is documented in
docs/instrument-wording.md. Every problem is collected and reported by field, e.g.
``items[2].points``, so a protocol author can fix them all in one go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from instruments.custom_items import KINDS, ItemSpec, read_item
from instruments.custom_scoring import SumMeanScorer, item_scale
from instruments.custom_text import read_wordings
from instruments.model import Group, Instrument, InstrumentDefinitionError, Item, Problem
from instruments.registry import codes as built_in_codes

__all__ = ["define"]

_CODE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_KEYS = frozenset({"code", "version", "name", "score", "max_missing", "title", "instructions", "items"})
_METHODS = ("none", "sum", "mean")


def define(mapping: Mapping[str, object], *, code: str | None = None) -> Instrument:
    """A trial-specific Instrument from a parsed TOML table; InstrumentDefinitionError names
    every field that is wrong.

    Top level: ``code``, ``version``, ``name``, optional ``score`` ("none", "sum", "mean"),
    ``max_missing``, ``title`` and ``instructions`` (tables by language), and ``[[items]]``
    each with ``code``, ``type`` (one of ``KINDS``) and that type's fields. ``code=`` supplies
    the code when the table is keyed by it elsewhere (``[custom_instruments.<code>]``); a
    ``code`` field in the table must then agree.
    """
    problems: list[Problem] = []
    if not isinstance(mapping, Mapping):
        raise InstrumentDefinitionError((Problem("", "the definition must be a TOML table"),))
    problems += [Problem(str(key), "unknown field") for key in mapping if key not in _KEYS]
    if code is not None and mapping.get("code", code) != code:
        problems.append(
            Problem("code", f"{mapping['code']!r} differs from the code it is listed under, {code!r}")
        )
    code = _code(mapping.get("code", code), problems)
    version = _required_text(mapping, "version", problems)
    name = _required_text(mapping, "name", problems)
    before_items = len(problems)
    specs = _items(mapping.get("items"), problems)
    method, max_missing = _scoring(mapping, specs, len(problems) == before_items, problems)
    wordings = read_wordings(mapping, specs, code, version, problems)
    if problems:
        raise InstrumentDefinitionError(tuple(problems))
    items = tuple(spec.item for spec in specs)
    return Instrument(
        code=code,
        version=version,
        name=name,
        label=name,
        items=items,
        groups=_groups(items),
        scores=() if method == "none" else (method,),
        scorer=SumMeanScorer(
            method,
            items=tuple(spec.item.code for spec in specs if spec.scored),
            reversed_items=tuple(spec.item.code for spec in specs if spec.reverse),
            max_missing=max_missing,
        ),
        own_wording=wordings,
    )


def _scoring(
    mapping: Mapping[str, object], specs: list[ItemSpec], items_read: bool, problems: list[Problem]
) -> tuple[str, int]:
    """The scoring method and how many scored items may be missing."""
    method = mapping.get("score", "none")
    if method not in _METHODS:
        problems.append(Problem("score", f"must be one of {', '.join(_METHODS)}, got {method!r}"))
    elif method != "none" and items_read and not any(spec.scored for spec in specs):
        problems.append(Problem("score", f"score = {method!r} needs at least one scored item"))
    max_missing = mapping.get("max_missing", 0)
    if type(max_missing) is not int or max_missing < 0:
        problems.append(Problem("max_missing", f"must be a whole number of 0 or more, got {max_missing!r}"))
        max_missing = 0
    if method == "sum" and max_missing and items_read:
        _check_one_scale(specs, problems)
    return str(method), max_missing


def _check_one_scale(specs: list[ItemSpec], problems: list[Problem]) -> None:
    """Prorating a sum (x asked / answered) assumes the scored items share one scale; with mixed
    scales a prorated sum could exceed the instrument's range, so such a definition is refused."""
    scales = {spec.item.code: item_scale(spec.item) for spec in specs if spec.scored}
    if len(set(scales.values())) > 1:
        shown = ", ".join(f"{code} {low}-{high}" for code, (low, high) in scales.items())
        problems.append(
            Problem("max_missing", f"prorating a sum needs scored items on one scale; got {shown}")
        )


def _code(value: object, problems: list[Problem]) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        problems.append(
            Problem("code", "must be 1-40 lower-case letters, digits, '-' or '_', starting with a letter")
        )
        return ""
    if value in built_in_codes():
        problems.append(Problem("code", f"{value!r} is a built-in instrument; choose another code"))
    return value


def _required_text(mapping: Mapping[str, object], key: str, problems: list[Problem]) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(key, 'is required and must be non-empty text (quote numbers: "1")'))
        return ""
    return value


def _items(raw: object, problems: list[Problem]) -> list[ItemSpec]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("items", f"add at least one [[items]] table (types: {', '.join(KINDS)})"))
        return []
    specs: list[ItemSpec] = []
    for position, entry in enumerate(raw):
        spec = read_item(entry, f"items[{position}]", specs, problems)
        if spec is not None:
            specs.append(spec)
    return specs


def _groups(items: tuple[Item, ...]) -> tuple[Group, ...]:
    names = dict.fromkeys(item.group for item in items if item.group is not None)
    return tuple(Group(name, name, tuple(i.code for i in items if i.group == name)) for name in names)
