"""What the monitoring pages show, counted from the records the signed-in role may see.

Role rules (issue 8): coordinators see their own sites; statisticians and administrators the whole
trial. Arm-level results are shown with the arms' names to roles that may see arms, as masked codes
("Arm A") to blinded statisticians and administrators, and not at all to coordinators of a blinded
trial. Allocations per arm and period are shown only with named arms: under an unequal ratio
(2:1 in the start-up period) per-period counts of masked arms would tell which arm is which.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import consort as engine
from ..consort.labels import Labels
from ..enrollment.common import protocol
from ..errors import Forbidden
from ..models import Role, Site
from ..policy import Access, Permission
from .charts import LineChart, render_line_chart
from .flow import arm_names, design, site_records, visible_sites
from .recruitment import (
    Rate,
    allocations_by_period,
    cumulative_randomized,
    decliners_and_participants,
    followup_completion,
    month_ends,
    pooled,
)

# Words for the codes the CONSORT engine and the screening log use, in the order pages list them.
FOLLOWUP_STATES = (("completed", _l("Questionnaire returned")), ("missed", _l("Missed, still in the study")),
                   ("withdrawn", _l("Withdrawn")), ("died", _l("Died")), ("lost", _l("Lost to follow-up")),
                   ("pending", _l("Window still open")))
EXCLUSION_CATEGORIES = (("not-eligible", _l("Not meeting inclusion criteria")),
                        ("declined", _l("Declined to participate")), ("other", _l("Other reasons")))
SEX_LABELS = (("female", _l("Female")), ("male", _l("Male")), ("other", _l("Other")),
              ("not-recorded", _l("Not recorded")))
# The reasons the engine records when none was given, as the page words them.
DEFAULT_REASONS = {engine.DEFAULT_REASONS["not-eligible"]: _l("Not meeting inclusion criteria"),
                   engine.DEFAULT_REASONS["declined"]: _l("Declined"),
                   engine.DEFAULT_REASONS["other"]: _l("Other reasons"),
                   engine.NO_REASON_GIVEN: _l("No reason given")}


@dataclass(frozen=True)
class Scope:
    """What a page counts: a cut-off date, the sites, and the arms as this role may see them."""

    as_of: date
    sites: tuple[Site, ...]
    whole_trial: bool
    arms: tuple[tuple[str, str], ...]   # (code in the records, label shown); () = no arm-level results
    named_arms: bool

    @property
    def site_codes(self) -> set[str]:
        return {s.code for s in self.sites}


def make_scope(access: Access, as_of: date, site: str | None) -> Scope:
    """One of this role's sites, or all of them when `site` is None."""
    visible = visible_sites(access)
    chosen = tuple(s for s in visible if site is None or s.code == site)
    if not chosen:
        raise Forbidden("you do not work at that site")
    arms, named = shown_arms(access)
    return Scope(as_of, chosen, len(chosen) == len(access.trial.sites), arms, named)


def shown_arms(access: Access) -> tuple[tuple[tuple[str, str], ...], bool]:
    """The arms' codes and labels as this role sees them, and whether they are the real arms."""
    if access.allows(Permission.SEE_ARMS):
        language = str(get_locale())
        return tuple((a.code, a.label.get(language) or a.label.get("en") or a.code)
                     for a in protocol(access).arms), True
    if access.role is Role.COORDINATOR:
        return (), False
    # Sorted by mask, so the order on the page says nothing about the protocol's order.
    return tuple(sorted((mask, mask) for mask in arm_names(access).values())), False


def recruitment(access: Access, scope: Scope) -> dict[str, Any]:
    """Recruitment against target, allocations by period, exclusions, and decliners against participants."""
    screenings, participants = site_records(access, scope.site_codes)
    flow_design = design(access, protocol(access))
    flow = engine.consort(flow_design, screenings, participants, as_of=scope.as_of)
    referred = [s.referred_on for s in screenings if s.referred_on <= scope.as_of]
    days = month_ends(min(referred), scope.as_of) if referred else []
    series = cumulative_randomized(participants, [s.code for s in scope.sites], days)
    total_target = _total_target(access, scope)
    return {
        "flow": flow,
        "days": days,
        "series": series,
        "totals": [sum(counts) for counts in zip(*series.values(), strict=True)] if days else [],
        "targets": {s.code: s.target for s in scope.sites},
        "total_target": total_target,
        "charts": _charts(scope, days, series, total_target) if days else [],
        "periods": flow_design.periods,
        "allocations": allocations_by_period(flow_design, participants, scope.as_of),
        "groups": decliners_and_participants(screenings, scope.as_of),
    }


