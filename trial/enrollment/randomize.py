"""Randomization: one transaction, serialised per site and per (stratum, period) list.

The site row is locked first (it also numbers participants), then the stratum's counter row; the
period is chosen and the next position of that list taken under those locks, the participant,
allocation, visits and audit entry written, and the caller commits. On SQLite every transaction
already holds the write lock (BEGIN IMMEDIATE). A repeated request, or one carrying the same
Idempotency-Key, returns the stored allocation and never takes a second position.
"""
from __future__ import annotations

import hashlib
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
from ..models import Allocation, Participant, Screening, Site, StratumCounter, Visit
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
    counter = _lock_counter(access.trial.id, stratum, period.name)
    slot = plan.slot(trial_secret(access), stratum, period.name, counter.next_position)
    counter.next_position += 1
    participant = _participant(access, screening, site, slot.arm, on)
    allocation = Allocation(
        participant=participant, trial_id=access.trial.id, stratum=stratum, factors=factors, period=period.name,
        ratio=slot.ratio, probability=str(slot.probability), position=slot.position, block_index=slot.block_index,
        block_size=slot.block_size, algorithm=randomization.ALGORITHM_VERSION,
        protocol_version=access.trial.current_version.number, randomized_at=clock.now(),
        randomized_by=access.actor, idempotency_key=idempotency_key, request_hash=fingerprint)
    db.session.add(allocation)
    _schedule(p, participant)
    screening.status, screening.ended_on = "randomized", on
    db.session.flush()
    audit.record(db.session, actor=access.actor, action="randomization", trial_code=access.trial.code,
                 entity=f"participant:{participant.code}",
                 details={"screening": screening.uid, "site": site.code, "stratum": stratum, "period": period.name,
                          "ratio": slot.ratio, "position": slot.position, "arm": slot.arm})
    return Randomized(participant, allocation, replayed=False)


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
