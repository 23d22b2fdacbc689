"""What a respondent reads: title, instructions, item texts and option labels, per language.

The repository ships no licensed wording (reference/instruments.md sections 1.5, 2.4, 3.5).
``wording()`` picks, in order: the trial's licensed wording pack for the language, the text a
trial-specific definition carries itself, or a neutral placeholder ("HADS item 1").
"""

from __future__ import annotations

from dataclasses import dataclass

from instruments.model import Instrument, Item
from instruments.registry import resolve

__all__ = ["LANGUAGES", "ItemWording", "Wording", "WordingCatalog", "placeholder", "wording"]

LANGUAGES: tuple[str, ...] = ("nb", "en")


@dataclass(frozen=True)
class _Placeholder:
    item: str
    option: str
    instructions: str
    yes: str
    no: str


_PLACEHOLDER = {
    "nb": _Placeholder(
        item="{label} spørsmål {code}",
        option="Alternativ {position}",
        instructions="Plassholdertekst: den lisensierte teksten til dette skjemaet er ikke installert.",
        yes="Ja",
        no="Nei",
    ),
    "en": _Placeholder(
        item="{label} item {code}",
        option="Option {position}",
        instructions="Placeholder text: the licensed wording of this questionnaire is not installed.",
        yes="Yes",
        no="No",
    ),
}


@dataclass(frozen=True)
class ItemWording:
    """One item's text; ``options`` pairs each stored value with its label, in display order."""

    code: str
    text: str
    options: tuple[tuple[int | bool, str], ...] = ()
    minimum_label: str | None = None
    maximum_label: str | None = None


@dataclass(frozen=True)
class Wording:
    """The wording of one instrument version in one language; ``source`` says where it came from
    ("pack", "definition" or "placeholder"); ``notice`` is a copyright line a licence may require."""

    instrument: str
    version: str
    language: str
    title: str
    instructions: str
    items: tuple[ItemWording, ...]
    source: str
    notice: str | None = None

    def item(self, code: str) -> ItemWording:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"{self.instrument} has no item {code!r}")

    def item_text(self, code: str) -> str:
        return self.item(code).text

    def option_label(self, item_code: str, value: int | bool) -> str:
        """The label of a stored value; yes/no in this language for a boolean without labels."""
        for option, label in self.item(item_code).options:
            if option == value and type(option) is type(value):
                return label
        if isinstance(value, bool):
            words = _PLACEHOLDER[self.language]
            return words.yes if value else words.no
        raise KeyError(f"{self.instrument} item {item_code!r} has no option {value!r}")

    def anchor_labels(self, item_code: str) -> tuple[str | None, str | None]:
        """Labels of the two ends of a numeric scale (the EQ VAS), where the wording has them."""
        item = self.item(item_code)
        return item.minimum_label, item.maximum_label


@dataclass(frozen=True)
class WordingCatalog:
    """The wording packs a deployment installed, as returned by ``load_wording_packs``."""

    packs: tuple[Wording, ...] = ()

    def get(self, code: str, language: str) -> Wording | None:
        return next((w for w in self.packs if w.instrument == code and w.language == language), None)

    def __len__(self) -> int:
        return len(self.packs)


def _placeholder_item(instrument: Instrument, item: Item, language: str) -> ItemWording:
    words = _PLACEHOLDER[language]
    text = words.item.format(label=instrument.short_label, code=item.code)
    options = tuple(
        (value, words.option.format(position=position))
        for position, value in enumerate(item.options, start=1)
    )
    return ItemWording(code=item.code, text=text, options=options)


def placeholder(instrument: Instrument, language: str) -> Wording:
    """Neutral wording that reveals nothing licensed: "HADS item 1", "Option 1".."Option 4"."""
    check_language(language)
    return Wording(
        instrument=instrument.code,
        version=instrument.version,
        language=language,
        title=instrument.short_label,
        instructions=_PLACEHOLDER[language].instructions if instrument.licensed else "",
        items=tuple(_placeholder_item(instrument, item, language) for item in instrument.items),
        source="placeholder",
    )


def check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")


def wording(instrument: Instrument | str, language: str, packs: WordingCatalog | None = None) -> Wording:
    """The wording to show: an installed pack, else the definition's own text, else placeholders.

    ``instrument`` is an Instrument or a built-in code. A pack written for another version of the
    definition is refused with ValueError rather than shown against the wrong items.
    """
    resolved = resolve(instrument)
    check_language(language)
    pack = packs.get(resolved.code, language) if packs is not None else None
    if pack is not None:
        if pack.version != resolved.version:
            raise ValueError(
                f"the {language} wording pack for {resolved.code} is for version {pack.version}, "
                f"the definition is version {resolved.version}"
            )
        return pack
    own = next((text for text in resolved.own_wording if text.language == language), None)
    return own if own is not None else placeholder(resolved, language)
