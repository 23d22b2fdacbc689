"""Randomization: one transaction, serialised per site and per (stratum, period) list.

The site row is locked first (it also numbers participants), then the stratum's counter row; the
period is chosen and the next position of that list taken under those locks, the participant,
allocation, visits and audit entry written, and the caller commits. On SQLite every transaction
already holds the write lock (BEGIN IMMEDIATE). A repeated request, or one carrying the same
Idempotency-Key, returns the stored allocation and never takes a second position.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

import randomization

from .. import audit, clock
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Allocation, Participant, Screening, Site, StratumCounter, Trial, Visit
from ..policy import Access
from ..protocol import Protocol
from ..protocol.checks import build_plan
from ..schedule import plan_visits
from .common import protocol, require_state, today, trial_secret


@dataclass(frozen=True)
class Randomized:
    participant: Participant
    allocation: Allocation
    replayed: bool


def request_fingerprint(screening_uid: str, factors: dict[str, Any]) -> str:
    canonical = json.dumps({"screening": screening_uid, "factors": factors}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def randomize(access: Access, screening: Screening, factors: dict[str, Any],
              idempotency_key: str | None = None) -> Randomized:
    fingerprint = request_fingerprint(screening.uid, factors)
    # populate_existing: the row may already be in the session from before the lock; use what the lock saw.
    site = db.session.scalars(select(Site).where(Site.id == screening.site_id).with_for_update()
                              .execution_options(populate_existing=True)).one()
    db.session.refresh(screening, with_for_update=True)  # read the status again under the site's lock
    replay = _replay(access, screening, idempotency_key, fingerprint)
    if replay is not None:
        return replay
    require_state(screening, "ready", doing="randomize")
    p = protocol(access)
    stratum = randomization.stratum_key(p.randomization.stratify_by, {"site": site.code, **_factors(p, factors)})
    on = today(access)
    plan = build_plan(p)
    in_stratum = db.session.scalar(select(func.count()).select_from(Allocation).where(
        Allocation.trial_id == access.trial.id, Allocation.stratum == stratum)) or 0
    try:
        period = plan.period_for(on, in_stratum)
    except randomization.RandomizationError as exc:
        raise Conflict(f"no allocation period of the protocol covers {on}: {exc}") from exc
    if p.randomization.method == "minimization":
        drawn = _by_minimization(access, p, {"site": site.code, **_factors(p, factors)}, period)
    else:
        drawn = _from_list(access, plan, stratum, period.name)
    participant = _participant(access, screening, site, drawn.arm, on)
    allocation = Allocation(
        participant=participant, trial_id=access.trial.id, stratum=stratum, factors=factors, period=period.name,
        ratio=drawn.ratio, probability=drawn.probability, position=drawn.position, block_index=drawn.block_index,
        block_size=drawn.block_size, algorithm=drawn.algorithm,
        protocol_version=access.trial.current_version.number, randomized_at=clock.now(),
        randomized_by=access.actor, idempotency_key=idempotency_key, request_hash=fingerprint)
    db.session.add(allocation)
    _schedule(p, participant)
    screening.status, screening.ended_on = "randomized", on
    db.session.flush()
    # The audit trail is read by administrators, who may not see arms: it holds a keyed commitment to
    # the arm (verifiable by whoever holds the trial's secret), never the arm itself.
    commitment = hmac.new(trial_secret(access), f"arm|{participant.code}|{drawn.arm}".encode(),
                          hashlib.sha256).hexdigest()
    audit.record(db.session, actor=access.actor, action="randomization", trial_code=access.trial.code,
                 entity=f"participant:{participant.code}",
                 details={"screening": screening.uid, "site": site.code, "stratum": stratum, "period": period.name,
                          "ratio": drawn.ratio, "position": drawn.position, "arm_commitment": commitment,
                          "algorithm": drawn.algorithm, **({"draw": drawn.draw} if drawn.draw is not None else {})})
    return Randomized(participant, allocation, replayed=False)


@dataclass(frozen=True)
class Drawn:
    """What either method decided for one participant."""

    arm: str
    ratio: str
    probability: str
    position: int
    algorithm: str
    block_index: int = 0
    block_size: int = 0
    draw: float | None = None     # minimization's uniform draw, logged so the allocation can be replayed


def _from_list(access: Access, plan: Any, stratum: str, period: str) -> Drawn:
    """The next position of the (stratum, period) list, under that list's counter-row lock."""
    counter = _lock_counter(access.trial.id, stratum, period)
    slot = plan.slot(trial_secret(access), stratum, period, counter.next_position)
    counter.next_position += 1
    return Drawn(arm=slot.arm, ratio=slot.ratio, probability=str(slot.probability), position=slot.position,
                 algorithm=randomization.ALGORITHM_VERSION, block_index=slot.block_index,
                 block_size=slot.block_size)


