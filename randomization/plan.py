"""Stratified permuted blocks of random size, one list per (secret, stratum, period).

Block ``k`` of a list has size ``m x sum(ratio)`` with ``m`` drawn uniformly from the plan's
block multipliers (ascending) by the "block-size" sub-stream, one draw per block in order.
Its unshuffled content is each arm in the plan's arm order repeated ``m x ratio[arm]`` times,
shuffled by Fisher-Yates on "shuffle" sub-stream ``k`` (see ``stream`` for the bytes). Lists of
other strata or periods use other messages, so they are independent of this one.

Canonical form, for the fingerprint and the escrow report: UTF-8 text, one JSON value per line,
each line ending in "\\n", written with sorted keys, separators (",", ":") and ASCII escapes::

    {"algorithm":ALGORITHM_VERSION,"arms":[plan order],"block_multipliers":[ascending],
     "period":name,"ratio":{arm:weight},"stratum":key}
    [position,block_index,block_size,position_in_block,arm]      one line per slot 0..n-1

The fingerprint is the lowercase hex SHA-256 of those bytes. The secret is not part of it.
"""
from __future__ import annotations

import hashlib
import json
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from .allocation import Allocation
from .errors import InvalidRatioError, RandomizationError, UnknownArmError, UnknownPeriodError
from .periods import (
    Period,
    check_arms,
    check_count,
    check_schedule,
    period_by_count,
    period_by_date,
    ratio_weights,
)
from .stream import ALGORITHM_VERSION, KeyedStream, check_secret, shuffle, uniform_below

__all__ = ["METHOD", "AllocationPlan", "Slot"]

METHOD = "stratified-blocks"

# Lists whose block layout is kept between calls; the app touches few at a time.
_CACHED_LISTS = 64


@dataclass(frozen=True)
class Slot:
    """One position of a list and what the audit records about it."""

    arm: str
    position: int
    block_index: int
    block_size: int
    position_in_block: int
    period: str
    ratio: str
    probability: Fraction

    def as_allocation(self) -> Allocation:
        """The method-independent record of this slot."""
        return Allocation(arm=self.arm, method=METHOD, period=self.period, ratio=self.ratio,
                          probability=self.probability, position=self.position)


@dataclass(frozen=True)
class _Design:
    """What a period fixes about its lists, worked out once per plan."""

    period: Period
    ratio_text: str
    block_sizes: tuple[int, ...]
    unshuffled: Mapping[int, tuple[str, ...]]
    probabilities: Mapping[str, Fraction]


