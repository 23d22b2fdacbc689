"""Which differences between two versions of a protocol an amendment may make.

A running trial can add sites, consent versions, future periods and wording; it cannot change what
already-made allocations depend on: the arms, the strata, the method and block design, or any
period that has started, and it cannot rewrite an approved consent text.
"""
from __future__ import annotations

from datetime import date

from .schema import PeriodSpec, Protocol


def amendment_problems(old: Protocol, new: Protocol, today: date, randomized: int) -> list[str]:
    """Every reason the new version cannot replace the old one; empty when the amendment is allowed."""
    problems: list[str] = []
    if new.trial.timezone != old.trial.timezone:
        problems.append("trial.timezone: cannot change after loading (period dates are read in it)")
    if new.arm_codes() != old.arm_codes():
        problems.append(f"arms: cannot change the arms of a loaded trial ({', '.join(old.arm_codes())}); "
                        "labels may change, codes may not")
    old_r, new_r = old.randomization, new.randomization
    if (new_r.method, new_r.stratify_by) != (old_r.method, old_r.stratify_by):
        problems.append("randomization: the method and stratify_by cannot change once a trial is loaded")
    _check_factors(old, new, problems)
    started = _started_periods(old.randomization.periods, today, randomized)
    if started and new_r.block_multipliers != old_r.block_multipliers:
        problems.append("randomization.block_multipliers: cannot change after randomization has started")
    _check_periods(old, new, started, today, problems)
    _check_sites(old, new, problems)
    _check_consent(old, new, problems, today)
    if randomized:
        for t in old.timepoints:
            changed = new.timepoint(t.code)
            if changed is None or changed.offset_months != t.offset_months:
                problems.append(f"timepoints: {t.code!r} cannot be removed or moved once participants are randomized")
    return problems


def _started_periods(periods: tuple[PeriodSpec, ...], today: date, randomized: int) -> list[PeriodSpec]:
    if any(q.first_n is not None for q in periods):
        # Count-based periods run per stratum: once anyone is randomized, the whole sequence is in use.
        return list(periods) if randomized else []
    return [q for q in periods if q.starts is not None and q.starts <= today]


def _check_periods(old: Protocol, new: Protocol, started: list[PeriodSpec], today: date,
                   problems: list[str]) -> None:
    new_by_name = {q.name: q for q in new.randomization.periods}
    for q in started:
        changed = new_by_name.get(q.name)
        if changed is None:
            problems.append(f"randomization.periods: period {q.name!r} has started and cannot be removed")
            continue
        if (changed.ratio, changed.starts, changed.first_n) != (q.ratio, q.starts, q.first_n):
            problems.append(f"randomization.periods: period {q.name!r} has started; its ratio and start cannot change")
        ended = q.ends is not None and q.ends < today
        if changed.ends != q.ends and (ended or (changed.ends is not None and changed.ends < today)):
            problems.append(f"randomization.periods: period {q.name!r} cannot end in the past "
                            f"(ends {q.ends}, asked {changed.ends}; today is {today})")


def _check_factors(old: Protocol, new: Protocol, problems: list[str]) -> None:
    new_factors = {f.code: f for f in new.factors}
    for f in old.factors:
        changed = new_factors.get(f.code)
        if changed is None or not set(f.levels) <= set(changed.levels):
            problems.append(f"factors: {f.code!r} cannot be removed or lose levels (strata depend on it)")


def _check_sites(old: Protocol, new: Protocol, problems: list[str]) -> None:
    for site in old.sites:
        changed = new.site(site.code)
        if changed is None:
            problems.append(f"sites: {site.code!r} cannot be removed; set active = false to stop recruiting there")
        elif changed.prefix != site.prefix:
            problems.append(f"sites: {site.code!r} cannot change its participant-id prefix ({site.prefix})")


def _check_consent(old: Protocol, new: Protocol, problems: list[str], today: date) -> None:
    known = {c.version for c in old.consent}
    for c in new.consent:
        if c.version not in known and c.valid_from <= today:
            problems.append(f"consent: new version {c.version!r} must come into force after today ({today}); "
                            "an earlier date would change which version was in force for consents already taken")
    for c in old.consent:
        changed = new.consent_version(c.version)
        if changed is None:
            problems.append(f"consent: version {c.version!r} cannot be removed (participants may have signed it)")
        elif changed.sha256 != c.sha256 or changed.valid_from != c.valid_from:
            problems.append(f"consent: version {c.version!r} is approved and cannot change; add a new version")
