"""Reading one ``[[items]]`` table of a trial-specific instrument into an Item."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from instruments.model import AskedIf, Item, ItemKind, Problem
from instruments.validation import check_answer

__all__ = ["KINDS", "ItemSpec", "read_item"]

_COMMON = frozenset({"code", "type", "required", "group", "asked_if", "text", "scored"})
# The fields each item type takes besides the common ones.
_FIELDS: dict[str, frozenset[str]] = {
    "likert": frozenset({"points", "start", "reverse", "labels"}),
    "ladder": frozenset({"reverse", "labels"}),
    "choice": frozenset({"options", "reverse", "labels"}),
    "yes-no": frozenset({"labels"}),
    "number": frozenset({"minimum", "maximum", "reverse"}),
    "date": frozenset(),
    "text": frozenset({"max_length"}),
}
KINDS = tuple(_FIELDS)
_ITEM_KIND: dict[str, ItemKind] = {
    "likert": "choice",
    "ladder": "choice",
    "choice": "choice",
    "yes-no": "boolean",
    "number": "integer",
    "date": "date",
    "text": "text",
}
_UNSCORABLE = frozenset({"date", "text"})
# Scale items count towards the sum or mean unless marked ``scored = false``; a yes-no item
# (yes = 1, no = 0) or a number counts only when marked ``scored = true``, since it is usually a
# filter or a stand-alone question ("Do you work?", "Hours a week") that should not slip into a sum.
_SCORED_BY_DEFAULT = frozenset({"likert", "ladder", "choice"})
# The "ladder of life" (Cantril's self-anchoring scale, here 1-10 as in the IPS trial) is printed
# as rungs from the top, so its options run 10 -> 1.
_LADDER = tuple(range(10, 0, -1))
_ITEM_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_DEFAULT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ItemSpec:
    """An item plus what only the definition knows: its type, scoring role and raw text fields."""

    item: Item
    type: str
    scored: bool
    reverse: bool
    entry: Mapping[str, object]
    where: str


class _Fields:
    """Typed reads of one item table, each bad field reported as ``items[n].field``."""

    def __init__(self, entry: Mapping[str, object], where: str, problems: list[Problem]) -> None:
        self.entry, self.where, self.problems = entry, where, problems

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.where}.{key}", message))

    def boolean(self, key: str, default: bool) -> bool:
        value = self.entry.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
            return default
        return value

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.entry.get(key, default)
        if value is None:
            self.fail(key, "is required for this item type")
        elif type(value) is not int:
            self.fail(key, f"must be a whole number, got {value!r}")
            return None
        return value


def read_item(
    entry: object, where: str, earlier: Sequence[ItemSpec], problems: list[Problem]
) -> ItemSpec | None:
    """The item defined by one ``[[items]]`` table, or None after reporting its problems."""
    if not isinstance(entry, Mapping):
        problems.append(Problem(where, "must be a table"))
        return None
    before = len(problems)
    fields = _Fields(entry, where, problems)
    kind = entry.get("type")
    if kind not in _FIELDS:
        fields.fail("type", f"must be one of {', '.join(KINDS)}, got {kind!r}")
        return None
    for key in entry:
        if key not in _COMMON | _FIELDS[str(kind)]:
            fields.fail(str(key), f"unknown field for a {kind} item")
    code = _item_code(entry.get("code"), earlier, fields)
    item = Item(
        code=code,
        kind=_ITEM_KIND[str(kind)],
        required=fields.boolean("required", True),
        group=_group(entry.get("group"), fields),
        asked_if=_asked_if(entry.get("asked_if"), earlier, fields),
        **_shape(str(kind), fields),
    )
    scored = fields.boolean("scored", kind in _SCORED_BY_DEFAULT)
    if scored and kind in _UNSCORABLE:
        fields.fail("scored", f"a {kind} item cannot be scored")
    reverse = fields.boolean("reverse", False)
    if len(problems) > before:
        return None
    return ItemSpec(item, str(kind), scored, reverse, entry, where)


def _item_code(value: object, earlier: Sequence[ItemSpec], fields: _Fields) -> str:
    if not isinstance(value, str) or not _ITEM_CODE.fullmatch(value):
        fields.fail("code", "must be 1-40 letters, digits, '.', '-' or '_'")
        return ""
    if any(spec.item.code == value for spec in earlier):
        fields.fail("code", f"{value!r} is used by an earlier item")
    return value


def _group(value: object, fields: _Fields) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        fields.fail("group", "must be non-empty text")
        return None
    return value


def _shape(kind: str, fields: _Fields) -> dict[str, Any]:
    """The type-specific Item fields: options for choices, a range for numbers, a text length."""
    if kind == "likert":
        return {"options": _likert(fields)}
    if kind == "ladder":
        return {"options": _LADDER}
    if kind == "choice":
        return {"options": _choice_options(fields)}
    if kind == "number":
        return _number_range(fields)
    if kind == "text":
        return {"max_length": _max_length(fields)}
    return {}


def _max_length(fields: _Fields) -> int | None:
    length = fields.integer("max_length", _DEFAULT_MAX_LENGTH)
    if length is not None and length < 1:
        fields.fail("max_length", f"must be at least 1, got {length}")
    return length


def _likert(fields: _Fields) -> tuple[int, ...]:
    points, start = fields.integer("points"), fields.integer("start", 1)
    if points is not None and not 2 <= points <= 11:
        fields.fail("points", f"a Likert scale has 2 to 11 points, got {points}")
        return ()
    if points is None or start is None:
        return ()
    return tuple(range(start, start + points))


def _choice_options(fields: _Fields) -> tuple[int, ...]:
    options = fields.entry.get("options")
    if not isinstance(options, list) or len(options) < 2 or any(type(o) is not int for o in options):
        fields.fail("options", "must list at least two whole-number stored values in printed order")
        return ()
    if len(set(options)) != len(options):
        fields.fail("options", "stored values must be distinct")
    return tuple(options)


def _number_range(fields: _Fields) -> dict[str, int | None]:
    minimum, maximum = fields.integer("minimum"), fields.integer("maximum")
    if minimum is not None and maximum is not None and minimum >= maximum:
        fields.fail("maximum", f"must be greater than minimum ({minimum})")
    return {"minimum": minimum, "maximum": maximum}


def _asked_if(value: object, earlier: Sequence[ItemSpec], fields: _Fields) -> AskedIf | None:
    """A skip rule ``{ item = "...", equals = ... }`` on an earlier yes-no or choice item."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"item", "equals"}:
        fields.fail("asked_if", 'must be { item = "<earlier item code>", equals = <answer> }')
        return None
    control = next((spec.item for spec in earlier if spec.item.code == value["item"]), None)
    if control is None or control.kind not in ("boolean", "choice"):
        fields.fail("asked_if", f"{value['item']!r} is not an earlier yes-no or choice item")
        return None
    equals = value["equals"]
    try:
        check_answer(control, equals)
    except ValueError as error:
        fields.fail("asked_if", f"equals: {error}")
        return None
    assert isinstance(equals, bool | int)  # check_answer accepted it for a boolean or choice item
    return AskedIf(control.code, equals)