class _Layout:
    """Block boundaries of one list, drawn lazily; ``starts`` only ever grows."""

    __slots__ = ("_sizes", "_words", "starts")

    def __init__(self, stream: KeyedStream, block_sizes: tuple[int, ...]) -> None:
        self._words = stream.words(0)
        self._sizes = block_sizes
        self.starts = [0]  # start of every drawn block, then the end of the last one

    def extend_through(self, position: int) -> None:
        while self.starts[-1] <= position:
            size = self._sizes[uniform_below(self._words, len(self._sizes))]
            self.starts.append(self.starts[-1] + size)

    def block_of(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1


def _check_multipliers(multipliers: Sequence[int]) -> tuple[int, ...]:
    if isinstance(multipliers, str) or not isinstance(multipliers, Sequence) or not multipliers:
        raise InvalidRatioError("block_multipliers must be a non-empty sequence of positive integers")
    for m in multipliers:
        if not isinstance(m, int) or isinstance(m, bool) or m < 1:
            raise InvalidRatioError(f"block_multipliers must be positive integers, got {m!r}")
    if len(set(multipliers)) != len(multipliers):
        raise InvalidRatioError(f"block_multipliers repeats a value: {list(multipliers)}")
    return tuple(sorted(multipliers))


def _design(period: Period, arms: tuple[str, ...], multipliers: tuple[int, ...]) -> _Design:
    weights = ratio_weights(period.ratio, arms, f"period {period.name!r}")
    total = sum(weights)
    unshuffled = {m * total: tuple(arm for arm, w in zip(arms, weights, strict=True)
                                   for _ in range(m * w)) for m in multipliers}
    return _Design(period=period, ratio_text=":".join(map(str, weights)),
                   block_sizes=tuple(unshuffled), unshuffled=unshuffled,
                   probabilities={arm: Fraction(w, total) for arm, w in zip(arms, weights, strict=True)})


class AllocationPlan:
    """Stratified permuted-block allocation with ratio periods; validated on construction."""

    def __init__(self, arms: Sequence[str], periods: Sequence[Period],
                 block_multipliers: Sequence[int]) -> None:
        self.arms = check_arms(arms)
        self.block_multipliers = _check_multipliers(block_multipliers)
        self.periods = check_schedule(periods)
        self._designs = {p.name: _design(p, self.arms, self.block_multipliers) for p in self.periods}
        self._lock = threading.Lock()
        self._layouts: OrderedDict[tuple[bytes, str, str], _Layout] = OrderedDict()

    def __repr__(self) -> str:
        return (f"AllocationPlan(arms={self.arms!r}, periods={self.periods!r}, "
                f"block_multipliers={self.block_multipliers!r})")

    # -- periods ---------------------------------------------------------------------------
    def period(self, name: str) -> Period:
        """The period called ``name``; ``UnknownPeriodError`` otherwise."""
        return self._design_of(name).period

    def period_on(self, on: date) -> Period:
        """The date-based period covering the local date ``on`` (bounds inclusive)."""
        return period_by_date(self.periods, on)

    def period_for(self, on: date, randomized_in_stratum: int) -> Period:
        """The period for the next participant of a stratum, for either kind of plan."""
        if self.periods[0].by_date:
            check_count(randomized_in_stratum, "randomized_in_stratum")
            return period_by_date(self.periods, on)
        return period_by_count(self.periods, randomized_in_stratum)

    def block_sizes(self, period: str) -> tuple[int, ...]:
        """The block sizes of ``period``, ascending (concealed from site staff)."""
        return self._design_of(period).block_sizes

    def ratio_text(self, period: str) -> str:
        """The ratio of ``period`` in arm order, e.g. ``"2:1"``."""
        return self._design_of(period).ratio_text

    def allocation_probability(self, period: str, arm: str) -> Fraction:
        """The probability of ``arm`` at any position of a list of ``period``."""
        probabilities = self._design_of(period).probabilities
        if arm not in probabilities:
            raise UnknownArmError(f"arm {arm!r} is not one of {list(self.arms)}")
        return probabilities[arm]

    # -- lists -----------------------------------------------------------------------------
    def allocation(self, secret: bytes, stratum: str, period: str, position: int) -> str:
        """The arm code at 0-based ``position`` of the list for (secret, stratum, period)."""
        return self.slot(secret, stratum, period, position).arm

    def slot(self, secret: bytes, stratum: str, period: str, position: int) -> Slot:
        """The slot at ``position``, with its block and the period's ratio and probability."""
        design = self._checked(secret, stratum, period)
        position = check_count(position, "position")
        layout = self._layout(secret, stratum, design, position)
        k = layout.block_of(position)
        stream = KeyedStream(secret, ALGORITHM_VERSION, stratum, period, "shuffle")
        block = self._shuffled(design, stream, k, layout.starts[k + 1] - layout.starts[k])
        return self._slot(design, k, layout.starts[k], block, position - layout.starts[k])

    def sequence(self, secret: bytes, stratum: str, period: str, n: int) -> tuple[str, ...]:
        """The first ``n`` arm codes of the list."""
        arms: list[str] = []
        for _, _, block in self._blocks(secret, stratum, period, n):
            arms.extend(block)
        return tuple(arms[:n])

    def slots(self, secret: bytes, stratum: str, period: str, n: int) -> Iterator[Slot]:
        """The first ``n`` slots of the list, in order."""
        design = self._checked(secret, stratum, period)
        for k, start, block in self._blocks(secret, stratum, period, n):
            for offset in range(min(len(block), n - start)):
                yield self._slot(design, k, start, block, offset)

    def canonical_form(self, secret: bytes, stratum: str, period: str, n: int) -> bytes:
        """The canonical serialization of the first ``n`` slots (module docstring)."""
        header = {"algorithm": ALGORITHM_VERSION, "arms": list(self.arms),
                  "block_multipliers": list(self.block_multipliers), "period": period,
                  "ratio": dict(self._design_of(period).period.ratio), "stratum": stratum}
        lines = [_canonical_json(header)]
        lines.extend(_canonical_json([s.position, s.block_index, s.block_size, s.position_in_block,
                                      s.arm]) for s in self.slots(secret, stratum, period, n))
        return "".join(line + "\n" for line in lines).encode("utf-8")

    def fingerprint(self, secret: bytes, stratum: str, period: str, n: int) -> str:
        """Hex SHA-256 of ``canonical_form``: what the audit and escrow report record."""
        return hashlib.sha256(self.canonical_form(secret, stratum, period, n)).hexdigest()

    # -- internals -------------------------------------------------------------------------
    def _design_of(self, period: str) -> _Design:
        try:
            return self._designs[period]
        except (KeyError, TypeError):
            raise UnknownPeriodError(f"period {period!r} is not one of {list(self._designs)}") from None

    def _checked(self, secret: bytes, stratum: str, period: str) -> _Design:
        check_secret(secret)
        if not isinstance(stratum, str) or not stratum:
            raise RandomizationError(f"stratum must be a non-empty string, got {stratum!r}")
        return self._design_of(period)

    def _layout(self, secret: bytes, stratum: str, design: _Design, through: int) -> _Layout:
        """The list's block layout drawn at least through ``through``; bounded LRU cache."""
        key = (bytes(secret), stratum, design.period.name)
        with self._lock:
            layout = self._layouts.get(key)
            if layout is None:
                stream = KeyedStream(secret, ALGORITHM_VERSION, stratum, key[2], "block-size")
                layout = self._layouts[key] = _Layout(stream, design.block_sizes)
                if len(self._layouts) > _CACHED_LISTS:
                    self._layouts.popitem(last=False)
            self._layouts.move_to_end(key)
            layout.extend_through(through)
            return layout

    def _blocks(self, secret: bytes, stratum: str, period: str,
                n: int) -> Iterator[tuple[int, int, list[str]]]:
        """(block index, start, arms) of the blocks holding positions 0..n-1."""
        design = self._checked(secret, stratum, period)
        if check_count(n, "n") == 0:
            return
        layout = self._layout(secret, stratum, design, n - 1)
        stream = KeyedStream(secret, ALGORITHM_VERSION, stratum, period, "shuffle")
        for k in range(layout.block_of(n - 1) + 1):
            size = layout.starts[k + 1] - layout.starts[k]
            yield k, layout.starts[k], self._shuffled(design, stream, k, size)

    @staticmethod
    def _shuffled(design: _Design, stream: KeyedStream, k: int, size: int) -> list[str]:
        block = list(design.unshuffled[size])
        shuffle(block, stream.words(k))
        return block

    @staticmethod
    def _slot(design: _Design, k: int, start: int, block: list[str], offset: int) -> Slot:
        arm = block[offset]
        return Slot(arm=arm, position=start + offset, block_index=k, block_size=len(block),
                    position_in_block=offset, period=design.period.name, ratio=design.ratio_text,
                    probability=design.probabilities[arm])


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
