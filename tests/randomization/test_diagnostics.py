"""Diagnostics against the reference values (reference section 2.1-2.2, checklist B4)."""
from __future__ import annotations

from fractions import Fraction

import pytest

from randomization import AllocationPlan, InvalidPositionError, Period, UnknownArmError, diagnostics
from randomization.blockchain import BlockChain


def plan_for(ratio: dict[str, int], multipliers: tuple[int, ...]) -> AllocationPlan:
    return AllocationPlan(tuple(ratio), (Period("p", ratio),), multipliers)


ONE_ONE = plan_for({"A": 1, "B": 1}, (1, 2, 3))      # 1:1, blocks 2/4/6
TWO_ONE = plan_for({"A": 2, "B": 1}, (1, 2))         # 2:1, blocks 3/6


def close(value: Fraction | None, reference: float, places: int = 4) -> bool:
    return value is not None and round(float(value), places) == reference


# The reference table of section 2.2: (ratio, multipliers, CS long run, CS at N=12/30/60,
# optimal at N=30/60, deterministic share at N=30/60); None where the table gives none.
REFERENCE = [
    ({"A": 1, "B": 1}, (1, 2, 3), 0.7028, (0.6928, 0.6986, 0.7007), (0.6986, 0.7007), (0.0385, 0.0401)),
    ({"A": 1, "B": 1}, (2, 3), 0.6933, (0.6795, 0.6878, 0.6906), (0.6878, 0.6906), (0.0571, 0.0558)),
    ({"A": 1, "B": 1}, (2, 3, 4), 0.6812, (0.6651, 0.6746, 0.6779), None, None),
    ({"A": 1, "B": 1}, (3,), 0.6833, (0.6833, 0.6833, 0.6833), (0.6833, 0.6833), (0.25, 0.25)),
    ({"A": 1, "B": 1}, (2,), 0.7083, (0.7083, 0.7000, 0.7083), (0.7000, 0.7083), (0.3111, 0.3333)),
    ({"A": 2, "B": 1}, (1, 2), 0.7407, (0.7344, 0.7380, 0.7394), (0.7533, 0.7544), (0.0975, 0.1006)),
    ({"A": 2, "B": 1}, (1, 2, 3), 0.7163, (0.7042, 0.7117, 0.7140), (0.7346, 0.7364), (0.0352, 0.0374)),
    ({"A": 2, "B": 1}, (2, 3), 0.7040, (0.6837, 0.6975, 0.7007), (0.7268, 0.7289), (0.0545, 0.0535)),
    ({"A": 2, "B": 1}, (2,), 0.7222, (0.7222, 0.7222, 0.7222), (0.7444, 0.7444), (0.2889, 0.2889)),
]


@pytest.mark.parametrize(("ratio", "multipliers", "long_run", "cs", "optimal", "deterministic"), REFERENCE)
def test_exact_guessing_rates_match_the_reference_table(ratio, multipliers, long_run, cs, optimal,
                                                        deterministic):
    plan = plan_for(ratio, multipliers)
    assert close(diagnostics.guessing(plan, "p").convergence, long_run)
    results = {n: diagnostics.guessing(plan, "p", n) for n in (12, 30, 60)}
    assert [round(float(results[n].convergence), 4) for n in (12, 30, 60)] == list(cs)
    for n, expected in zip((30, 60), optimal or (None, None), strict=True):
        if expected is not None:
            assert close(results[n].optimal, expected)
    for n, expected in zip((30, 60), deterministic or (None, None), strict=True):
        if expected is not None:
            assert close(results[n].deterministic, expected)


def test_headline_values_are_exact_fractions():
    assert diagnostics.guessing(ONE_ONE, "p").convergence == Fraction(253, 360)   # 8.4333/12
    assert diagnostics.guessing(TWO_ONE, "p").convergence == Fraction(20, 27)
    g = diagnostics.guessing(TWO_ONE, "p", 30)
    assert (g.period, g.n, g.chance) == ("p", 30, Fraction(2, 3))
    assert diagnostics.guessing(ONE_ONE, "p", 30).chance == Fraction(1, 2)


def test_single_block_expectations_match_blackwell_hodges():
    # E[CG per block] = m + 2^(2m-1)/C(2m, m) - 1/2 for a fixed block of 2m at 1:1.
    expected = {1: Fraction(3, 2), 2: Fraction(17, 6), 3: Fraction(41, 10), 4: Fraction(373, 70)}
    for m, per_block in expected.items():
        plan = plan_for({"A": 1, "B": 1}, (m,))
        assert diagnostics.guessing(plan, "p", 2 * m).convergence * 2 * m == per_block


def test_long_run_optimal_is_given_where_the_imbalance_fixes_the_best_guess():
    assert diagnostics.guessing(ONE_ONE, "p").optimal == diagnostics.guessing(ONE_ONE, "p").convergence
    assert close(diagnostics.guessing(TWO_ONE, "p").optimal, 0.7556)
    long_run = diagnostics.guessing(plan_for({"A": 2, "B": 1}, (1, 2, 3)), "p")
    assert long_run.optimal is None and long_run.deterministic is None


