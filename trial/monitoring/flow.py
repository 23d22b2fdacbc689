"""From the database to the CONSORT engine's plain records, as a given role may see them.

Blinded roles get arms as masked codes ("Arm A"), consistently with every other output, and
coordinators get their own sites only.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import consort as engine
from ..enrollment.common import protocol, today, trial_secret
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..masking import arm_masks
from ..models import Participant, ParticipantEvent, Screening
from ..policy import Access, Permission
from ..protocol import Protocol
from ..sealing import unseal

STATUS = {"excluded": "excluded", "randomized": "randomized"}


def arm_names(access: Access) -> dict[str, str]:
    """Arm code -> the code this role sees (itself, or its mask)."""
    codes = tuple(a.code for a in access.trial.arms)
    if access.allows(Permission.SEE_ARMS):
        return {code: code for code in codes}
    return arm_masks(trial_secret(access), codes)


def design(access: Access, p: Protocol) -> engine.FlowDesign:
    """The diagram's arms and periods. For masked roles the columns follow the masks (a keyed shuffle),
    not the protocol's order, and a ratio is printed largest share first without naming arms, so neither
    the column order nor "2:1" tells which masked arm is which. (Unequal arm sizes still hint at it:
    that is inherent in showing masked counts of an unequally allocated trial.)"""
    names = arm_names(access)
    masked = not access.allows(Permission.SEE_ARMS)
    if masked:
        arms = tuple(sorted((names[code], names[code]) for code in p.arm_codes()))
        periods = tuple((q.name, ":".join(str(r) for r in sorted(q.ratio.values(), reverse=True)))
                        for q in p.randomization.periods)
    else:
        arms = tuple((a.code, a.label.get("en", a.code)) for a in p.arms)
        periods = tuple((q.name, ":".join(str(q.ratio[a]) for a in p.arm_codes())) for q in p.randomization.periods)
    follow_up = tuple(t.code for t in p.timepoints if t.offset_months > 0)
    return engine.FlowDesign(arms=arms, periods=periods, timepoints=follow_up,
                             primary_timepoint=p.trial.primary_timepoint, trial_title=p.trial.title)


def flow_site(access: Access, site: str | None) -> str | None:
    """The site a flow is limited to: any (or none) for trial-wide roles, one of their own for coordinators."""
    allowed = access.site_ids()
    by_code = {s.code: s for s in access.trial.sites}
    if site is not None and site not in by_code:
        raise InvalidInput("unknown site", errors={"site": "not a site of this trial"})
    if allowed is None:
        return site
    mine = [s.code for s in access.trial.sites if s.id in allowed]
    if site is None and len(mine) == 1:
        return mine[0]
    if site is None or site not in mine:
        raise Forbidden("coordinators see the flow of their own sites: choose one with ?site=")
    return site


def flow(access: Access, *, as_of: date | None = None, site: str | None = None) -> tuple[dict[str, Any], Any]:
    """The CONSORT JSON and its design, for this role, as of a date (default: today in the trial's zone)."""
    if access.arms_hidden:
        raise Forbidden("in a blinded trial, site staff do not see the flow by arm; the recruitment page "
                        "shows their sites without arms")
    p = protocol(access)
    as_of = as_of or today(access)
    site = flow_site(access, site)
    flow_design = design(access, p)
    result = engine.consort(flow_design, _screenings(access, site, p), _participants(access, p, site),
                            as_of=as_of, site=site)
    return result, flow_design


# Free text typed by staff may name a person; published counts use only the protocol's coded reasons and
# the generated not-eligible reasons, and count anything else under its category's default label.
FREE_TEXT_DEPARTURE = "Reason recorded in the participant's file"


def published_reason(p: Protocol, category: str | None, reason: str | None) -> str | None:
    if reason is None or category is None:
        return None
    coded = {r.text for r in p.exclusion_reasons if r.category == category}
    if reason in coded or (category == "not-eligible" and reason.startswith("Not eligible: ")):
        return reason
    return None


def _screenings(access: Access, site: str | None, p: Protocol | None = None) -> list[engine.Screening]:
    sites = {s.id: s.code for s in access.trial.sites}
    rows = db.session.scalars(select(Screening).where(Screening.trial_id == access.trial.id)
                              .order_by(Screening.id)).all()
    return [engine.Screening(
        id=s.uid, site=sites[s.site_id], referred_on=s.referred_on, status=STATUS.get(s.status, "screening"),
        ended_on=s.ended_on if s.status in STATUS else None,
        category=s.exclusion_category if s.status == "excluded" else None,
        reason=published_reason(p or protocol(access), s.exclusion_category,
                                unseal(s, "exclusion_reason")) if s.status == "excluded" else None,
        sex=s.sex, birth_year=s.birth_year) for s in rows if site is None or sites[s.site_id] == site]


def _participants(access: Access, p: Protocol, site: str | None) -> list[engine.Participant]:
    names, sites = arm_names(access), {s.id: s.code for s in access.trial.sites}
    follow_up = {t.code for t in p.timepoints if t.offset_months > 0}
    rows = db.session.scalars(select(Participant).where(Participant.trial_id == access.trial.id)
                              .options(selectinload(Participant.visits), selectinload(Participant.allocation))
                              .order_by(Participant.id)).all()
    events = _events([r.id for r in rows])
    return [engine.Participant(
        id=r.code, site=sites[r.site_id], arm=names[r.arm], period=r.allocation.period,
        randomized_on=r.randomized_on, departures=tuple(events.get(r.id, ())),
        visits=tuple(engine.Visit(v.timepoint, v.closes_on, v.completed_on) for v in r.visits
                     if v.timepoint in follow_up))
        for r in rows if site is None or sites[r.site_id] == site]


def _events(participant_ids: list[int]) -> dict[int, list[engine.Departure]]:
    found: dict[int, list[engine.Departure]] = {}
    if not participant_ids:
        return found
    rows = db.session.scalars(select(ParticipantEvent).where(ParticipantEvent.participant_id.in_(participant_ids))
                              .order_by(ParticipantEvent.on, ParticipantEvent.id))
    for event in rows:
        if event.kind in engine.records.DEPARTURE_KINDS:
            found.setdefault(event.participant_id, []).append(
                engine.Departure(event.kind, event.on,  # type: ignore[arg-type]  # kind checked above
                                 FREE_TEXT_DEPARTURE if event.reason_enc is not None else None))
    return found


def visible_sites(access: Access) -> list[Any]:
    """The trial's sites this role may see, in the protocol's order: all, or a coordinator's own."""
    allowed = access.site_ids()
    return [s for s in access.trial.sites if allowed is None or s.id in allowed]


def site_records(access: Access, sites: set[str]) -> tuple[list[engine.Screening], list[engine.Participant]]:
    """The screening log and participants of several sites (codes) at once, arms named as this role sees them.

    Monitoring pools a coordinator's sites, which `flow()` (one site or the whole trial) does not.
    """
    mine = {s.code for s in visible_sites(access)}
    if not sites <= mine:
        raise Forbidden("you do not work at every site asked for")
    p = protocol(access)
    return ([s for s in _screenings(access, None) if s.site in sites],
            [r for r in _participants(access, p, None) if r.site in sites])
