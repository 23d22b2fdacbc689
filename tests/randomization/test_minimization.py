"""Minimization: validation, exact replay, balance, and the ratio kept at every step."""
from __future__ import annotations

import hmac
from fractions import Fraction
from itertools import accumulate

import numpy as np
import pytest
from scipy import stats

from randomization import (
    MINIMIZATION_VERSION,
    InvalidPositionError,
    InvalidSecretError,
    Minimization,
    MinimizationError,
    RandomizationError,
    UnknownArmError,
)

SECRET = b"minimization-tests"
FACTORS = ("site", "sex", "age")


def participants(n: int, seed: int) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    return [{"site": f"site{rng.integers(4)}", "sex": f"sex{rng.integers(2)}", "age": f"age{rng.integers(3)}"}
            for _ in range(n)]


def one_one(random_element: float = 0.8) -> Minimization:
    return Minimization(("A", "B"), {"A": 1, "B": 1}, FACTORS, random_element=random_element)


# -- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"arms": ("A",)}, RandomizationError, "at least two"),
    ({"ratio": {"A": 1, "C": 1}}, UnknownArmError, "unknown arm"),
    ({"ratio": {"A": 1, "B": 0}}, RandomizationError, "positive integer"),
    ({"factors": ()}, MinimizationError, "non-empty sequence"),
    ({"factors": "site"}, MinimizationError, "non-empty sequence"),
    ({"factors": ("site", "site")}, MinimizationError, "distinct"),
    ({"factors": ("site", "")}, MinimizationError, "distinct"),
    ({"random_element": 0.4}, MinimizationError, "between 1/2"),
    ({"random_element": 1.2}, MinimizationError, "between 1/2"),
    ({"random_element": "high"}, MinimizationError, "must be a number"),
    ({"random_element": True}, MinimizationError, "must be a number"),
    ({"weights": {"height": 1}}, MinimizationError, "unknown factor"),
    ({"weights": {"site": 0}}, MinimizationError, "positive"),
    ({"weights": {"site": "2"}}, MinimizationError, "must be a number"),
])
def test_settings_are_validated(kwargs, error, message):
    settings = {"arms": ("A", "B"), "ratio": {"A": 1, "B": 1}, "factors": FACTORS} | kwargs
    with pytest.raises(error, match=message):
        Minimization(**settings)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda m: m.allocate(SECRET, 0, {"site": "x", "sex": "f"}, []), MinimizationError, "'age'"),
    (lambda m: m.allocate(SECRET, 0, {"site": "x", "sex": "f", "age": ""}, []), MinimizationError, "'age'"),
    (lambda m: m.allocate(SECRET, 0, [("site", "x")], []), MinimizationError, "mapping"),
    (lambda m: m.allocate(SECRET, 1, participants(1, 0)[0], participants(2, 0)), InvalidPositionError,
     "smaller than the 2 prior"),
    (lambda m: m.allocate(SECRET, -1, participants(1, 0)[0], []), InvalidPositionError, "sequence_number"),
    (lambda m: m.allocate(SECRET, 1, participants(1, 0)[0], [(participants(1, 0)[0], "C")]), UnknownArmError,
     "unknown arm 'C'"),
    (lambda m: m.allocate(b"", 0, participants(1, 0)[0], []), InvalidSecretError, "empty"),
    (lambda m: m.run(SECRET, -2, participants(1, 0)), InvalidPositionError, "first_sequence_number"),
    (lambda m: m.replay(SECRET, -2, []), InvalidPositionError, "first_sequence_number"),
    (lambda m: m.allocation_probability("C"), UnknownArmError, "'C'"),
])
def test_bad_calls_name_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call(one_one())


# -- one step -----------------------------------------------------------------------------------
def test_draw_is_the_documented_keyed_uniform_and_picks_the_place_by_cumulative_probability():
    m = Minimization(("A", "B"), {"A": 2, "B": 1}, FACTORS)
    result = m.allocate(SECRET, 7, participants(1, 1)[0], [])
    def field(text: str) -> bytes:
        return len(text.encode()).to_bytes(4, "big") + text.encode()
    message = (field(MINIMIZATION_VERSION) + field("") + field("") + field("minimization")
               + (7).to_bytes(8, "big") + (0).to_bytes(8, "big"))
    digest = hmac.digest(SECRET, message, "sha256")
    assert result.draw == (int.from_bytes(digest[:8], "big") >> 11) / 2**53
    # Nobody yet: every place ties, so the probabilities are the ratio shares.
    assert result.probabilities == {"A": Fraction(2, 3), "B": Fraction(1, 3)}
    assert result.scores == {"A": 3, "B": 3}
    places = [Fraction(1, 3)] * 3
    assert result.place == next(i for i, c in enumerate(accumulate(places)) if result.draw < c)
    assert result.arm == ("A", "A", "B")[result.place]
    share = Fraction(2, 3) if result.arm == "A" else Fraction(1, 3)
    assert (result.ratio, result.probability, result.sequence_number) == ("2:1", share, 7)


def test_preferred_arm_gets_the_random_element_at_one_to_one():
    first = {"site": "oslo", "sex": "f", "age": "young"}
    prior = [(first, "A")]
    for p, expected in ((0.8, Fraction(4, 5)), (1, Fraction(1)), (0.5, Fraction(1, 2))):
        result = one_one(p).allocate(SECRET, 1, first, prior)
        assert result.scores == {"A": 6, "B": 0}
        assert result.probabilities["B"] == expected
    assert one_one(1).allocate(SECRET, 1, first, prior).arm == "B"


