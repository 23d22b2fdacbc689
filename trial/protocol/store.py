"""Storing a loaded protocol as a trial and its versions (creation and amendments)."""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, clock
from ..crypto import KeyRing
from ..models import Arm, ConsentDocument, Participant, Site, Trial, TrialVersion, Visit
from .amend import amendment_problems
from .fields import ProtocolError
from .loader import LoadedProtocol
from .schema import Protocol, parse

Outcome = Literal["created", "amended", "unchanged"]


@dataclass(frozen=True)
class StoreResult:
    trial: Trial
    version: TrialVersion
    outcome: Outcome


def definition_sha256(protocol: Protocol) -> str:
    canonical = json.dumps(protocol.definition(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def secret_context(trial_code: str) -> str:
    return f"trial.allocation_secret|{trial_code}"


# Parsed trial versions by the SHA-256 of their definition: a stored version never changes, so its
# parse (full validation included) is done once per process, not on every request and dispatcher pass.
_PARSED: dict[str, Protocol] = {}
_PARSED_MAX = 64


def current_protocol(trial: Trial) -> Protocol:
    version = trial.current_version
    parsed = _PARSED.get(version.sha256)
    if parsed is None:
        parsed = parse(version.definition, source=f"{trial.code} version {version.number}")
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[version.sha256] = parsed
    return parsed


def store(session: Session, loaded: LoadedProtocol, *, actor: str, keyring: KeyRing) -> StoreResult:
    """Create the trial, or add an amendment version; refuse changes that would break randomization."""
    p = loaded.protocol
    sha = definition_sha256(p)
    trial = session.scalars(select(Trial).where(Trial.code == p.trial.code).with_for_update()).one_or_none()
    if trial is None:
        trial = Trial(code=p.trial.code, title=p.trial.title, timezone=p.trial.timezone, created_at=clock.now(),
                      allocation_secret=keyring.encrypt(secrets.token_bytes(32), secret_context(p.trial.code)))
        session.add(trial)
        outcome: Outcome = "created"
    else:
        if trial.current_version.sha256 == sha:
            return StoreResult(trial, trial.current_version, "unchanged")
        old = current_protocol(trial)
        # Count-based periods are in use from the first randomization on, whatever the date.
        randomized = session.scalar(select(func.count()).select_from(Participant)
                                    .where(Participant.trial_id == trial.id)) or 0
        problems = amendment_problems(old, p, clock.today(old.trial.timezone), randomized)
        if problems:
            raise ProtocolError(problems, f"amendment of {trial.code}")
        trial.title = p.trial.title
        _schedule_new_timepoints(session, trial, old, p)
        outcome = "amended"
    number = len(trial.versions) + 1
    version = TrialVersion(trial=trial, number=number, definition=p.definition(), sha256=sha,
                           source_name=loaded.source_name, loaded_at=clock.now(), loaded_by=actor)
    session.add(version)
    _sync_rows(session, trial, loaded)
    session.flush()
    audit.record(session, actor=actor, action=f"protocol.{'load' if outcome == 'created' else 'amend'}",
                 trial_code=trial.code, entity=f"trial_version:{number}",
                 details={"version": number, "sha256": sha, "source": loaded.source_name})
    return StoreResult(trial, version, outcome)


def _sync_rows(session: Session, trial: Trial, loaded: LoadedProtocol) -> None:
    """Bring sites, arms and consent documents in line with the new version (additions and relabels)."""
    p = loaded.protocol
    sites = {s.code: s for s in trial.sites}
    for spec in p.sites:
        site = sites.get(spec.code) or Site(trial=trial, code=spec.code, prefix=spec.prefix)
        site.name, site.target, site.active = spec.name, spec.target, spec.active
        session.add(site)
    arms = {a.code: a for a in trial.arms}
    for arm_spec in p.arms:
        arm = arms.get(arm_spec.code) or Arm(trial=trial, code=arm_spec.code)
        arm.label = arm_spec.label.get("en") or next(iter(arm_spec.label.values()))
        session.add(arm)
    existing = set()
    if trial.id is not None:
        existing = {(d.version, d.language) for d in session.scalars(
            select(ConsentDocument).where(ConsentDocument.trial_id == trial.id))}
    for consent in p.consent:
        for lang in consent.documents:
            if (consent.version, lang) in existing:
                continue
            text = loaded.consent_texts[(consent.version, lang)]
            session.add(ConsentDocument(trial=trial, version=consent.version, language=lang,
                                        valid_from=consent.valid_from, text=text, sha256=consent.sha256[lang]))


def _schedule_new_timepoints(session: Session, trial: Trial, old: Protocol, new: Protocol) -> None:
    """A follow-up timepoint added by an amendment is scheduled for everyone already randomized, from
    their own randomization date, so every participant has a visit for every timepoint."""
    from ..schedule import plan_visits

    added = [t for t in new.timepoints if t.offset_months > 0 and old.timepoint(t.code) is None]
    if not added:
        return
    for participant in session.scalars(select(Participant).where(Participant.trial_id == trial.id)):
        for planned in plan_visits(participant.randomized_on, added):
            session.add(Visit(participant=participant, timepoint=planned.timepoint, due_on=planned.due_on,
                              opens_on=planned.opens_on, closes_on=planned.closes_on, status="scheduled"))
