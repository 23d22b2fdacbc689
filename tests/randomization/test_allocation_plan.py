"""AllocationPlan: validation, the structure of every list, slots, fingerprints and caching."""
from __future__ import annotations

import json
import threading
from fractions import Fraction
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randomization import (
    AllocationPlan,
    InvalidPositionError,
    InvalidRatioError,
    InvalidSecretError,
    Period,
    RandomizationError,
    UnknownArmError,
    UnknownPeriodError,
)

SECRET = b"plan-tests"


def simple(ratio=None, multipliers=(1, 2)) -> AllocationPlan:
    ratio = ratio or {"ips": 2, "control": 1}
    return AllocationPlan(tuple(ratio), (Period("p", ratio),), multipliers)


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize(("arms", "message"), [
    ("ab", "sequence of arm codes"),
    (None, "sequence of arm codes"),
    (("ips",), "at least two"),
    (("ips", ""), "non-empty strings"),
    (("ips", 3), "non-empty strings"),
    (("ips", "ips"), "repeats"),
])
def test_arms_must_be_two_or_more_distinct_codes(arms, message):
    with pytest.raises(RandomizationError, match=message):
        AllocationPlan(arms, (Period("p", {"ips": 1, "control": 1}),), (1,))


@pytest.mark.parametrize(("multipliers", "message"), [
    ((), "non-empty sequence"),
    ("12", "non-empty sequence"),
    (None, "non-empty sequence"),
    ((1, 0), "positive integers"),
    ((1, -2), "positive integers"),
    ((1, 2.0), "positive integers"),
    ((True,), "positive integers"),
    ((1, 2, 1), "repeats"),
])
def test_block_multipliers_must_be_distinct_positive_integers(multipliers, message):
    with pytest.raises(InvalidRatioError, match=message):
        simple(multipliers=multipliers)


def test_multipliers_are_kept_ascending_so_their_listed_order_does_not_matter():
    assert simple(multipliers=(3, 1, 2)).block_multipliers == (1, 2, 3)
    assert (simple(multipliers=(2, 1)).sequence(SECRET, "s", "p", 90)
            == simple(multipliers=(1, 2)).sequence(SECRET, "s", "p", 90))


def test_block_sizes_are_multiplier_times_sum_of_ratio():
    assert simple(multipliers=(1, 2)).block_sizes("p") == (3, 6)
    assert simple({"a": 1, "b": 1}, (1, 2, 3)).block_sizes("p") == (2, 4, 6)
    assert simple({"a": 3, "b": 2, "c": 1}, (2,)).block_sizes("p") == (12,)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda p: p.allocation(SECRET, "s", "p", -1), InvalidPositionError, "position"),
    (lambda p: p.allocation(SECRET, "s", "p", 1.0), InvalidPositionError, "position"),
    (lambda p: p.sequence(SECRET, "s", "p", -5), InvalidPositionError, "n must"),
    (lambda p: p.allocation(b"", "s", "p", 0), InvalidSecretError, "secret is empty"),
    (lambda p: p.allocation("secret", "s", "p", 0), InvalidSecretError, "must be bytes"),
    (lambda p: p.sequence(b"", "s", "p", 3), InvalidSecretError, "secret is empty"),
    (lambda p: p.allocation(SECRET, "", "p", 0), RandomizationError, "stratum"),
    (lambda p: p.allocation(SECRET, "s", "main", 0), UnknownPeriodError, "'main'"),
    (lambda p: p.allocation(SECRET, "s", ["p"], 0), UnknownPeriodError, "period"),
    (lambda p: p.allocation_probability("p", "placebo"), UnknownArmError, "'placebo'"),
    (lambda p: p.period("nope"), UnknownPeriodError, "'nope'"),
])
def test_bad_calls_raise_a_value_error_naming_the_problem(call, error, message):
    with pytest.raises(error, match=message) as raised:
        call(simple())
    assert isinstance(raised.value, ValueError)


