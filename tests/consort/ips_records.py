"""Participant-level records that reproduce the Norwegian IPS trial's published flow.

Published (reference/trial-domain.md): 429 referred, 19 not included (15 declined, 1 outside the
target group, 1 with too little Norwegian, 2 waiting for disability pension), 410 randomised:
IPS 229 (start-up 2:1: 80, main 1:1: 149), control 181; questionnaires at 6 months IPS 115 /
control 78, at 12 months 105 / 75; 3 deaths, all IPS, 2 of them early. The control arm's
withdrawals and losses are not published; the ones here are invented but plausible.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from trial.consort import Departure, FlowDesign, Participant, Screening, Visit

DESIGN = FlowDesign(
    arms=(("ips", "Individual Placement and Support"), ("control", "High-quality usual follow-up")),
    periods=(("start-up", "2:1"), ("main", "1:1")),
    timepoints=("6m", "12m"),
    primary_timepoint="12m",
    trial_title="IPS for moderate to severe mental illness",
)
AS_OF = date(2016, 4, 30)
SITES = ("oslo", "hadeland", "vestfold", "follo", "elverum", "bergen")
START_UP = (date(2013, 10, 11), date(2014, 2, 1))
MAIN = (date(2014, 2, 2), date(2014, 10, 31))
EXCLUSIONS = (*[("declined", None)] * 15, ("not-eligible", "Outside target group"),
              ("other", "Insufficient Norwegian"), *[("other", "Disability pension quarantine")] * 2)

# Departures as (kind, days after randomisation, reason); 60 and 90 days fall before the 6-month
# window closes, 250 and 300 between the 6- and the 12-month window's closing.
EARLY_DEATH = ("died", 60, None)
LATE_DEATH = ("died", 300, None)
EARLY_WITHDRAWAL = ("withdrawn-follow-up", 90, "Does not want more questionnaires")
LATE_WITHDRAWAL = ("withdrawn-all", 250, "Moved abroad")
LATE_LOSS = ("lost-to-follow-up", 300, "No contact")


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _spread(first: date, last: date, count: int) -> list[date]:
    span = (last - first).days
    return [first + timedelta(days=i * span // (count - 1)) for i in range(count)]


def _allocations() -> list[tuple[str, str, date]]:
    """(arm, period, randomised on) for all 410, in randomisation order."""
    start_up = [("ips", "ips", "control")[i % 3] for i in range(120)]
    main = [("ips", "control")[i % 2] for i in range(282)] + ["ips"] * 8
    return ([(arm, "start-up", day) for arm, day in zip(start_up, _spread(*START_UP, 120), strict=True)]
            + [(arm, "main", day) for arm, day in zip(main, _spread(*MAIN, 290), strict=True)])


def _fates(arm: str) -> list[tuple[tuple[str, int, str | None] | None, bool, bool]]:
    """(departure, answered at 6 months, answered at 12 months) for every member of an arm."""
    if arm == "ips":
        leavers = [EARLY_DEATH] * 2 + [EARLY_WITHDRAWAL] * 2 + [LATE_DEATH, LATE_WITHDRAWAL]
        stayers = [(None, k < 115, 10 <= k < 115) for k in range(223)]
    else:
        leavers = [EARLY_WITHDRAWAL] * 2 + [LATE_LOSS]
        stayers = [(None, k < 78, 3 <= k < 78) for k in range(178)]
    fates = [(leaver, False, False) for leaver in leavers] + stayers
    # Spread the fates over the arm (and so over periods and sites) with a fixed permutation.
    n = len(fates)
    return [fates[(k * 7919) % n] for k in range(n)]


def _visit(randomized_on: date, months: int, answered: bool) -> Visit:
    closes_on = add_months(randomized_on, months) + timedelta(days=42)
    return Visit(f"{months}m", closes_on, closes_on - timedelta(days=30) if answered else None)


def ips_trial() -> tuple[FlowDesign, list[Screening], list[Participant]]:
    """The design and the 429 screenings and 410 participants of the IPS trial."""
    screenings: list[Screening] = []
    participants: list[Participant] = []
    fates = {"ips": iter(_fates("ips")), "control": iter(_fates("control"))}
    for i, (arm, period, day) in enumerate(_allocations()):
        site = SITES[i % len(SITES)]
        screenings.append(Screening(f"S{i:03d}", site, max(day - timedelta(days=10), date(2013, 10, 1)),
                                    "randomized", ended_on=day))
        departure, at_6, at_12 = next(fates[arm])
        departures = () if departure is None else (
            Departure(departure[0], day + timedelta(days=departure[1]), departure[2]),)
        participants.append(Participant(f"P{i:03d}", site, arm, period, day, departures,
                                        (_visit(day, 6, at_6), _visit(day, 12, at_12))))
    referred = _spread(date(2013, 10, 1), date(2014, 10, 24), len(EXCLUSIONS))
    for j, ((category, reason), day) in enumerate(zip(EXCLUSIONS, referred, strict=True)):
        screenings.append(Screening(f"X{j:02d}", SITES[j % len(SITES)], day, "excluded",
                                    ended_on=day + timedelta(days=7), category=category, reason=reason))
    return DESIGN, screenings, participants
