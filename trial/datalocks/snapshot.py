"""The records a lock covers, read from the live database in a canonical, hashable form.

One record per participant, follow-up visit, questionnaire response and participant event, plus
one `protocol|design` record (the protocol version in force and what the responses hold), so an
export can be rebuilt from the lock alone. Each record's hash is an HMAC-SHA256 of its kind, key and
canonical JSON content, keyed per trial (from the trial's secret, under its own label): a plain
SHA-256 of so little content (a sealed answer is one of a few options) could be reversed by trying
every value. A lock's SHA-256 covers its sorted record hashes. Records come participant by
participant in participant-id order, which is also the export's order.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Participant, ParticipantEvent, Response, Trial
from ..protocol.store import secret_context
from ..sealing import keyring, unseal, unseal_json

DESIGN_KIND, DESIGN_KEY = "protocol", "design"
RECORD_LABEL = b"trial/lock-record/v1"
_BATCH = 500


@dataclass(frozen=True)
class SnapshotRecord:
    """One covered record: `kind` and `key` name it (key starts with the participant id)."""

    kind: str
    key: str
    content: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    hash_key: bytes = field(default=b"", repr=False, compare=False)

    @property
    def sha256(self) -> str:
        return record_sha256(self.hash_key, self.kind, self.key, self.content)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_key(trial: Trial) -> bytes:
    """The trial's key for record hashes (derive once per pass: it costs a decryption). Derived from
    the trial's secret, it survives encryption-key rotation, so a lock verifies as long as it exists."""
    secret = keyring().decrypt(trial.allocation_secret, secret_context(trial.code))
    return hmac.new(secret, RECORD_LABEL, hashlib.sha256).digest()


def record_sha256(hash_key: bytes, kind: str, key: str, content: Any) -> str:
    """The record's HMAC-SHA256 under the trial's record key (hex), as stored in `locked_record.sha256`."""
    if not hash_key:
        raise ValueError("a record hash needs the trial's record key")
    body = canonical_json({"kind": kind, "key": key, "content": content})
    return hmac.new(hash_key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def lock_sha256(record_hashes: Iterable[str]) -> str:
    """The lock's hash: SHA-256 over its records' hashes, sorted, one per line."""
    return hashlib.sha256("".join(f"{h}\n" for h in sorted(record_hashes)).encode("ascii")).hexdigest()


def live_records(trial: Trial) -> Iterator[SnapshotRecord]:
    """Every record the trial holds now, as a lock would store it (design record last)."""
    design, hash_key = _Design(), record_key(trial)
    codes = sorted(db.session.execute(select(Participant.code, Participant.id)
                                      .where(Participant.trial_id == trial.id)).all())
    sites = {s.id: s.code for s in trial.sites}
    for start in range(0, len(codes), _BATCH):
        ids = [pid for _code, pid in codes[start:start + _BATCH]]
        yield from (replace(r, hash_key=hash_key) for r in _batch(ids, sites, design))
    yield replace(design.record(trial), hash_key=hash_key)


def _batch(ids: list[int], sites: dict[int, str], design: _Design) -> Iterator[SnapshotRecord]:
    rows = db.session.scalars(select(Participant).where(Participant.id.in_(ids)).options(
        selectinload(Participant.visits), selectinload(Participant.allocation),
        selectinload(Participant.screening))).all()
    by_id = {p.id: p for p in rows}
    responses: dict[int, list[Response]] = {}
    for response in db.session.scalars(select(Response).where(
            Response.screening_id.in_([p.screening_id for p in rows])).order_by(Response.id)):
        responses.setdefault(response.screening_id, []).append(response)
    events: dict[int, list[ParticipantEvent]] = {}
    for event in db.session.scalars(select(ParticipantEvent).where(
            ParticipantEvent.participant_id.in_(ids)).order_by(ParticipantEvent.id)):
        events.setdefault(event.participant_id, []).append(event)
    for pid in ids:
        participant = by_id[pid]
        yield _participant(participant, sites[participant.site_id])
        visits = sorted(participant.visits, key=lambda v: v.timepoint)
        yield from (_visit(participant.code, v) for v in visits)
        for response in sorted(responses.get(participant.screening_id, []),
                               key=lambda r: (r.timepoint, r.instrument)):
            yield design.seen(_response(participant.code, response))
        yield from (_event(participant.code, e) for e in events.get(pid, []))


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _participant(p: Participant, site: str) -> SnapshotRecord:
    a, s = p.allocation, p.screening
    content = {"participant_id": p.code, "site": site, "stratum": a.stratum, "factors": a.factors,
               "arm": p.arm, "period": a.period, "ratio": a.ratio, "probability": a.probability,
               "randomized_on": _iso(p.randomized_on), "status": p.status, "sex": s.sex,
               "birth_year": s.birth_year, "protocol_version": a.protocol_version}
    return SnapshotRecord("participant", p.code, content, {"participant": p.code})


def _visit(code: str, v: Any) -> SnapshotRecord:
    content = {"participant_id": code, "timepoint": v.timepoint, "due_on": _iso(v.due_on),
               "opens_on": _iso(v.opens_on), "closes_on": _iso(v.closes_on), "status": v.status,
               "completed_on": _iso(v.completed_on), "completion_mode": v.completion_mode}
    return SnapshotRecord("visit", f"{code}|{v.timepoint}", content,
                          {"participant": code, "timepoint": v.timepoint})


def _response(code: str, r: Response) -> SnapshotRecord:
    content = {"participant_id": code, "timepoint": r.timepoint, "instrument": r.instrument,
               "instrument_version": r.instrument_version, "mode": r.mode,
               "completed_on": _iso(r.completed_on),
               "answers": unseal_json(r, "answers"), "scores": unseal_json(r, "scores")}
    return SnapshotRecord("response", f"{code}|{r.timepoint}|{r.instrument}", content,
                          {"participant": code, "timepoint": r.timepoint, "instrument": r.instrument})


def _event(code: str, e: ParticipantEvent) -> SnapshotRecord:
    # The reason is free text: it is kept (sealed) in the lock but never exported.
    content = {"participant_id": code, "kind": e.kind, "on": _iso(e.on), "reason": unseal(e, "reason")}
    return SnapshotRecord("event", f"{code}|{e.uid}", content, {"participant": code, "event": e.kind})


class _Design:
    """Collects, while responses pass, each instrument's versions and the JSON types of its scores."""

    def __init__(self) -> None:
        self.instruments: dict[str, dict[str, set[str]]] = {}

    def seen(self, record: SnapshotRecord) -> SnapshotRecord:
        content = record.content
        found = self.instruments.setdefault(content["instrument"], {"versions": set()})
        found["versions"].add(str(content["instrument_version"]))
        for score, value in (content["scores"] or {}).items():
            if value is not None:
                found.setdefault(f"score:{score}", set()).add(_json_type(value))
        return record

    def record(self, trial: Trial) -> SnapshotRecord:
        version = trial.current_version
        instruments = {
            code: {"versions": sorted(found.pop("versions")),
               "score_types": {key.removeprefix("score:"): sorted(types)
                               for key, types in sorted(found.items())}}
            for code, found in sorted(self.instruments.items())
        }
        content = {"protocol_version": version.number, "protocol_sha256": version.sha256,
                   "definition": version.definition, "instruments": instruments}
        return SnapshotRecord(DESIGN_KIND, DESIGN_KEY, content, {"protocol_version": version.number})


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    return "string" if isinstance(value, str) else "other"
