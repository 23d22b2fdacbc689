"""Sum and mean scoring for trial-specific instruments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from instruments.model import Instrument, Item
from instruments.scoring import number, unknown_options

__all__ = ["SumMeanScorer", "item_scale"]


def item_scale(item: Item) -> tuple[int, int]:
    """The lowest and highest value a scored item contributes (yes-no: 0 and 1)."""
    if item.options:
        return min(item.options), max(item.options)
    if item.kind == "boolean":
        return 0, 1
    assert item.minimum is not None and item.maximum is not None  # define() requires a number's range
    return item.minimum, item.maximum


def _value(item: Item, answer: object, reverse: bool) -> int:
    """The answer's contribution: yes = 1, no = 0; a reversed item counts from the other end."""
    value = int(answer) if isinstance(answer, int) else 0
    if not reverse:
        return value
    low, high = item_scale(item)
    return low + high - value


@dataclass(frozen=True)
class SumMeanScorer:
    """Score = sum or mean of the scored items that were asked.

    Up to ``max_missing`` of them may be unanswered: the sum is then prorated to the number asked
    (sum x asked / answered) and the mean is the mean of the answered ones. More missing -> None.
    An item its skip rule did not ask is left out rather than counted as missing.
    """

    method: str
    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    max_missing: int

    def __call__(
        self, instrument: Instrument, answers: Mapping[str, object], options: Mapping[str, object]
    ) -> dict[str, object]:
        unknown_options(instrument, options)
        if self.method == "none":
            return {}
        asked = [instrument.item(code) for code in self.items]
        asked = [item for item in asked if item.is_asked(answers) is not False]
        values = [
            _value(item, answers[item.code], item.code in self.reversed_items)
            for item in asked
            if item.code in answers
        ]
        if not values or len(asked) - len(values) > self.max_missing:
            return {self.method: None}
        if self.method == "mean":
            return {self.method: number(Fraction(sum(values), len(values)))}
        return {self.method: number(Fraction(sum(values) * len(asked), len(values)))}