def _total_target(access: Access, scope: Scope) -> int | None:
    if scope.whole_trial and protocol(access).trial.target:
        return protocol(access).trial.target
    targets = [s.target for s in scope.sites]
    return sum(t for t in targets if t is not None) if all(t is not None for t in targets) else None


def _charts(scope: Scope, days: list[date], series: dict[str, list[int]],
            total_target: int | None) -> list[tuple[str, Markup]]:
    """(site name, chart) for each site, then for all of them together."""
    labels = tuple(day.strftime("%Y-%m") for day in days)
    charts = [(s.name, series[s.code], s.target) for s in scope.sites]
    if len(scope.sites) > 1:
        name = _("All sites") if scope.whole_trial else _("All your sites")
        charts.append((name, [sum(c) for c in zip(*series.values(), strict=True)], total_target))
    return [(name, Markup(render_line_chart(_chart(name, labels, values, target, scope.as_of),  # noqa: S704
                                            chart_id=f"recruitment-{n}")))  # the chart escapes its own text
            for n, (name, values, target) in enumerate(charts, start=1)]


def _chart(name: str, labels: tuple[str, ...], values: list[int], target: int | None,
           as_of: date) -> LineChart:
    title = _("%(site)s: participants randomised, cumulative", site=name)
    if target is None:
        description = _("%(n)s randomised by %(date)s; no target set.", n=values[-1], date=as_of.isoformat())
    else:
        description = _("%(n)s randomised by %(date)s, against a target of %(target)s (%(percent)s).",
                        n=values[-1], date=as_of.isoformat(), target=target,
                        percent=percent(Rate(values[-1], target)))
    description += " " + _("The table below gives the number at the end of each month.")
    return LineChart(title, description, labels, tuple(values), target,
                     _("Target %(n)s", n=target) if target is not None else "")


def followup(access: Access, scope: Scope) -> list[dict[str, Any]]:
    """Per follow-up timepoint: completion by site for each arm shown, then for all arms together."""
    _screenings, participants = site_records(access, scope.site_codes)
    flow_design = design(access, protocol(access))
    cells = followup_completion(flow_design, participants, scope.as_of)
    timepoints = []
    for code in flow_design.timepoints:
        found = cells[code]
        # Sites with no one randomised in a group are left out: "0 of 0" is no information.
        groups = [(label, [(s, found[(s.code, arm)]) for s in scope.sites if (s.code, arm) in found])
                  for arm, label in scope.arms]
        everyone = [(s, pooled(c for (site, _arm), c in found.items() if site == s.code))
                    for s in scope.sites if any(site == s.code for site, _arm in found)]
        tables = [{"arm": label, "rows": rows, "total": pooled(c for _s, c in rows)}
                  for label, rows in groups]
        tables.append({"arm": None, "rows": everyone, "total": pooled(c for _s, c in everyone)})
        timepoints.append({"code": code, "label": timepoint_label(code),
                           "primary": code == flow_design.primary_timepoint, "tables": tables})
    return timepoints


def timepoint_label(code: str) -> str:
    """'6m' -> '6 months' / '6 måneder', as the diagram words it."""
    return Labels("2010", "nb" if str(get_locale()) == "nb" else "en").timepoint(code)


def number(value: float | None) -> str:
    """A count or an age in the page's language (decimal comma in Norwegian), or a dash."""
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def percent(rate: Rate) -> str:
    """A rate's percentage in the page's language ("50 %" in Norwegian), or a dash with no denominator."""
    return "–" if rate.percent is None else format_percent(Decimal(rate.percent) / 100)