# -- structure of every list --------------------------------------------------------------------
designs = st.tuples(
    st.lists(st.integers(1, 3), min_size=2, max_size=4),          # ratio weights
    st.sets(st.integers(1, 3), min_size=1, max_size=3),           # multipliers
    st.binary(min_size=1, max_size=16),                           # secret
    st.text(min_size=1, max_size=8),                              # stratum
)


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(designs)
def test_every_block_holds_exactly_its_share_and_the_prefix_bound_holds(design):
    weights, multipliers, secret, stratum = design
    arms = tuple(f"arm{k}" for k in range(len(weights)))
    ratio = dict(zip(arms, weights, strict=True))
    plan = AllocationPlan(arms, (Period("p", ratio),), tuple(multipliers))
    total, sizes = sum(weights), plan.block_sizes("p")
    slots = list(plan.slots(secret, stratum, "p", 200))
    assert [s.arm for s in slots] == list(plan.sequence(secret, stratum, "p", 200))
    blocks: dict[int, list[str]] = {}
    for slot in slots:
        blocks.setdefault(slot.block_index, []).append(slot.arm)
        assert slot.block_size in sizes
    for index, block in blocks.items():
        size = slots[[s.block_index for s in slots].index(index)].block_size
        if len(block) == size:   # the last block may be cut off at 200
            assert {a: block.count(a) for a in arms} == {a: size // total * ratio[a] for a in arms}
    # |r_B*N_A - r_A*N_B| <= b_max*r_A*r_B/R for every pair of arms, at every prefix.
    counts = dict.fromkeys(arms, 0)
    for slot in slots:
        counts[slot.arm] += 1
        for a in arms:
            for b in arms:
                bound = max(sizes) * ratio[a] * ratio[b] / total
                assert abs(ratio[b] * counts[a] - ratio[a] * counts[b]) <= bound
        if slot.position_in_block == slot.block_size - 1:
            assert all(counts[a] * total == (slot.position + 1) * ratio[a] for a in arms)


def test_reference_bounds_are_reached_but_never_exceeded():
    for ratio, multipliers, bound in (({"A": 1, "B": 1}, (1, 2, 3), 3), ({"A": 2, "B": 1}, (1, 2), 4)):
        plan = simple(ratio, multipliers)
        worst = 0
        for stratum in range(200):
            n_a = n_b = 0
            for arm in plan.sequence(SECRET, f"s{stratum}", "p", 60):
                n_a, n_b = n_a + (arm == "A"), n_b + (arm == "B")
                worst = max(worst, abs(ratio["B"] * n_a - ratio["A"] * n_b))
        assert worst == bound


def test_slot_positions_and_blocks_are_consistent():
    plan = simple()
    slots = list(plan.slots(SECRET, "s", "p", 100))
    assert [s.position for s in slots] == list(range(100))
    starts = [0, *accumulate(s.block_size for s in slots if s.position_in_block == 0)]
    for slot in slots:
        assert slot.position == starts[slot.block_index] + slot.position_in_block
        assert plan.slot(SECRET, "s", "p", slot.position) == slot
        assert plan.allocation(SECRET, "s", "p", slot.position) == slot.arm


def test_slot_reports_the_period_ratio_and_probability_of_its_arm():
    plan = simple({"ips": 2, "control": 1})
    slot = plan.slot(SECRET, "s", "p", 7)
    assert slot.ratio == "2:1" and slot.period == "p"
    assert slot.probability == plan.allocation_probability("p", slot.arm)
    assert plan.allocation_probability("p", "ips") == Fraction(2, 3)
    assert plan.ratio_text("p") == "2:1"
    record = slot.as_allocation()
    assert (record.arm, record.method, record.period, record.ratio, record.probability, record.position) == (
        slot.arm, "stratified-blocks", "p", "2:1", slot.probability, 7)


def test_sequence_of_zero_is_empty_and_lists_extend_consistently():
    plan = simple()
    assert plan.sequence(SECRET, "s", "p", 0) == ()
    long = plan.sequence(SECRET, "s", "p", 500)
    assert simple().sequence(SECRET, "s", "p", 37) == long[:37]
    assert simple().allocation(SECRET, "s", "p", 450) == long[450]


def test_a_list_does_not_depend_on_which_other_lists_were_drawn_first():
    fresh = simple().sequence(SECRET, "oslo", "p", 300)
    busy = simple()
    for stratum in range(100):   # more lists than the plan caches
        busy.allocation(SECRET, f"site-{stratum}", "p", 250)
    assert busy.sequence(SECRET, "oslo", "p", 300) == fresh
    assert busy.sequence(SECRET, "site-3", "p", 260) == simple().sequence(SECRET, "site-3", "p", 260)


def test_concurrent_callers_see_the_same_list():
    plan = simple({"a": 1, "b": 1}, (1, 2, 3))
    expected = simple({"a": 1, "b": 1}, (1, 2, 3)).sequence(SECRET, "s", "p", 3000)
    seen: list[tuple[int, str]] = []

    def worker(offset: int) -> None:
        for position in range(offset, 3000, 97):
            seen.append((position, plan.allocation(SECRET, "s", "p", position)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen and all(expected[position] == arm for position, arm in seen)


# -- fingerprint and canonical form --------------------------------------------------------------
def test_canonical_form_is_one_sorted_json_header_then_one_line_per_slot():
    plan = simple()
    lines = plan.canonical_form(SECRET, "bergen", "p", 4).decode().split("\n")
    assert lines[-1] == "" and len(lines) == 6
    assert json.loads(lines[0]) == {"algorithm": "hmac-sha256-pbr/1", "arms": ["ips", "control"],
                                    "block_multipliers": [1, 2], "period": "p",
                                    "ratio": {"ips": 2, "control": 1}, "stratum": "bergen"}
    assert lines[0].startswith('{"algorithm":"hmac-sha256-pbr/1","arms":["ips","control"],')
    for line, slot in zip(lines[1:5], plan.slots(SECRET, "bergen", "p", 4), strict=True):
        assert json.loads(line) == [slot.position, slot.block_index, slot.block_size,
                                    slot.position_in_block, slot.arm]
    assert b"plan-tests" not in plan.canonical_form(SECRET, "bergen", "p", 4)


def test_canonical_form_escapes_non_ascii_strata():
    form = simple().canonical_form(SECRET, "tromsø", "p", 1)
    assert form.isascii() and "tromsø" in json.loads(form.split(b"\n")[0])["stratum"]


def test_fingerprint_changes_with_length_stratum_secret_and_ratio():
    plan = simple()
    base = plan.fingerprint(SECRET, "bergen", "p", 60)
    assert len(base) == 64 and int(base, 16) >= 0
    assert base == simple().fingerprint(SECRET, "bergen", "p", 60)
    others = {plan.fingerprint(SECRET, "bergen", "p", 61), plan.fingerprint(SECRET, "oslo", "p", 60),
              plan.fingerprint(b"other", "bergen", "p", 60),
              simple({"ips": 1, "control": 1}).fingerprint(SECRET, "bergen", "p", 60)}
    assert base not in others and len(others) == 4


def test_repr_names_the_design():
    assert repr(simple()).startswith("AllocationPlan(arms=('ips', 'control'), periods=(Period(name='p'")
