"""Statistical properties of real lists (reference section 6, B1-B3), fixed secrets, alpha 0.001."""
from __future__ import annotations

from collections import Counter
from itertools import permutations

import numpy as np
import pytest
from scipy import stats

from randomization import AllocationPlan, Period

ALPHA = 0.001
DESIGNS = {
    "1:1 {2,4,6}": ({"A": 1, "B": 1}, (1, 2, 3)),
    "2:1 {3,6}": ({"A": 2, "B": 1}, (1, 2)),
    "1:1:1 {3,6}": ({"A": 1, "B": 1, "C": 1}, (1, 2)),
}


def plan_for(name: str) -> AllocationPlan:
    ratio, multipliers = DESIGNS[name]
    return AllocationPlan(tuple(ratio), (Period("p", ratio),), multipliers)


def complete_blocks(plan: AllocationPlan, secret: bytes, lists: int, length: int) -> list[tuple[str, ...]]:
    blocks = []
    for stratum in range(lists):
        current: list[str] = []
        for slot in plan.slots(secret, f"stratum-{stratum}", "p", length):
            current.append(slot.arm)
            if slot.position_in_block == slot.block_size - 1:
                blocks.append(tuple(current))
                current = []
    return blocks


@pytest.fixture(scope="module", params=list(DESIGNS))
def design(request) -> tuple[str, list[tuple[str, ...]]]:
    return request.param, complete_blocks(plan_for(request.param), b"block-statistics", 40, 3000)


def test_block_sizes_are_drawn_uniformly(design):
    name, blocks = design
    sizes = Counter(len(block) for block in blocks)
    assert sorted(sizes) == list(plan_for(name).block_sizes("p"))
    assert stats.chisquare(list(sizes.values())).pvalue > ALPHA


def test_orderings_within_blocks_of_each_size_are_uniform(design):
    name, blocks = design
    ratio, _ = DESIGNS[name]
    total = sum(ratio.values())
    for size in plan_for(name).block_sizes("p"):
        content = [arm for arm in ratio for _ in range(size // total * ratio[arm])]
        patterns = sorted(set(permutations(content)))
        observed = Counter(block for block in blocks if len(block) == size)
        # Every block is one of the possible orderings of its exact content...
        assert set(observed) <= set(patterns)
        # ...and they come up equally often (e.g. 20 for 6 at 1:1, 15 for 6 at 2:1).
        counts = [observed[p] for p in patterns]
        assert min(counts) > 0
        assert stats.chisquare(counts).pvalue > ALPHA, (name, size)


@pytest.mark.parametrize("name", list(DESIGNS))
def test_each_arm_has_its_ratio_share_at_every_position(name):
    ratio, _ = DESIGNS[name]
    plan, n, lists = plan_for(name), 30, 4000
    arms = np.array([plan.sequence(b"positions", f"s{i}", "p", n) for i in range(lists)])
    total = sum(ratio.values())
    for arm, weight in ratio.items():
        hits = (arms == arm).sum(axis=0)
        pvalues = [stats.binomtest(int(k), lists, weight / total).pvalue for k in hits]
        assert min(pvalues) > ALPHA / n, (arm, hits)   # Bonferroni over positions


def contingency_pvalue(first: tuple[str, ...], second: tuple[str, ...]) -> float:
    arms = sorted(set(first) | set(second))
    table = np.zeros((len(arms), len(arms)))
    for a, b in zip(first, second, strict=True):
        table[arms.index(a), arms.index(b)] += 1
    return float(stats.chi2_contingency(table).pvalue)


def test_lists_of_other_strata_secrets_and_periods_are_independent():
    plan = AllocationPlan(("A", "B"), (Period("one", {"A": 1, "B": 1}, first_n=10),
                                       Period("two", {"A": 1, "B": 1})), (1, 2, 3))
    n = 20_000
    base = plan.sequence(b"secret-1", "bergen", "one", n)
    others = {
        "stratum": plan.sequence(b"secret-1", "oslo", "one", n),
        "secret": plan.sequence(b"secret-2", "bergen", "one", n),
        "period": plan.sequence(b"secret-1", "bergen", "two", n),
        "similar stratum": plan.sequence(b"secret-1", "bergen ", "one", n),
    }
    for what, other in others.items():
        assert other != base
        # Same position in both lists: no association beyond chance...
        assert contingency_pvalue(base, other) > ALPHA, what
        # ...and matches at the rate independent lists give (one half at 1:1).
        matches = sum(a == b for a, b in zip(base, other, strict=True))
        assert stats.binomtest(matches, n, 0.5).pvalue > ALPHA, what