def _by_minimization(access: Access, p: Protocol, covariates: dict[str, str], period: Any) -> Drawn:
    """Pocock-Simon over the trial's factors, given everyone allocated before in this period.

    Minimization depends on the whole trial, so the trial row is locked (after the site row, the
    same order everywhere); each period starts afresh with its own keyed stream."""
    db.session.scalars(select(Trial).where(Trial.id == access.trial.id).with_for_update()).one()
    rows = db.session.execute(select(Allocation.factors, Participant.arm, Site.code).select_from(Allocation)
                              .join(Participant, Allocation.participant_id == Participant.id)
                              .join(Site, Participant.site_id == Site.id)
                              .where(Allocation.trial_id == access.trial.id, Allocation.period == period.name)
                              .order_by(Allocation.position)).all()
    prior = [({"site": site, **factors}, arm) for factors, arm, site in rows]
    method = randomization.Minimization(p.arm_codes(), dict(period.ratio), p.randomization.stratify_by,
                                        random_element=p.randomization.random_element or 0.8)
    secret = hmac.new(trial_secret(access), f"minimization|{period.name}".encode(), hashlib.sha256).digest()
    result = method.allocate(secret, len(prior), covariates, prior)
    return Drawn(arm=result.arm, ratio=result.ratio, probability=str(result.probability), position=len(prior),
                 algorithm=randomization.MINIMIZATION_VERSION, draw=float(result.draw))


def _replay(access: Access, screening: Screening, key: str | None, fingerprint: str) -> Randomized | None:
    if key is not None:
        earlier = db.session.scalars(select(Allocation).where(
            Allocation.trial_id == access.trial.id, Allocation.idempotency_key == key)).one_or_none()
        if earlier is not None and earlier.request_hash != fingerprint:
            raise InvalidInput("this Idempotency-Key was used for a different request",
                               errors={"Idempotency-Key": "reused with a different body"})
    if screening.status != "randomized" or screening.participant is None:
        return None
    participant = screening.participant
    audit.record(db.session, actor=access.actor, action="randomization.replayed", trial_code=access.trial.code,
                 entity=f"participant:{participant.code}", details={"screening": screening.uid})
    return Randomized(participant, participant.allocation, replayed=True)


def _factors(p: Protocol, given: dict[str, Any]) -> dict[str, str]:
    declared = {f.code: f for f in p.factors if f.code in p.randomization.stratify_by}
    errors = {code: "not a stratification factor of this trial" for code in given if code not in declared}
    for code, factor in declared.items():
        if given.get(code) not in factor.levels:
            errors[code] = f"one of {', '.join(factor.levels)}"
    if errors:
        raise InvalidInput("the stratification factors are not complete", errors=errors)
    return {code: str(given[code]) for code in declared}


def _lock_counter(trial_id: int, stratum: str, period: str) -> StratumCounter:
    """The (stratum, period) counter row, created on first use and locked FOR UPDATE."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(StratumCounter).values(trial_id=trial_id, stratum=stratum, period=period,
                                                     next_position=0).on_conflict_do_nothing())
    return db.session.scalars(select(StratumCounter).where(
        StratumCounter.trial_id == trial_id, StratumCounter.stratum == stratum, StratumCounter.period == period)
        .with_for_update().execution_options(populate_existing=True)).one()


def _participant(access: Access, screening: Screening, site: Site, arm: str, on: Any) -> Participant:
    code = f"{site.prefix}-{site.next_number:04d}"
    site.next_number += 1
    participant = Participant(code=code, trial_id=access.trial.id, site_id=site.id, screening=screening, arm=arm,
                              status="active", randomized_on=on)
    db.session.add(participant)
    return participant


def _schedule(p: Protocol, participant: Participant) -> None:
    for planned in plan_visits(participant.randomized_on, p.timepoints):
        db.session.add(Visit(participant=participant, timepoint=planned.timepoint, due_on=planned.due_on,
                             opens_on=planned.opens_on, closes_on=planned.closes_on, status="scheduled"))
