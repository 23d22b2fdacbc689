"""Rules that span several fields of a protocol: arms and ratios, periods, strata, timepoints, instruments."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import instruments
import randomization

from .fields import Problems

if TYPE_CHECKING:
    from .schema import PeriodSpec, Protocol

RANDOMIZATION_METHODS = ("stratified-blocks", "minimization")


def check_protocol(p: Protocol, problems: Problems) -> None:
    if len(p.arms) < 2:
        problems.add("arms", "a randomized trial needs at least two arms")
    _check_randomization(p, problems)
    _check_timepoints(p, problems)
    _check_instruments(p, problems)
    _check_consent(p, problems)
    prefixes = [s.prefix for s in p.sites]
    for prefix in sorted({x for x in prefixes if prefixes.count(x) > 1}):
        problems.add("sites", f"two sites share the participant-id prefix {prefix!r}; give each a distinct prefix")
    for n, factor in enumerate(p.factors):
        if factor.code == "site":
            problems.add(f"factors[{n}].code", "'site' is built in; do not declare it as a factor")
        if len(factor.levels) < 2:
            problems.add(f"factors[{n}].levels", "needs at least two levels")
    if p.trial.primary_timepoint and not p.timepoint(p.trial.primary_timepoint):
        problems.add("trial.primary_timepoint", f"{p.trial.primary_timepoint!r} is not one of the timepoints")


def _check_randomization(p: Protocol, problems: Problems) -> None:
    r = p.randomization
    if r.method not in RANDOMIZATION_METHODS:
        problems.add("randomization.method", f"{r.method!r} is not a method ({', '.join(RANDOMIZATION_METHODS)})")
    factor_codes = {f.code for f in p.factors}
    if "site" not in r.stratify_by:
        problems.add("randomization.stratify_by", "must include 'site' (randomization is stratified by site)")
    for key in r.stratify_by:
        if key != "site" and key not in factor_codes:
            problems.add("randomization.stratify_by", f"{key!r} is neither 'site' nor a declared [[factors]] code")
    arms = p.arm_codes()
    for n, period in enumerate(r.periods):
        path = f"randomization.periods[{n}].ratio"
        for arm in period.ratio:
            if arm not in arms:
                problems.add(path, f"names unknown arm {arm!r} (arms are {', '.join(arms)})")
        for arm in arms:
            if arm not in period.ratio:
                problems.add(path, f"gives no share to arm {arm!r}; every arm needs a whole-number share")
    _check_period_sequence(list(r.periods), problems)
    if not problems.items:
        _check_plan(p, problems)


def _check_period_sequence(periods: list[PeriodSpec], problems: Problems) -> None:
    counted = [q for q in periods if q.first_n is not None]
    if counted:
        for n, q in enumerate(periods):
            path = f"randomization.periods[{n}]"
            if q.starts or q.ends:
                problems.add(path, "mixes a date with first_n; choose periods by date or by count, not both")
            if n < len(periods) - 1 and q.first_n is None:
                problems.add(f"{path}.first_n", "is required for every period but the last")
            if n == len(periods) - 1 and q.first_n is not None:
                problems.add(f"{path}.first_n", "must be absent on the last period, which takes everyone after")
        return
    for n, q in enumerate(periods):
        path = f"randomization.periods[{n}]"
        if q.starts is None:
            problems.add(f"{path}.starts", "is required (or use first_n for count-based periods)")
            continue
        if q.ends is not None and q.ends < q.starts:
            problems.add(f"{path}.ends", f"{q.ends} is before starts {q.starts}")
        if n == 0:
            continue
        prev = periods[n - 1]
        if prev.ends is None:
            problems.add(f"randomization.periods[{n - 1}].ends",
                         f"is required: period {prev.name!r} is followed by {q.name!r}")
        elif prev.starts is not None and q.starts <= prev.ends:
            problems.add(f"{path}.starts", f"{q.starts} overlaps period {prev.name!r} (which ends {prev.ends})")
        elif q.starts != prev.ends + timedelta(days=1):
            problems.add(f"{path}.starts", f"leaves a gap after period {prev.name!r}: {prev.ends + timedelta(days=1)}"
                         f" to {q.starts - timedelta(days=1)} is in no period")


def _check_plan(p: Protocol, problems: Problems) -> None:
    """Let the allocation core confirm it can run this design (it is the final word on what it accepts)."""
    try:
        build_plan(p)
    except ValueError as exc:
        problems.add("randomization", str(exc))


def build_plan(p: Protocol) -> Any:
    r = p.randomization
    periods = tuple(randomization.Period(q.name, dict(q.ratio), starts=q.starts, ends=q.ends, first_n=q.first_n)
                    for q in r.periods)
    multipliers = r.block_multipliers or (1,)
    return randomization.AllocationPlan(arms=p.arm_codes(), periods=periods, block_multipliers=multipliers)


def _check_timepoints(p: Protocol, problems: Problems) -> None:
    baselines = [t for t in p.timepoints if t.offset_months == 0]
    if len(baselines) != 1:
        problems.add("timepoints", "needs exactly one baseline timepoint (offset_months = 0)")
    elif p.timepoints[0].offset_months != 0:
        problems.add("timepoints[0]", "the baseline timepoint (offset_months = 0) must come first")
    offsets = [t.offset_months for t in p.timepoints]
    if offsets != sorted(offsets):
        problems.add("timepoints", "must be listed in order of offset_months")
    for n, t in enumerate(p.timepoints):
        window = t.window_days_before + t.window_days_after
        if t.offset_months > 0 and window == 0:
            problems.add(f"timepoints[{n}]", "a follow-up timepoint needs a window (window_days_before/after)")
        for day in t.reminder_days:
            if day > window:
                problems.add(f"timepoints[{n}].reminder_days", f"{day} days is after the window closes ({window} days)")
        if t.offset_months == 0 and t.reminder_days:
            problems.add(f"timepoints[{n}].reminder_days", "the baseline is completed before randomization")


def _known_instrument(p: Protocol, code: str) -> Any:
    if code in p.custom_instruments:
        return instruments.define(p.custom_instruments[code], code=code)
    return instruments.get(code)


def _check_instruments(p: Protocol, problems: Problems) -> None:
    for code, definition in p.custom_instruments.items():
        if code in instruments.codes():
            problems.add(f"custom_instruments.{code}", "has the code of a built-in instrument")
            continue
        try:
            instruments.define(definition, code=code)
        except (ValueError, TypeError) as exc:
            problems.add(f"custom_instruments.{code}", str(exc))
    for n, t in enumerate(p.timepoints):
        for code in t.instruments:
            if code not in p.custom_instruments and code not in instruments.codes():
                problems.add(f"timepoints[{n}].instruments", f"{code!r} is not a known instrument "
                             f"({', '.join(instruments.codes())}, or one in [custom_instruments])")
    for code, options in p.instrument_options.items():
        path = f"instruments.{code}"
        if code not in instruments.codes() and code not in p.custom_instruments:
            problems.add(path, f"{code!r} is not a known instrument")
            continue
        instrument = _known_instrument(p, code)
        allowed = set(instrument.score_options) | {"value_set"}
        for key in sorted(set(options) - allowed):
            problems.add(f"{path}.{key}", f"unknown option (allowed: {', '.join(sorted(allowed))})")
        value_set = options.get("value_set")
        if value_set is not None:
            known = instrument.value_sets
            if value_set not in known:
                problems.add(f"{path}.value_set", f"{value_set!r} is not a value set of {code}"
                             + (f" ({', '.join(known)})" if known else " (it has none)"))


def _check_consent(p: Protocol, problems: Problems) -> None:
    dates = [c.valid_from for c in p.consent]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        problems.add("consent", "versions must be listed in order of valid_from, each with its own date")
    for n, c in enumerate(p.consent):
        for lang in p.trial.languages:
            if lang not in c.documents:
                problems.add(f"consent[{n}].document", f"has no document for language {lang!r}")
