"""The frozen building blocks every instrument is made of: items, groups, skip rules, errors.

Nothing here knows about a particular questionnaire; the built-in definitions (``hads``,
``eq5d``, ``whodas``) and trial-specific ones (``custom``) are all expressed with these types,
and the web app derives its forms from them (never the other way round).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # wording.py needs Instrument at run time; only the annotation goes this way
    from instruments.wording import Wording

__all__ = [
    "AnswerError",
    "AskedIf",
    "Group",
    "Instrument",
    "InstrumentDefinitionError",
    "Item",
    "ItemKind",
    "Problem",
    "Scorer",
]

ItemKind = Literal["choice", "integer", "boolean", "date", "text"]

# A scorer receives the instrument, answers already cleaned by ``validate`` (unanswered items
# absent) and the caller's keyword options; it returns exactly the keys in ``Instrument.scores``.
Scorer = Callable[["Instrument", Mapping[str, object], Mapping[str, object]], dict[str, object]]


@dataclass(frozen=True)
class AskedIf:
    """Skip rule: the item is asked only when the answer to ``item`` equals ``equals``."""

    item: str
    equals: bool | int

    def holds(self, answers: Mapping[str, object]) -> bool | None:
        """True/False once the controlling item is answered; None while it is unanswered."""
        value = answers.get(self.item)
        if value is None:
            return None
        return type(value) is type(self.equals) and value == self.equals


@dataclass(frozen=True)
class Item:
    """One question. ``options`` holds a choice item's stored values in printed order."""

    code: str
    kind: ItemKind
    options: tuple[int, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    required: bool = True
    group: str | None = None
    asked_if: AskedIf | None = None
    max_length: int | None = None

    def is_asked(self, answers: Mapping[str, object]) -> bool | None:
        """Whether the skip rule lets this item be asked (None: cannot tell yet)."""
        return True if self.asked_if is None else self.asked_if.holds(answers)


@dataclass(frozen=True)
class Group:
    """A subscale or domain: its code (also the score key where one is computed) and items."""

    code: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire definition plus the pure function that scores it.

    ``scores`` lists the keys ``instruments.score`` returns and ``score_options`` the keyword
    options it accepts. ``label`` is the short name placeholders use ("HADS item 1").
    ``licensed`` marks wording that only a licensed pack may supply; ``own_wording`` holds a
    trial-specific instrument's own text, one Wording per language.
    """

    code: str
    version: str
    name: str
    items: tuple[Item, ...]
    scores: tuple[str, ...]
    scorer: Scorer = field(repr=False, compare=False)
    label: str = ""
    groups: tuple[Group, ...] = ()
    value_sets: tuple[str, ...] = ()
    default_value_set: str | None = None
    score_options: tuple[str, ...] = ()
    licensed: bool = False
    own_wording: tuple[Wording, ...] = ()

    def item(self, code: str) -> Item:
        """The item with this code; KeyError naming it otherwise."""
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"{self.code} has no item {code!r}")

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def short_label(self) -> str:
        """The name used in placeholder wording ("HADS item 1")."""
        return self.label or self.name


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a set of answers: the item code ('' for the whole set) and why."""

    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}" if self.item else self.message


def _listing(headline: str, problems: tuple[object, ...]) -> str:
    return headline + "".join(f"\n- {problem}" for problem in problems)


class AnswerError(ValueError):
    """Answers that cannot be accepted; ``problems`` names every item and what is wrong."""

    def __init__(self, instrument: str, problems: tuple[Problem, ...]) -> None:
        self.instrument = instrument
        self.problems = problems
        super().__init__(_listing(f"{len(problems)} problem(s) in the {instrument} answers:", problems))


class InstrumentDefinitionError(ValueError):
    """A trial-specific definition that cannot be used; each problem is ``Problem(field, message)``."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(_listing("the instrument definition is refused:", problems))
