"""Predictability and imbalance of a period's lists, for the unblinded statistician.

``guessing`` and ``imbalance`` are exact (fractions from the hidden Markov chain in
``blockchain``); ``simulate`` draws real lists from the plan with a keyed stream, so it checks
the implementation as well as the design. Definitions follow reference section 2:

- convergence strategy: guess the arm with the largest deficit ``r_k*(t+1)/R - N_k``, ties
  shared; at 1:1 this is randomizeR's "CS";
- optimal guesser: knows the block sizes and the past allocations of the stratum and guesses
  the arm with the highest posterior probability;
- deterministic allocations: those whose posterior probability is 1, which a recruiter who
  knows the design predicts with certainty;
- imbalance of arm k after t allocations: ``W = R*N_k - t*r_k`` (= ``r_B*N_A - r_A*N_B`` for
  two arms).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .blockchain import Belief, BlockChain, State
from .errors import InvalidPositionError, UnknownArmError
from .periods import check_count
from .plan import AllocationPlan

__all__ = ["MAX_BELIEFS", "Guessing", "Imbalance", "Simulation", "guessing", "imbalance", "simulate"]

# Beyond this many distinct beliefs the exact optimal guesser is left to simulation.
MAX_BELIEFS = 10_000


@dataclass(frozen=True)
class Guessing:
    """Expected share of correct guesses over the first ``n`` allocations of a stratum's list
    (``n`` None: in the long run)."""

    period: str
    n: int | None
    chance: Fraction  # always guessing the arm with the largest ratio share
    convergence: Fraction
    optimal: Fraction | None  # None in the long run
    deterministic: Fraction | None  # None in the long run


@dataclass(frozen=True)
class Imbalance:
    """Distribution of ``W = R*N_arm - t*r_arm`` after ``n`` allocations (``n`` None: at a
    random point of a long list), and the largest ``|W|`` any position can reach."""

    period: str
    arm: str
    n: int | None
    distribution: Mapping[int, Fraction]
    bound: int
    mean_abs: Fraction
    mean_square: Fraction


@dataclass(frozen=True)
class Simulation:
    """Observed rates over ``lists`` simulated lists of ``n`` allocations, with standard errors
    (between lists) and the largest ``|W|`` seen at any position of any list."""

    period: str
    n: int
    lists: int
    convergence: float
    convergence_se: float
    optimal: float
    optimal_se: float
    deterministic: float
    deterministic_se: float
    max_imbalance: int


def _chain(plan: AllocationPlan, period: str) -> BlockChain:
    ratio = plan.period(period).ratio
    return BlockChain(tuple(ratio[arm] for arm in plan.arms), plan.block_sizes(period))


def _chance(chain: BlockChain) -> Fraction:
    return Fraction(max(chain.weights), chain.total)


def guessing(plan: AllocationPlan, period: str, n: int | None = None) -> Guessing:
    """Exact expected correct-guess rates for ``period``'s lists: over the first ``n``
    allocations, or in the long run when ``n`` is None.

    ``optimal`` is None where it cannot be had exactly at reasonable cost: in the long run
    unless the imbalance alone fixes the best guess, and for finite ``n`` when the guesser's
    distinct beliefs exceed ``MAX_BELIEFS``; ``simulate`` estimates it then.
    """
    chain = _chain(plan, period)
    by_imbalance = chain.guess_by_imbalance()
    if n is None:
        shares = chain.long_run()
        convergence = _expected_hits(chain, shares, chain.convergence_guesses)
        optimal = None if by_imbalance is None else _expected_hits(
            chain, shares, lambda s: [by_imbalance[chain.imbalance(s)]])
        return Guessing(period, None, _chance(chain), convergence, optimal, None)
    if check_count(n, "n") < 1:
        raise InvalidPositionError("guessing needs n >= 1 allocations")
    walk = list(chain.walk(n - 1))
    convergence = sum((_expected_hits(chain, d, chain.convergence_guesses) for d in walk), Fraction(0))
    if by_imbalance is None:
        optimal = _bayes(chain, n)
    else:
        optimal = sum((_expected_hits(chain, d, lambda s: [by_imbalance[chain.imbalance(s)]])
                       for d in walk), Fraction(0))
    return Guessing(period, n, _chance(chain), convergence / n,
                    None if optimal is None else optimal / n, chain.deterministic_share(n) / n)


def _expected_hits(chain: BlockChain, distribution: Mapping[State, Fraction],
                   guesses: Callable[[State], list[int]]) -> Fraction:
    return sum((mass * chain.hit(state, guesses(state)) for state, mass in distribution.items()),
               Fraction(0))


def _bayes(chain: BlockChain, n: int) -> Fraction | None:
    """Expected correct guesses of the optimal guesser over ``n`` allocations, or None when
    its distinct beliefs outgrow ``MAX_BELIEFS`` (they can multiply with every allocation)."""
    beliefs: dict[Belief, Fraction] = {chain.initial_belief(): Fraction(1)}
    optimal = Fraction(0)
    for _ in range(n):
        following: dict[Belief, Fraction] = defaultdict(Fraction)
        for belief, mass in beliefs.items():
            prediction = chain.predict(belief)
            optimal += mass * max(prediction.values())
            for arm, p in prediction.items():
                following[chain.update(belief, arm)] += mass * p
        if len(following) > MAX_BELIEFS:
            return None
        beliefs = following
    return optimal


def imbalance(plan: AllocationPlan, period: str, n: int | None = None,
              arm: str | None = None) -> Imbalance:
    """Exact distribution of the imbalance of ``arm`` (default: the first arm)."""
    chain = _chain(plan, period)
    arm = plan.arms[0] if arm is None else arm
    if arm not in plan.arms:
        raise UnknownArmError(f"arm {arm!r} is not one of {list(plan.arms)}")
    k = plan.arms.index(arm)
    # Long run: just after the allocation at a random position, one step on from the
    # long-run state; otherwise after the first n allocations.
    states = (chain.step(chain.long_run()) if n is None
              else list(chain.walk(check_count(n, "n")))[-1])
    distribution: dict[int, Fraction] = defaultdict(Fraction)
    for state, mass in states.items():
        distribution[chain.imbalance(state)[k]] += mass
    return Imbalance(
        period=period, arm=arm, n=n, distribution=dict(sorted(distribution.items())),
        bound=max(abs(chain.imbalance(s)[k]) for s in chain.states()),
        mean_abs=sum((abs(w) * p for w, p in distribution.items()), Fraction(0)),
        mean_square=sum((w * w * p for w, p in distribution.items()), Fraction(0)))


def simulate(plan: AllocationPlan, period: str, n: int, lists: int, secret: bytes) -> Simulation:
    """Guess along ``lists`` real lists of ``n`` allocations (strata "simulation-0", ...)."""
    chain = _chain(plan, period)
    if check_count(n, "n") < 1 or check_count(lists, "lists") < 2:
        raise InvalidPositionError(f"simulate needs n >= 1 and lists >= 2, got n={n}, lists={lists}")
    index = {arm: k for k, arm in enumerate(plan.arms)}
    advice: dict[Belief, _Advice] = {}
    per_list: list[tuple[float, float, float]] = []
    worst = 0
    for i in range(lists):
        sequence = [index[a] for a in plan.sequence(secret, f"simulation-{i}", period, n)]
        rates, peak = _guess_along(chain, sequence, advice)
        per_list.append(rates)
        worst = max(worst, peak)
    (cs, cs_se), (opt, opt_se), (det, det_se) = (_mean_se([r[j] for r in per_list]) for j in range(3))
    return Simulation(period, n, lists, cs, cs_se, opt, opt_se, det, det_se, worst)


# What a guesser holding a belief does: convergence guesses, optimal guesses, whether the next
# arm is certain, and the largest |W| of the history that led there.
_Advice = tuple[list[int], list[int], bool, int]


def _advise(chain: BlockChain, belief: Belief) -> _Advice:
    # Every state the belief allows implies the same imbalance, which is all CS looks at.
    state = next(iter(belief))[0]
    prediction = chain.predict(belief)
    top = max(prediction.values())
    return (chain.convergence_guesses(state), [k for k, p in prediction.items() if p == top],
            top == 1, max(map(abs, chain.imbalance(state))))


def _guess_along(chain: BlockChain, sequence: list[int],
                 advice: dict[Belief, _Advice]) -> tuple[tuple[float, float, float], int]:
    """Shares of correct convergence and optimal guesses and of certain allocations along one
    list, and the largest |W| reached on it."""
    belief: Belief = chain.initial_belief()
    convergence = optimal = deterministic = 0.0
    peak = 0
    for arm in sequence:
        if belief not in advice:
            advice[belief] = _advise(chain, belief)
        cs_guesses, best, certain, imbalance = advice[belief]
        convergence += (arm in cs_guesses) / len(cs_guesses)
        optimal += (arm in best) / len(best)
        deterministic += certain
        peak = max(peak, imbalance)
        belief = chain.update(belief, arm)
    peak = max(peak, *(abs(w) for w in chain.imbalance(next(iter(belief))[0])))
    n = len(sequence)
    return (convergence / n, optimal / n, deterministic / n), peak


def _mean_se(values: list[float]) -> tuple[float, float]:
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(variance / len(values))
