"""Licensed wording packs: one TOML file per instrument and language, in a folder the caller names.

A trial that holds a licence (GL Assessment for HADS, EuroQol for EQ-5D, WHO for WHODAS) puts the
licensed text in ``<instrument>.<language>.toml`` files; the format is documented in
docs/instrument-wording.md. A pack must match its definition exactly: every item, and for a
choice item every stored value in printed order. Stating the values next to the labels is what
catches a reversed HADS item. Anything else is refused, listing every mismatch at once, so a
deployment never shows text against the wrong scores.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from instruments.model import Instrument, Item
from instruments.registry import get
from instruments.wording import LANGUAGES, ItemWording, Wording, WordingCatalog

__all__ = ["PackProblem", "WordingPackError", "load_wording_packs"]

_HEADER_KEYS = frozenset({"instrument", "version", "language", "title", "instructions", "notice", "items"})
_ITEM_KEYS = frozenset({"text", "options", "minimum_label", "maximum_label"})


@dataclass(frozen=True)
class PackProblem:
    """One mismatch: the pack file, where in it (e.g. ``items.1.options``) and what is wrong."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


class WordingPackError(ValueError):
    """Wording packs that cannot be used; ``problems`` lists every mismatch in every file."""

    def __init__(self, problems: tuple[PackProblem, ...]) -> None:
        self.problems = problems
        lines = "".join(f"\n- {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the instrument wording packs:{lines}")


@dataclass
class _Report:
    file: str
    problems: list[PackProblem] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.problems.append(PackProblem(self.file, where, message))


def load_wording_packs(
    folder: str | os.PathLike[str], instrument_lookup: Callable[[str], Instrument] = get
) -> WordingCatalog:
    """Read every ``*.toml`` pack in ``folder``; WordingPackError lists every problem in them all.

    ``instrument_lookup`` maps a code to its definition (KeyError if unknown); pass
    ``instruments.lookup(trial_instruments)`` when a trial's own instruments have packs too.
    """
    root = Path(folder)
    if not root.is_dir():
        raise WordingPackError((PackProblem(str(root), "", "the wording pack folder does not exist"),))
    packs: list[Wording] = []
    problems: list[PackProblem] = []
    for path in sorted(root.glob("*.toml")):
        report = _Report(path.name)
        pack = _read_pack(path, instrument_lookup, report)
        problems += report.problems
        if pack is not None and not report.problems:
            packs.append(pack)
    if problems:
        raise WordingPackError(tuple(problems))
    return WordingCatalog(tuple(packs))


def _read_pack(path: Path, lookup: Callable[[str], Instrument], report: _Report) -> Wording | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        report.add("", f"cannot be read as UTF-8 text: {error}")
        return None
    except tomllib.TOMLDecodeError as error:
        report.add("", f"not valid TOML: {error}")
        return None
    for key in sorted(set(data) - _HEADER_KEYS):
        report.add(key, "unknown key")
    code, language = _text(data, "instrument", report), _text(data, "language", report)
    version, title = _text(data, "version", report), _text(data, "title", report)
    instructions = _text(data, "instructions", report, required=False) or ""
    notice = _text(data, "notice", report, required=False)
    if language is not None and language not in LANGUAGES:
        report.add("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
        return None
    if code is None or language is None or version is None or title is None:
        return None
    if path.name != f"{code}.{language}.toml":
        report.add("", f"the file must be named {code}.{language}.toml")
    try:
        instrument = lookup(code)
    except KeyError:
        report.add("instrument", f"unknown instrument {code!r}")
        return None
    if version != instrument.version:
        report.add(
            "version",
            f"the pack is for version {version}; the {code} definition is version {instrument.version}",
        )
    items = _items(instrument, data.get("items"), report)
    return Wording(code, version, language, title, instructions, items, source="pack", notice=notice)


def _text(
    table: Mapping[str, object], key: str, report: _Report, where: str = "", *, required: bool = True
) -> str | None:
    value = table.get(key)
    place = f"{where}.{key}" if where else key
    if value is None:
        if required:
            report.add(place, "is missing")
        return None
    if not isinstance(value, str) or not value.strip():
        report.add(place, "must be non-empty text")
        return None
    return value


def _items(instrument: Instrument, table: object, report: _Report) -> tuple[ItemWording, ...]:
    if not isinstance(table, dict):
        report.add("items", "is missing: add an [items.<code>] table for every item")
        return ()
    wordings = []
    for item in instrument.items:
        entry = table.get(item.code)
        if not isinstance(entry, dict):
            report.add(
                f"items.{item.code}", "no wording for this item" if entry is None else "must be a table"
            )
            continue
        wordings.append(_item_wording(item, entry, report))
    for code in table:
        if code not in instrument.item_codes:
            report.add(f"items.{code}", f"{instrument.code} has no such item")
    return tuple(wordings)


def _item_wording(item: Item, entry: Mapping[str, object], report: _Report) -> ItemWording:
    where = f"items.{item.code}"
    for key in sorted(set(entry) - _ITEM_KEYS):
        report.add(f"{where}.{key}", "unknown key")
    labels = {
        key: _text(entry, key, report, where, required=False) for key in ("minimum_label", "maximum_label")
    }
    if item.kind != "integer" and any(key in entry for key in labels):
        report.add(
            where, f"minimum_label/maximum_label belong to number items; this item is of kind {item.kind}"
        )
    return ItemWording(
        code=item.code,
        text=_text(entry, "text", report, where) or "",
        options=_options(item, entry.get("options"), report, f"{where}.options"),
        minimum_label=labels["minimum_label"],
        maximum_label=labels["maximum_label"],
    )


def _options(item: Item, raw: object, report: _Report, where: str) -> tuple[tuple[int | bool, str], ...]:
    if item.kind not in ("choice", "boolean"):
        if raw is not None:
            report.add(where, f"options belong to choice and boolean items; this item is of kind {item.kind}")
        return ()
    if raw is None and item.kind == "boolean":
        return ()  # yes/no labels then come from the language
    if not isinstance(raw, list) or not all(isinstance(o, dict) for o in raw):
        report.add(where, 'must be a list of { value = ..., text = "..." } tables in printed order')
        return ()
    pairs = [
        (option.get("value"), _text(option, "text", report, f"{where}[{n}]")) for n, option in enumerate(raw)
    ]
    values = [value for value, _label in pairs]
    expected: list[object] = list(item.options) if item.kind == "choice" else [True, False]
    if item.kind == "boolean" and sorted(map(repr, values)) == ["False", "True"]:
        expected = values  # booleans have no printed order: the pack's order is the display order
    if [(type(v), v) for v in values] != [(type(e), e) for e in expected]:
        shown = ", ".join(repr(value) for value in values)
        report.add(
            where, f"values must be {', '.join(map(repr, expected))} in printed order; the pack has {shown}"
        )
    return tuple((v, label) for v, label in pairs if isinstance(v, int) and label is not None)