def test_optimal_guesser_is_left_to_simulation_when_beliefs_multiply(monkeypatch):
    plan = plan_for({"A": 2, "B": 1}, (1, 2, 3))
    monkeypatch.setattr(diagnostics, "MAX_BELIEFS", 50)
    result = diagnostics.guessing(plan, "p", 30)
    assert result.optimal is None
    assert close(result.deterministic, 0.0352) and close(result.convergence, 0.7117)


def test_guessing_needs_at_least_one_allocation():
    with pytest.raises(InvalidPositionError, match="n >= 1"):
        diagnostics.guessing(ONE_ONE, "p", 0)
    with pytest.raises(InvalidPositionError):
        diagnostics.guessing(ONE_ONE, "p", -3)


# E|W| is exact here; the reference prints 0.706 and 1.082 for 0.70556 and 1.08148.
@pytest.mark.parametrize(("plan", "distribution", "mean_abs", "mean_square", "bound"), [
    (ONE_ONE, {0: 0.4056, 1: 0.2458, 2: 0.0472, 3: 0.0042}, Fraction(127, 180), Fraction(17, 18), 3),
    (TWO_ONE, {0: 0.2889, 1: 0.2074, 2: 0.1185, 3: 0.0222, 4: 0.0074}, Fraction(146, 135), 2, 4),
])
def test_long_run_imbalance_matches_the_reference(plan, distribution, mean_abs, mean_square, bound):
    result = diagnostics.imbalance(plan, "p")
    assert (result.n, result.arm) == (None, "A")
    for w, p in distribution.items():
        assert close(result.distribution[w], p) and close(result.distribution[-w], p)
    assert sum(result.distribution.values()) == 1
    assert (result.mean_abs, result.mean_square) == (mean_abs, mean_square)
    assert result.bound == bound and max(map(abs, result.distribution)) == bound


def test_bounds_from_the_reference_table():
    for ratio, multipliers, bound in (({"A": 1, "B": 1}, (2, 3, 4), 4), ({"A": 2, "B": 1}, (1, 2, 3), 6)):
        assert diagnostics.imbalance(plan_for(ratio, multipliers), "p").bound == bound


def test_imbalance_after_n_allocations_is_exact():
    # After 2 allocations at 1:1 {2,4,6}: balanced unless the first two of a 4 or 6 block match.
    result = diagnostics.imbalance(ONE_ONE, "p", 2)
    assert result.n == 2 and result.arm == "A"
    # P(AA) = 1/3 * (2/4 * 1/3) + 1/3 * (3/6 * 2/5) = 11/90, and the same for BB.
    assert result.distribution == {-2: Fraction(11, 90), 0: Fraction(34, 45), 2: Fraction(11, 90)}
    assert diagnostics.imbalance(ONE_ONE, "p", 12).distribution[0] > 0
    assert diagnostics.imbalance(ONE_ONE, "p", 0).distribution == {0: 1}


def test_imbalance_of_a_named_arm_and_of_an_unknown_one():
    result = diagnostics.imbalance(TWO_ONE, "p", 1, arm="B")
    # W_B = 3*N_B - t: +2 after a B, -1 after an A.
    assert result.distribution == {-1: Fraction(2, 3), 2: Fraction(1, 3)}
    with pytest.raises(UnknownArmError, match="'C'"):
        diagnostics.imbalance(TWO_ONE, "p", arm="C")


def test_allocation_probability_is_the_ratio_share_at_every_position_exactly():
    for weights, sizes in (((1, 1), (2, 4, 6)), ((2, 1), (3, 6)), ((3, 2, 1), (6, 12))):
        chain = BlockChain(weights, sizes)
        for distribution in chain.walk(40):
            for k, weight in enumerate(weights):
                share = sum(mass * p for state, mass in distribution.items()
                            for arm, p, _ in chain.moves(state) if arm == k)
                assert share == Fraction(weight, sum(weights))


@pytest.mark.parametrize(("plan", "convergence", "optimal", "deterministic"), [
    (ONE_ONE, 0.6986, 0.6986, 0.0385),
    (TWO_ONE, 0.7380, 0.7533, 0.0975),
])
def test_simulated_lists_agree_with_theory_within_simulation_error(plan, convergence, optimal, deterministic):
    result = diagnostics.simulate(plan, "p", 30, 10_000, b"diagnostics-simulation")
    assert (result.n, result.lists) == (30, 10_000)
    # Reference 2.5: within 5 standard errors (plus the 4-decimal rounding of the table).
    assert abs(result.convergence - convergence) <= 5 * result.convergence_se + 5e-5
    assert abs(result.optimal - optimal) <= 5 * result.optimal_se + 5e-5
    assert abs(result.deterministic - deterministic) <= 5 * result.deterministic_se + 5e-5
    assert result.convergence_se < 0.0006
    assert result.max_imbalance == diagnostics.imbalance(plan, "p").bound


def test_simulate_needs_a_length_and_two_lists():
    with pytest.raises(InvalidPositionError, match="lists >= 2"):
        diagnostics.simulate(ONE_ONE, "p", 30, 1, b"s")
    with pytest.raises(InvalidPositionError, match="n >= 1"):
        diagnostics.simulate(ONE_ONE, "p", 0, 10, b"s")
