"""The wording a trial-specific definition carries itself (the trial's own text, not licensed).

Text is given per language: ``title = { nb = "...", en = "..." }`` and on each item
``text = { ... }`` and, for choices, ``labels = { nb = [...], en = [...] }`` in printed order.
A language used anywhere must be complete (title, every item text, every label list that has
no default) so a respondent never sees half a translation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from instruments.custom_items import ItemSpec
from instruments.model import Problem
from instruments.wording import LANGUAGES, ItemWording, Wording

__all__ = ["read_wordings"]

# Types whose option labels must be given; a ladder shows its numbers and yes-no the language's
# yes/no when no labels are given.
_LABELS_REQUIRED = frozenset({"likert", "choice"})


def _by_language(value: object, where: str, problems: list[Problem]) -> Mapping[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem(where, f"must be a table by language ({', '.join(LANGUAGES)})"))
        return {}
    for language in value:
        if language not in LANGUAGES:
            problems.append(Problem(f"{where}.{language}", f"unknown language; use {', '.join(LANGUAGES)}"))
    return value


@dataclass(frozen=True)
class _Tables:
    """Every by-language table of a definition, checked once."""

    title: Mapping[str, object]
    instructions: Mapping[str, object]
    texts: tuple[Mapping[str, object], ...]
    labels: tuple[Mapping[str, object], ...]

    def languages(self) -> list[str]:
        tables = (self.title, self.instructions, *self.texts, *self.labels)
        return [language for language in LANGUAGES if any(language in table for table in tables)]


def _text(
    table: Mapping[str, object], language: str, where: str, problems: list[Problem], *, required: bool
) -> str:
    value = table.get(language)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(f"{where}.{language}", "is missing or empty"))
        return ""
    return value


def _labels(
    spec: ItemSpec, table: Mapping[str, object], language: str, problems: list[Problem]
) -> tuple[tuple[int | bool, str], ...]:
    where = f"{spec.where}.labels.{language}"
    labels = table.get(language)
    values: tuple[int | bool, ...] = (True, False) if spec.type == "yes-no" else spec.item.options
    if labels is None:
        if spec.type in _LABELS_REQUIRED:
            problems.append(Problem(where, f"give {len(values)} labels in printed order"))
        elif spec.type == "ladder":
            return tuple((value, str(value)) for value in values)
        return ()
    if (
        not isinstance(labels, list)
        or len(labels) != len(values)
        or not all(isinstance(label, str) and label.strip() for label in labels)
    ):
        order = "yes, then no" if spec.type == "yes-no" else "in printed order"
        problems.append(Problem(where, f"must be {len(values)} non-empty labels, {order}"))
        return ()
    return tuple(zip(values, labels, strict=True))


def _wording(
    tables: _Tables, specs: Sequence[ItemSpec], ids: tuple[str, str, str], problems: list[Problem]
) -> Wording:
    code, version, language = ids
    items = tuple(
        ItemWording(
            code=spec.item.code,
            text=_text(text, language, f"{spec.where}.text", problems, required=True),
            options=_labels(spec, labels, language, problems),
        )
        for spec, text, labels in zip(specs, tables.texts, tables.labels, strict=True)
    )
    return Wording(
        instrument=code,
        version=version,
        language=language,
        title=_text(tables.title, language, "title", problems, required=True),
        instructions=_text(tables.instructions, language, "instructions", problems, required=False),
        items=items,
        source="definition",
    )


def read_wordings(
    mapping: Mapping[str, object], specs: Sequence[ItemSpec], code: str, version: str, problems: list[Problem]
) -> tuple[Wording, ...]:
    """One Wording per language the definition uses, reporting every gap by field."""
    tables = _Tables(
        title=_by_language(mapping.get("title"), "title", problems),
        instructions=_by_language(mapping.get("instructions"), "instructions", problems),
        texts=tuple(_by_language(spec.entry.get("text"), f"{spec.where}.text", problems) for spec in specs),
        labels=tuple(
            _by_language(spec.entry.get("labels"), f"{spec.where}.labels", problems) for spec in specs
        ),
    )
    return tuple(
        _wording(tables, specs, (code, version, language), problems) for language in tables.languages()
    )
