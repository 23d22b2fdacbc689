"""Benchmark: export a 20,000-participant lock (3 timepoints x HADS, EQ-5D-5L, WHODAS 12).

Each format runs in a fresh process so its peak memory (maximum resident set size, which also
sees pyreadstat's and polars' native allocations) is its own. Prints time and peak memory per
format and exits non-zero when a format takes 60 s or more or peaks at 500 MB or more.

    .venv/bin/python bench/bench_exports.py [--participants N]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trial.exports import DatasetSpec, Variable, verify_manifest, write_lock_export

TIME_LIMIT_S, MEMORY_LIMIT_MB = 60.0, 500.0
TIMEPOINTS = ("baseline", "6m", "12m")
SITES = ("oslo", "hadeland", "vestfold", "akershus", "elverum", "bergen")
MODES = {"online": "Online", "paper": "Paper, entered by staff"}
HADS_ITEMS = tuple(str(i) for i in range(1, 15))
EQ5D_DIMENSIONS = ("mo", "sc", "ua", "pd", "ad")
WHODAS_ITEMS = tuple(f"s{i}" for i in range(1, 13))
BANDS = {"normal": "0-7", "borderline": "8-10", "abnormal": "11-21"}


def instrument_variables(code: str, version: str) -> list[Variable]:
    def v(name: str, label: str, kind: Any, **extra: Any) -> Variable:
        return Variable(f"{code}_{name}", label, kind, level="visit", instrument=code,
                        instrument_version=version, **extra)

    mode = [v("mode", f"{code} completion mode", "string", values=MODES)]
    if code == "hads":
        items = [v(i, f"HADS item {i}", "integer", values={k: str(k) for k in range(4)}) for i in HADS_ITEMS]
        scores = [v("anxiety", "HADS anxiety", "float"), v("depression", "HADS depression", "float"),
                  v("total", "HADS total", "float"),
                  v("anxiety_band", "HADS anxiety band", "string", values=BANDS),
                  v("depression_band", "HADS depression band", "string", values=BANDS)]
    elif code == "eq5d5l":
        items = [v(d, f"EQ-5D-5L {d.upper()}", "integer", values={k: f"Level {k}" for k in range(1, 6)})
                 for d in EQ5D_DIMENSIONS] + [v("vas_item", "EQ VAS answer", "integer", unit="0-100")]
        scores = [v("profile", "EQ-5D-5L profile", "string"), v("index", "EQ-5D-5L index", "float"),
                  v("vas", "EQ VAS", "integer", unit="0-100")]
    else:
        items = [v(i, f"WHODAS 12 item {i.upper()}", "integer", values={k: str(k) for k in range(1, 6)})
                 for i in WHODAS_ITEMS]
        scores = [v("simple", "WHODAS simple sum", "integer"), v("simple_0_100", "WHODAS 0-100", "float")]
    return mode + items + scores


def bench_spec() -> DatasetSpec:
    participant = [
        Variable("participant_id", "Pseudonymous participant ID", "string"),
        Variable("site", "Site", "string"), Variable("stratum", "Stratum", "string"),
        Variable("arm", "Allocated arm", "string", allocation=True,
                 values={"ips": "IPS", "control": "Control"}),
        Variable("allocation_period", "Allocation period", "string"),
        Variable("allocation_ratio", "Allocation ratio", "string"),
        Variable("randomized_on", "Date of randomisation", "date"),
        Variable("status", "Participant status", "string"),
        Variable("withdrawal_scope", "Withdrawal scope", "string"),
        Variable("withdrawal_days", "Days from randomisation to withdrawal", "integer", unit="days"),
        Variable("withdrawal_reason", "Reason for withdrawal", "string"),
        Variable("event_type", "Event", "string"),
        Variable("event_days", "Days from randomisation to event", "integer", unit="days"),
    ]
    visit = [
        Variable("visit_status", "Visit status", "string", level="visit"),
        Variable("completed_on", "Date completed", "date", level="visit"),
        Variable("days_from_randomization", "Days from randomisation", "integer", level="visit", unit="days"),
        *instrument_variables("hads", "1983"), *instrument_variables("eq5d5l", "norway"),
        *instrument_variables("whodas12", "2.0"),
    ]
    return DatasetSpec(trial_code="ips-norway", lock_label="bench", lock_version=1,
                       locked_at=datetime(2016, 4, 30, 12, tzinfo=UTC), variables=tuple(participant + visit),
                       timepoints=TIMEPOINTS)


def participant_row(i: int) -> dict[str, Any]:
    rng = random.Random(i)
    site = SITES[i % len(SITES)]
    randomized = date(2013, 10, 11) + timedelta(days=rng.randrange(380))
    period = "start-up" if randomized <= date(2014, 2, 1) else "main"
    withdrawn = rng.random() < 0.05
    return {"participant_id": f"{site[:3].upper()}-{i:06d}", "site": site, "stratum": site,
            "arm": rng.choice(("ips", "control")), "allocation_period": period,
            "allocation_ratio": "2:1" if period == "start-up" else "1:1", "randomized_on": randomized,
            "status": "withdrawn-all" if withdrawn else "active",
            "withdrawal_scope": "all" if withdrawn else None,
            "withdrawal_days": rng.randrange(400) if withdrawn else None,
            "withdrawal_reason": "No longer wishes to take part" if withdrawn else None}


def band(score: float) -> str:
    return "normal" if score <= 7 else "borderline" if score <= 10 else "abnormal"


def visit_row(pid: str, timepoint: str, rng: random.Random) -> dict[str, Any]:
    hads = {f"hads_{i}": rng.randrange(4) for i in HADS_ITEMS}
    anxiety = float(sum(hads[f"hads_{i}"] for i in HADS_ITEMS[::2]))
    depression = float(sum(hads[f"hads_{i}"] for i in HADS_ITEMS[1::2]))
    eq = {f"eq5d5l_{d}": rng.randrange(1, 6) for d in EQ5D_DIMENSIONS}
    whodas = {f"whodas12_{i}": rng.randrange(1, 6) for i in WHODAS_ITEMS}
    simple = sum(whodas.values())
    day = {"baseline": 0, "6m": 183, "12m": 365}[timepoint] + rng.randrange(30)
    return {"participant_id": pid, "timepoint": timepoint, "visit_status": "completed",
            "completed_on": date(2014, 1, 1) + timedelta(days=day), "days_from_randomization": day,
            "hads_mode": "online", "eq5d5l_mode": "paper", "whodas12_mode": "online", **hads,
            "hads_anxiety": anxiety, "hads_depression": depression, "hads_total": anxiety + depression,
            "hads_anxiety_band": band(anxiety), "hads_depression_band": band(depression), **eq,
            "eq5d5l_vas_item": rng.randrange(101), "eq5d5l_profile": "".join(str(v) for v in eq.values()),
            "eq5d5l_index": round(rng.uniform(-0.3, 1.0), 4), "eq5d5l_vas": rng.randrange(101), **whodas,
            "whodas12_simple": simple, "whodas12_simple_0_100": (simple - 12) * 100 / 48}


def make_sources(n: int) -> tuple[Any, Any]:
    def participants() -> Iterator[dict[str, Any]]:
        return (participant_row(i) for i in range(n))

    def visits() -> Iterator[dict[str, Any]]:
        for i in range(n):
            pid, rng = participant_row(i)["participant_id"], random.Random(-i)
            for timepoint in TIMEPOINTS[: 1 + i % 3 if i % 10 == 0 else 3]:  # a tenth miss visits
                yield visit_row(pid, timepoint, rng)

    return participants, visits


def run_one(fmt: Any, n: int) -> dict[str, Any]:
    spec = bench_spec()
    participants, visits = make_sources(n)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export-{fmt}.zip"
        start = time.perf_counter()
        with path.open("wb") as out:
            write_lock_export(spec, participants, visits, out, format=fmt)
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        problems = verify_manifest(path)
        size_mb = path.stat().st_size / 1e6
    wide_columns = len(spec.participant_variables) + len(spec.visit_variables) * len(TIMEPOINTS)
    return {"format": fmt, "seconds": round(seconds, 2), "peak_mb": round(peak_mb, 1),
            "zip_mb": round(size_mb, 1), "long_columns": len(spec.variables) + 1,
            "wide_columns": wide_columns, "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--one", choices=("csv", "sav", "dta"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.participants)))
        return 0
    failed = False
    print(f"{args.participants} participants x {len(TIMEPOINTS)} timepoints x 3 instruments")
    for fmt in ("csv", "sav", "dta"):
        command = [sys.executable, __file__, "--one", fmt, "--participants", str(args.participants)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        r = json.loads(done.stdout.splitlines()[-1])
        ok = r["seconds"] < TIME_LIMIT_S and r["peak_mb"] < MEMORY_LIMIT_MB and not r["problems"]
        failed |= not ok
        print(f"{fmt}: {r['seconds']:6.2f} s, peak {r['peak_mb']:6.1f} MB, ZIP {r['zip_mb']:5.1f} MB, "
              f"{r['long_columns']} long / {r['wide_columns']} wide columns "
              f"{'ok' if ok else 'OVER LIMIT ' + str(r['problems'])}")
    print(f"limits: under {TIME_LIMIT_S:.0f} s and {MEMORY_LIMIT_MB:.0f} MB per format")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
