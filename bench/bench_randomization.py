"""Benchmark of the allocation core (issue 3): run with `.venv/bin/python bench/bench_randomization.py`.

Targets on the reference machine: the first 100,000 allocations of one list in under 1 s, and
`allocation(..., position)` near position 10,000 in under 10 ms on a fresh plan (nothing cached).
"""
from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

from randomization import AllocationPlan, Minimization, Period, diagnostics

SECRET = b"benchmark-secret-0123456789abcdef"
DESIGNS = {
    "1:1 blocks 2/4/6": ({"ips": 1, "control": 1}, (1, 2, 3)),
    "2:1 blocks 3/6": ({"ips": 2, "control": 1}, (1, 2)),
}


def plan_for(ratio: dict[str, int], multipliers: tuple[int, ...]) -> AllocationPlan:
    return AllocationPlan(tuple(ratio), (Period("main", ratio),), multipliers)


def best_of(repeats: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_sequence(name: str, ratio: dict[str, int], multipliers: tuple[int, ...]) -> None:
    seconds = best_of(3, lambda: plan_for(ratio, multipliers).sequence(SECRET, "bergen", "main", 100_000))
    tracemalloc.start()
    plan_for(ratio, multipliers).sequence(SECRET, "bergen", "main", 100_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{name:18} first 100,000 allocations of one list: {seconds:.3f} s "
          f"(target < 1 s), peak memory {peak / 2**20:.1f} MiB")


def bench_position(name: str, ratio: dict[str, int], multipliers: tuple[int, ...]) -> None:
    cold = []
    for position in range(9_990, 10_010):
        plan = plan_for(ratio, multipliers)   # fresh plan: no cached block layout
        start = time.perf_counter()
        plan.allocation(SECRET, "bergen", "main", position)
        cold.append(time.perf_counter() - start)
    plan = plan_for(ratio, multipliers)
    plan.allocation(SECRET, "bergen", "main", 9_999)
    warm = []
    for position in range(10_000, 10_020):    # the app's pattern: the next position each time
        start = time.perf_counter()
        plan.allocation(SECRET, "bergen", "main", position)
        warm.append(time.perf_counter() - start)
    print(f"{name:18} allocation at position ~10,000: cold median {statistics.median(cold) * 1e3:.2f} ms, "
          f"max {max(cold) * 1e3:.2f} ms (target < 10 ms); cached median "
          f"{statistics.median(warm) * 1e6:.0f} us")


def bench_minimization() -> None:
    minimization = Minimization(("ips", "control"), {"ips": 2, "control": 1}, ("site", "sex", "age"))
    people = [{"site": f"s{i % 5}", "sex": f"x{i % 2}", "age": f"a{i % 3}"} for i in range(300)]
    prior = [(p, r.arm) for p, r in zip(people, minimization.run(SECRET, 0, people), strict=True)]
    seconds = best_of(3, lambda: minimization.allocate(SECRET, 300, people[0], prior))
    print(f"minimization 2:1, 3 factors: allocate after 300 prior (full replay): {seconds * 1e3:.1f} ms")


def bench_diagnostics() -> None:
    for name, (ratio, multipliers) in DESIGNS.items():
        plan = plan_for(ratio, multipliers)
        seconds = best_of(1, lambda plan=plan: diagnostics.guessing(plan, "main", 60))
        print(f"{name:18} exact diagnostics.guessing(n=60): {seconds:.2f} s")


def main() -> None:
    print(f"Python {sys.version.split()[0]}")
    for name, (ratio, multipliers) in DESIGNS.items():
        bench_sequence(name, ratio, multipliers)
        bench_position(name, ratio, multipliers)
    bench_minimization()
    bench_diagnostics()


if __name__ == "__main__":
    main()
