"""A permuted-block list as a hidden Markov chain, for exact diagnostics.

The hidden state before an allocation is the current block's size and how many of each arm it
has used: ``(size, used)``. A new block takes each size with equal probability; within a block
the next arm is k with probability ``(quota_k - used_k) / (size - sum(used))``. The observed
sequence is the arms. Because every block starts balanced, the imbalance
``W_k = R*N_k - t*r_k`` of the whole list is a function of the state alone, and every state a
guesser can hold possible after a given history has the same imbalance.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from fractions import Fraction

__all__ = ["Belief", "BlockChain", "State"]

State = tuple[int, tuple[int, ...]]
Belief = tuple[tuple[State, int], ...]
Move = tuple[int, Fraction, tuple[tuple[State, Fraction], ...]]


class BlockChain:
    """The list design of one period: arm weights in arm order and the block sizes."""

    def __init__(self, weights: tuple[int, ...], sizes: tuple[int, ...]) -> None:
        self.weights = weights
        self.sizes = sizes
        self.total = sum(weights)
        empty = tuple(0 for _ in weights)
        self.start: dict[State, Fraction] = {(size, empty): Fraction(1, len(sizes)) for size in sizes}
        self._moves: dict[State, tuple[Move, ...]] = {}
        self._predictions: dict[Belief, dict[int, Fraction]] = {}
        self._updates: dict[tuple[Belief, int], Belief] = {}
        self._scaled_moves: dict[State, tuple[tuple[int, int, tuple[tuple[State, int], ...]], ...]] = {}
        # Every move probability is a whole multiple of 1/_scale.
        self._scale = math.lcm(*range(1, max(sizes) + 1))

    # -- the chain ----------------------------------------------------------------------------
    def imbalance(self, state: State) -> tuple[int, ...]:
        """``R*N_k - t*r_k`` for every arm k."""
        used = state[1]
        placed = sum(used)
        return tuple(self.total * u - placed * w for u, w in zip(used, self.weights, strict=True))

    def moves(self, state: State) -> tuple[Move, ...]:
        """(arm, probability, successor states with probabilities) for each possible arm."""
        if state not in self._moves:
            self._moves[state] = tuple(self._compute_moves(state))
        return self._moves[state]

    def _compute_moves(self, state: State) -> Iterator[Move]:
        size, used = state
        left = size - sum(used)
        for k, weight in enumerate(self.weights):
            quota = size // self.total * weight
            if used[k] < quota:
                after = used[:k] + (used[k] + 1,) + used[k + 1:]
                successors = tuple(self.start.items()) if left == 1 else (((size, after), Fraction(1)),)
                yield k, Fraction(quota - used[k], left), successors

    def states(self) -> set[State]:
        """Every state a list can be in."""
        seen = set(self.start)
        frontier = set(self.start)
        while frontier:
            frontier = {s for state in frontier for _, _, successors in self.moves(state)
                        for s, _ in successors} - seen
            seen |= frontier
        return seen

    def step(self, distribution: Mapping[State, Fraction]) -> dict[State, Fraction]:
        """The hidden-state distribution one allocation later."""
        after: dict[State, Fraction] = defaultdict(Fraction)
        for state, mass in distribution.items():
            for _, p, successors in self.moves(state):
                for successor, q in successors:
                    after[successor] += mass * p * q
        return dict(after)

    def walk(self, n: int) -> Iterator[dict[State, Fraction]]:
        """The hidden-state distribution before allocations 0, 1, ..., n (n + 1 of them)."""
        distribution = dict(self.start)
        yield distribution
        for _ in range(n):
            distribution = self.step(distribution)
            yield distribution

    def long_run(self) -> dict[State, Fraction]:
        """Share of all positions at which the list is in each state (renewal argument)."""
        mean_size = Fraction(sum(self.sizes), len(self.sizes))
        shares: dict[State, Fraction] = defaultdict(Fraction)
        for state, chance in self.start.items():
            within = {state: chance}
            for _ in range(state[0]):
                for s, mass in within.items():
                    shares[s] += mass / mean_size
                # Only the block's own states follow; its last move restarts at self.start.
                within = {s: m for s, m in self.step(within).items() if sum(s[1]) > 0}
        return dict(shares)

    # -- guessers ------------------------------------------------------------------------------
    def convergence_guesses(self, state: State) -> list[int]:
        """The convergence guess: the arms with the largest deficit ``r_k*(t+1) - R*N_k``."""
        deficits = [w - i for w, i in zip(self.weights, self.imbalance(state), strict=True)]
        return [k for k, d in enumerate(deficits) if d == max(deficits)]

    def hit(self, state: State, guesses: list[int]) -> Fraction:
        """Chance that a guess drawn evenly from ``guesses`` names the next arm."""
        return sum((p for k, p, _ in self.moves(state) if k in guesses), Fraction(0)) / len(guesses)

    def guess_by_imbalance(self) -> dict[tuple[int, ...], int] | None:
        """For each imbalance, an arm that is a best guess in every state with it -- so the best
        guess never needs more than the imbalance -- or None when no such arm exists."""
        common: dict[tuple[int, ...], set[int]] = {}
        for state in self.states():
            prediction = {k: p for k, p, _ in self.moves(state)}
            best = {k for k, p in prediction.items() if p == max(prediction.values())}
            imbalance = self.imbalance(state)
            common[imbalance] = common.get(imbalance, best) & best
        if not all(common.values()):
            return None
        return {imbalance: min(arms) for imbalance, arms in common.items()}

    # A belief holds integer weights over hidden states, divided by their gcd and sorted, so
    # that equal beliefs compare equal and no Fraction arithmetic is done per history.
    def initial_belief(self) -> Belief:
        """What a guesser knows before the first allocation: only the design."""
        return tuple(sorted((state, 1) for state in self.start))

    def _scaled(self, state: State) -> tuple[tuple[int, int, tuple[tuple[State, int], ...]], ...]:
        """``moves`` with probabilities times ``_scale`` and successor weights as integers
        (a within-block step counts ``len(sizes)`` against ``1`` for each new block size)."""
        if state not in self._scaled_moves:
            self._scaled_moves[state] = tuple(
                (k, int(p * self._scale),
                 tuple((s, 1 if q != 1 else len(self.sizes)) for s, q in successors))
                for k, p, successors in self.moves(state))
        return self._scaled_moves[state]

    def predict(self, belief: Belief) -> dict[int, Fraction]:
        """Probability of each arm next, given the belief about the hidden state."""
        if belief not in self._predictions:
            weights: dict[int, int] = defaultdict(int)
            for state, weight in belief:
                for k, p, _ in self._scaled(state):
                    weights[k] += weight * p
            total = sum(weights.values())
            self._predictions[belief] = {k: Fraction(w, total) for k, w in weights.items()}
        return self._predictions[belief]

    def update(self, belief: Belief, arm: int) -> Belief:
        """The belief after seeing ``arm`` (Bayes' rule over the hidden states)."""
        key = (belief, arm)
        if key not in self._updates:
            after: dict[State, int] = defaultdict(int)
            for state, weight in belief:
                for k, p, successors in self._scaled(state):
                    if k == arm:
                        for successor, multiple in successors:
                            after[successor] += weight * p * multiple
            divisor = math.gcd(*after.values())
            self._updates[key] = tuple(sorted((s, w // divisor) for s, w in after.items()))
        return self._updates[key]

    def _advance(self, measure: Mapping[State, Fraction], arm: int) -> dict[State, Fraction]:
        """The joint measure of (seeing ``arm``, next state), unnormalized."""
        after: dict[State, Fraction] = defaultdict(Fraction)
        for state, mass in measure.items():
            for k, p, successors in self.moves(state):
                if k == arm:
                    for successor, q in successors:
                        after[successor] += mass * p * q
        return dict(after)

    def deterministic_share(self, n: int) -> Fraction:
        """Expected number of allocations among the first n that the history fixes.

        Histories are grouped by the set of states they leave possible; whether the next arm is
        certain depends on that set alone, and the joint measure within a group moves linearly,
        so the groups stay few where beliefs themselves would multiply.
        """
        groups: dict[frozenset[State], dict[State, Fraction]] = {frozenset(self.start): self.start}
        certain = Fraction(0)
        for _ in range(n):
            following: dict[frozenset[State], dict[State, Fraction]] = defaultdict(dict)
            for support, measure in groups.items():
                arms = {k for state in support for k, _, _ in self.moves(state)}
                if len(arms) == 1:
                    certain += sum(measure.values())
                for arm in arms:
                    after = self._advance(measure, arm)
                    merged = following[frozenset(after)]
                    for state, mass in after.items():
                        merged[state] = merged.get(state, Fraction(0)) + mass
            groups = following
        return certain
