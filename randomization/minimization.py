"""Pocock-Simon minimization over declared factors (site included), for small trials.

Unequal ratios. A ratio r_1:...:r_K is expanded to R = sum(r) equally allocated *places*, arm k
owning r_k consecutive places (Kuznetsova & Tymofyeyev, Stat Med 2012;31:701-710). Minimization
runs over the places with equal allocation and treats them symmetrically, so every place has
probability 1/R at every step and arm k exactly r_k/R, unconditionally (reference B3). Rules
that favour the preferred arm on ratio-weighted counts do not keep this property.

One step, for the participant with sequence number s:

1. Score of place f: sum over factors of weight x range (max - min) of the place counts at the
   participant's level of that factor, counted as if the participant took place f.
2. With m places tied at the lowest score and p = ``random_element``, each tied place gets
   p/m + (1-p)(m-1)/(m(R-1)) and every other place (1-p)/(R-1): one tied place, chosen at
   random, is preferred with probability p. At 1:1, p is the chance of the preferred arm.
3. The draw u = (first 8 bytes of HMAC output ``("minimization", s, 0)`` of the keyed stream
   with version ``MINIMIZATION_VERSION`` and empty stratum and period, big-endian) >> 11, / 2^53,
   selects the first place whose cumulative probability exceeds u, in place order.

Earlier participants are logged by arm only; their places are rebuilt by replaying these steps
with the sequence numbers just before s. Where a logged arm differs from the replay (a manual
allocation, say), that participant counts in the arm's lowest-scoring place.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from types import MappingProxyType
from typing import TypeVar

from .allocation import Allocation
from .errors import InvalidPositionError, MinimizationError, UnknownArmError
from .periods import check_arms, check_count, check_ratio, ratio_weights
from .stream import MINIMIZATION_VERSION, KeyedStream, check_secret

__all__ = ["METHOD", "Minimization", "MinimizationResult"]

METHOD = "minimization"

Score = int | Fraction
T = TypeVar("T")
Logged = tuple[Mapping[str, str], str]


@dataclass(frozen=True)
class MinimizationResult:
    """One minimization step, with everything needed to audit and replay it."""

    arm: str
    sequence_number: int
    draw: float
    scores: Mapping[str, Fraction]  # per arm: its lowest place score
    probabilities: Mapping[str, Fraction]
    place: int  # index of the chosen place in the expanded equal-allocation design
    ratio: str  # the target ratio in arm order, e.g. "2:1"
    probability: Fraction  # the arm's unconditional probability, its ratio share

    def as_allocation(self) -> Allocation:
        """The method-independent record of this step (minimization has no periods)."""
        return Allocation(arm=self.arm, method=METHOD, period=None, ratio=self.ratio,
                          probability=self.probability, position=self.sequence_number)


def _exact(value: object, what: str) -> Fraction:
    # Through str() so 0.8 means 4/5, not the binary float nearest to it.
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise MinimizationError(f"{what} must be a number, got {value!r}")
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _check_factors(factors: Sequence[str]) -> tuple[str, ...]:
    if isinstance(factors, str) or not isinstance(factors, Sequence) or not factors:
        raise MinimizationError("factors must be a non-empty sequence of factor names")
    if any(not isinstance(f, str) or not f for f in factors) or len(set(factors)) != len(factors):
        raise MinimizationError(f"factors must be distinct non-empty names, got {list(factors)}")
    return tuple(factors)


class _Tally:
    """Participants per place at each level of each factor."""

    def __init__(self, places: int) -> None:
        self._places = places
        self._counts: dict[tuple[int, str], list[int]] = {}

    def rows(self, levels: Sequence[str]) -> list[list[int]]:
        return [self._counts.get((j, level), [0] * self._places) for j, level in enumerate(levels)]

    def add(self, levels: Sequence[str], place: int) -> None:
        for j, level in enumerate(levels):
            self._counts.setdefault((j, level), [0] * self._places)[place] += 1


class Minimization:
    """Pocock-Simon minimization; ``random_element`` is the preferred place's probability."""

    def __init__(self, arms: Sequence[str], ratio: Mapping[str, int], factors: Sequence[str],
                 random_element: float = 0.8, weights: Mapping[str, float] | None = None) -> None:
        self.arms = check_arms(arms)
        self.ratio = MappingProxyType(check_ratio(ratio, "minimization"))
        shares = ratio_weights(ratio, self.arms, "minimization")
        self._places = tuple(k for k, share in enumerate(shares) for _ in range(share))
        self.ratio_text = ":".join(map(str, shares))
        self.factors = _check_factors(factors)
        self.random_element = _exact(random_element, "random_element")
        if not Fraction(1, len(self._places)) <= self.random_element <= 1:
            raise MinimizationError(f"random_element must lie between 1/{len(self._places)} (no "
                                    f"minimization) and 1, got {random_element!r}")
        self.weights = self._check_weights(weights or {})
        # For m places tied at the best score: (weight of each tied place, weight of every other
        # place), as integers over one common denominator so each step is integer arithmetic.
        other = (1 - self.random_element) / (len(self._places) - 1)
        split = {m: (self.random_element / m + other * (m - 1) / m, other)
                 for m in range(1, len(self._places) + 1)}
        self._denominator = math.lcm(*(p.denominator for pair in split.values() for p in pair))
        self._split = {m: (int(a * self._denominator), int(b * self._denominator))
                       for m, (a, b) in split.items()}

    def _check_weights(self, weights: Mapping[str, float]) -> tuple[Score, ...]:
        unknown = [f for f in weights if f not in self.factors]
        if unknown:
            raise MinimizationError(f"weights name unknown factor(s) {unknown}")
        exact = [_exact(weights.get(f, 1), f"weight of {f!r}") for f in self.factors]
        if any(w <= 0 for w in exact):
            raise MinimizationError(f"factor weights must be positive, got {dict(weights)}")
        # Whole weights stay ints: the scores are then cheaper and read better in the audit.
        return tuple(int(w) if w.denominator == 1 else w for w in exact)

    def allocation_probability(self, arm: str) -> Fraction:
        """The unconditional probability of ``arm`` at every step: its ratio share."""
        if arm not in self.arms:
            raise UnknownArmError(f"arm {arm!r} is not one of {list(self.arms)}")
        return Fraction(self.ratio[arm], len(self._places))

    def allocate(self, secret: bytes, sequence_number: int, covariates: Mapping[str, str],
                 prior: Sequence[Logged]) -> MinimizationResult:
        """Allocate participant ``sequence_number``; ``prior`` = (covariates, arm) of everyone
        before, in order, with sequence numbers ``sequence_number - len(prior)`` onwards."""
        first = check_count(sequence_number, "sequence_number") - len(prior)
        if first < 0:
            raise InvalidPositionError(f"sequence_number {sequence_number} is smaller than the "
                                       f"{len(prior)} prior allocations")
        stream, tally, _ = self._replayed(secret, first, prior)
        return self._step(stream, tally, sequence_number, self._levels(covariates))[0]

    def replay(self, secret: bytes, first_sequence_number: int,
               allocations: Sequence[Logged]) -> tuple[MinimizationResult, ...]:
        """What the method gives at each logged step, given the log before it. An audit
        compares each result's arm with the logged arm."""
        check_count(first_sequence_number, "first_sequence_number")
        return self._replayed(secret, first_sequence_number, allocations)[2]

    def run(self, secret: bytes, first_sequence_number: int,
            participants: Sequence[Mapping[str, str]]) -> tuple[MinimizationResult, ...]:
        """Allocate ``participants`` one after another (simulation and diagnostics)."""
        first = check_count(first_sequence_number, "first_sequence_number")
        stream, tally = self._start(secret), _Tally(len(self._places))
        results = []
        for i, covariates in enumerate(participants):
            levels = self._levels(covariates)
            result = self._step(stream, tally, first + i, levels)[0]
            tally.add(levels, result.place)
            results.append(result)
        return tuple(results)

    # -- internals -------------------------------------------------------------------------
    def _start(self, secret: bytes) -> KeyedStream:
        check_secret(secret)
        return KeyedStream(secret, MINIMIZATION_VERSION, "", "", "minimization")

    def _replayed(self, secret: bytes, first: int, allocations: Sequence[Logged]
                  ) -> tuple[KeyedStream, _Tally, tuple[MinimizationResult, ...]]:
        stream, tally = self._start(secret), _Tally(len(self._places))
        results = []
        for i, (covariates, arm) in enumerate(allocations):
            if arm not in self.arms:
                raise UnknownArmError(f"prior allocation {i} names unknown arm {arm!r}")
            levels = self._levels(covariates)
            result, scores = self._step(stream, tally, first + i, levels)
            if result.arm == arm:
                tally.add(levels, result.place)
            else:
                own = self._of_arm(self.arms.index(arm), list(range(len(self._places))))
                tally.add(levels, min(own, key=scores.__getitem__))
            results.append(result)
        return stream, tally, tuple(results)

    def _levels(self, covariates: Mapping[str, str]) -> tuple[str, ...]:
        if not isinstance(covariates, Mapping):
            raise MinimizationError(f"covariates must be a mapping of factor to level, got {covariates!r}")
        levels = []
        for factor in self.factors:
            level = covariates.get(factor)
            if not isinstance(level, str) or not level:
                raise MinimizationError(f"covariate {factor!r} is missing or empty")
            levels.append(level)
        return tuple(levels)

    def _step(self, stream: KeyedStream, tally: _Tally, sequence_number: int,
              levels: Sequence[str]) -> tuple[MinimizationResult, list[Score]]:
        scores = self._place_scores(tally.rows(levels))
        weights = self._place_weights(scores)
        draw = int.from_bytes(stream.digest(sequence_number)[:8], "big") >> 11   # u = draw / 2^53
        # u < cumulative / denominator, in integers.
        place = next(f for f, c in enumerate(accumulate(weights))
                     if draw * self._denominator < c << 53)
        chosen = self.arms[self._places[place]]
        result = MinimizationResult(
            arm=chosen, sequence_number=sequence_number, draw=draw / 2**53,
            scores={arm: Fraction(min(self._of_arm(k, scores))) for k, arm in enumerate(self.arms)},
            probabilities={arm: Fraction(sum(self._of_arm(k, weights)), self._denominator)
                           for k, arm in enumerate(self.arms)},
            place=place, ratio=self.ratio_text, probability=self.allocation_probability(chosen))
        return result, scores

    def _of_arm(self, arm: int, values: Sequence[T]) -> list[T]:
        """The entries of a per-place list that belong to ``arm``'s places."""
        return [v for v, owner in zip(values, self._places, strict=True) if owner == arm]

    def _place_scores(self, rows: list[list[int]]) -> list[Score]:
        scores: list[Score] = []
        for f in range(len(self._places)):
            score: Score = 0
            for weight, row in zip(self.weights, rows, strict=True):
                counts = list(row)
                counts[f] += 1
                score += weight * (max(counts) - min(counts))
            scores.append(score)
        return scores

    def _place_weights(self, scores: list[Score]) -> list[int]:
        """Each place's probability times ``_denominator`` (module docstring, step 2)."""
        best = min(scores)
        preferred, other = self._split[sum(1 for s in scores if s == best)]
        return [preferred if s == best else other for s in scores]