def test_fractional_weights_are_exact():
    m = Minimization(("A", "B"), {"A": 1, "B": 1}, FACTORS, weights={"site": 2.5, "sex": Fraction(1, 3)})
    first = {"site": "oslo", "sex": "f", "age": "young"}
    result = m.allocate(SECRET, 1, first, [(first, "A")])
    assert result.scores["A"] == Fraction(5, 2) * 2 + Fraction(1, 3) * 2 + 2
    assert result.scores["B"] == 0
    assert m.weights == (Fraction(5, 2), Fraction(1, 3), 1)


def test_as_allocation_records_ratio_share_and_sequence_number():
    m = Minimization(("A", "B"), {"A": 2, "B": 1}, FACTORS)
    result = m.allocate(SECRET, 4, participants(1, 3)[0], [(c, "A") for c in participants(4, 4)])
    record = result.as_allocation()
    assert (record.method, record.period, record.ratio, record.position) == ("minimization", None, "2:1", 4)
    assert record.probability == m.allocation_probability(result.arm)


# -- replay ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ratio", [{"A": 1, "B": 1}, {"A": 2, "B": 1}, {"A": 1, "B": 1, "C": 1}])
def test_allocating_one_by_one_replays_exactly(ratio):
    m = Minimization(tuple(ratio), ratio, FACTORS)
    people = participants(40, 11)
    batch = m.run(SECRET, 100, people)
    prior: list[tuple[dict[str, str], str]] = []
    for i, person in enumerate(people):
        result = m.allocate(SECRET, 100 + i, person, prior)
        assert result == batch[i]
        prior.append((person, result.arm))
    assert m.replay(SECRET, 100, prior) == batch
    # A fresh object with the same settings gives the same allocations: nothing hides in state.
    assert Minimization(tuple(ratio), ratio, FACTORS).run(SECRET, 100, people) == batch


def test_other_secret_or_numbering_gives_other_allocations():
    people = participants(40, 12)
    arms = [r.arm for r in one_one().run(SECRET, 0, people)]
    assert arms != [r.arm for r in one_one().run(b"another secret", 0, people)]
    assert arms != [r.arm for r in one_one().run(SECRET, 1, people)]


def test_a_logged_arm_that_differs_from_the_replay_still_counts_for_that_arm():
    m = Minimization(("A", "B"), {"A": 2, "B": 1}, FACTORS)
    people = participants(12, 13)
    batch = m.run(SECRET, 0, people)
    # An emergency manual allocation put participant 3 in the other arm.
    overridden = "B" if batch[3].arm == "A" else "A"
    log = [(p, r.arm) for p, r in zip(people, batch, strict=True)]
    log[3] = (people[3], overridden)
    replayed = m.replay(SECRET, 0, log)
    assert replayed[:4] == batch[:4]           # the steps up to the override are unchanged
    assert replayed[3].arm != log[3][1]        # the audit sees the mismatch
    later = m.allocate(SECRET, 12, people[0], log)
    again = m.allocate(SECRET, 12, people[0], log)
    assert later == again
    # The override counts for the logged arm: the same log with the arm flipped back differs.
    assert [r.scores for r in m.replay(SECRET, 0, log)[4:]] != [r.scores for r in batch[4:]]


# -- statistical behaviour ---------------------------------------------------------------------------
def marginal_imbalance(random_element: float, trials: int = 60, n: int = 60) -> list[int]:
    """Largest |N_A - N_B| over every level of every factor, per simulated trial."""
    m = one_one(random_element)
    worst = []
    for t in range(trials):
        people = participants(n, 1000 + t)
        arms = [r.arm for r in m.run(b"balance-%d" % t, 0, people)]
        worst.append(max(abs(sum((a == "A") - (a == "B") for p, a in zip(people, arms, strict=True)
                                 if p[f] == level))
                         for f in FACTORS for level in {p[f] for p in people}))
    return worst


def test_minimization_keeps_marginal_imbalance_small():
    randomized = marginal_imbalance(0.5)        # random_element 1/2: simple randomization
    minimized = marginal_imbalance(0.8)
    deterministic = marginal_imbalance(1.0)
    assert np.mean(minimized) < np.mean(randomized) / 2
    assert np.mean(deterministic) <= np.mean(minimized)
    assert max(minimized) <= 10 and max(deterministic) <= 5
    assert stats.mannwhitneyu(minimized, randomized, alternative="less").pvalue < 0.001


@pytest.mark.parametrize(("ratio", "random_element"), [
    ({"A": 2, "B": 1}, 0.9),
    ({"A": 3, "B": 1, "C": 2}, 0.8),
])
def test_allocation_ratio_is_preserved_at_every_step(ratio, random_element):
    # Reference B3: unconditionally, P(arm at step i) = r/R for every i. The mean of the
    # conditional probabilities estimates it with little noise; the realized arms are checked too.
    m = Minimization(tuple(ratio), ratio, FACTORS, random_element=random_element)
    people, trials = participants(24, 5), 1500
    results = [m.run(b"ratio-%d" % t, 0, people) for t in range(trials)]
    total = sum(ratio.values())
    for arm, weight in ratio.items():
        share = weight / total
        conditional = np.array([[float(r.probabilities[arm]) for r in run] for run in results])
        means = conditional.mean(axis=0)
        errors = conditional.std(axis=0, ddof=1) / np.sqrt(trials)
        assert np.all(np.abs(means - share) <= 5 * errors + 1e-12), (arm, means)
        hits = np.array([[r.arm == arm for r in run] for run in results]).sum(axis=0)
        pvalues = [stats.binomtest(int(k), trials, share).pvalue for k in hits]
        assert min(pvalues) > 0.001 / len(people), (arm, hits)
    # The rule really minimizes: some steps favour an arm far beyond its share.
    assert max(r.probabilities[a] - Fraction(ratio[a], total) for run in results[:20] for r in run
               for a in ratio) > Fraction(1, 5)
