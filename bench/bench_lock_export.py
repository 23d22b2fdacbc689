"""Benchmark: lock a generated trial through the API and export the lock in every format.

Builds a throw-away SQLite trial of N participants (IPS protocol, baseline, 6 and 12 months with
HADS, EQ-5D-5L and WHODAS 12, a few withdrawals), then times POST /locks and each
GET /locks/{id}/export, checks each ZIP against its manifest and that a second export gives the
same bytes. Exits non-zero when a step takes 60 s or more or the process peaks at 1 GB.

    .venv/bin/python bench/bench_lock_export.py [--participants N]
"""
from __future__ import annotations

import argparse
import base64
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from trial import create_app, migrate, tokens
from trial.cli import add_member
from trial.exports import verify_manifest
from trial.extensions import db
from trial.models import Allocation, Participant, ParticipantEvent, Response, Role, Screening, Trial, Visit
from trial.protocol import current_protocol, load_file, store
from trial.questionnaires import score
from trial.schedule import plan_visits
from trial.sealing import seal, seal_json

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S, MEMORY_LIMIT_MB = 60.0, 1000.0
NOW = datetime(2016, 4, 30, 12, tzinfo=UTC)


def answers(rng: random.Random) -> dict[str, dict[str, int]]:
    return {"hads": {str(i): rng.randrange(4) for i in range(1, 15)},
            "eq5d5l": {**{d: rng.randrange(1, 6) for d in ("MO", "SC", "UA", "PD", "AD")}, "VAS": rng.randrange(101)},
            "whodas12": {f"S{i}": rng.randrange(1, 6) for i in range(1, 13)}}


def generate(trial: Trial, n: int) -> None:
    """N randomized participants written straight to the tables (the API would take far longer)."""
    p = current_protocol(trial)
    sites = list(trial.sites)
    for i in range(n):
        rng, site = random.Random(i), sites[i % len(sites)]
        on = date(2014, 2, 2) + timedelta(days=rng.randrange(300))
        screening = Screening(trial_id=trial.id, site_id=site.id, referred_on=on, status="randomized",
                              sex=rng.choice(("female", "male")), birth_year=1960 + rng.randrange(40),
                              ended_on=on, created_at=NOW, created_by="bench")
        seal(screening, "national_id", f"{i:011d}")
        participant = Participant(code=f"{site.prefix}-{i:05d}", trial_id=trial.id, site_id=site.id,
                                  screening=screening, arm=rng.choice(("ips", "control")), randomized_on=on)
        db.session.add_all([screening, participant, Allocation(
            participant=participant, trial_id=trial.id, stratum=site.code, factors={}, period="main", ratio="1:1",
            probability="1/2", position=i, block_index=i // 4, block_size=4, algorithm="bench", protocol_version=1,
            randomized_at=NOW, randomized_by="bench", request_hash="0" * 64)])
        db.session.flush()
        for t in ("baseline", *(v.timepoint for v in plan_visits(on, p.timepoints))):
            completed = rng.random() < 0.8 or t == "baseline"
            if t != "baseline":
                planned = next(v for v in plan_visits(on, p.timepoints) if v.timepoint == t)
                db.session.add(Visit(participant=participant, timepoint=t, due_on=planned.due_on,
                                     opens_on=planned.opens_on, closes_on=planned.closes_on,
                                     status="completed" if completed else "missed",
                                     completed_on=planned.due_on if completed else None,
                                     completion_mode="online" if completed else None))
            if completed:
                for code, given in answers(rng).items():
                    instrument, cleaned, scores = score(p, code, given)
                    row = Response(screening_id=screening.id, timepoint=t, instrument=code, mode="online",
                                   instrument_version=instrument.version, completed_on=on, recorded_at=NOW,
                                   recorded_by="bench")
                    seal_json(row, "answers", cleaned)
                    seal_json(row, "scores", scores)
                    db.session.add(row)
        if rng.random() < 0.05:
            event = ParticipantEvent(participant_id=participant.id, kind="withdrawn-follow-up",
                                     on=on + timedelta(days=100), recorded_at=NOW, recorded_by="bench")
            seal(event, "reason", "bench")
            db.session.add(event)
        if i % 500 == 499:
            db.session.commit()
    db.session.commit()


def timed(step: str, results: list[tuple[str, float, bool]], ok: bool, start: float) -> None:
    seconds = time.perf_counter() - start
    results.append((step, seconds, ok and seconds < TIME_LIMIT_S))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-lock-") as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                          "ENCRYPTION_KEYS": "b1:" + base64.b64encode(bytes(32)).decode(),
                          "INSTANCE_PATH": folder})
        with app.app_context():
            migrate.upgrade(db.engine)
            store(db.session, load_file(ROOT / "protocols" / "ips-norway.toml"), actor="bench",
                  keyring=app.config["KEYRING"])
            trial = db.session.query(Trial).one()
            user, _ = add_member("stat@example.org", Role.UNBLINDED_STATISTICIAN, trial, [])
            token = tokens.issue(db.session, user, "bench")
            db.session.commit()
            start = time.perf_counter()
            generate(trial, args.participants)
            print(f"generated {args.participants} participants in {time.perf_counter() - start:.1f} s")
        failed = run(app.test_client(), token)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory {peak_mb:.0f} MB (limit {MEMORY_LIMIT_MB:.0f} MB); steps under {TIME_LIMIT_S:.0f} s each")
    return 1 if failed or peak_mb >= MEMORY_LIMIT_MB else 0


def run(client: object, token: str) -> bool:
    headers, base = {"Authorization": f"Bearer {token}"}, "/api/v1/trials/ips-norway/locks"
    results: list[tuple[str, float, bool]] = []
    start = time.perf_counter()
    lock = client.post(base, json={"label": "bench"}, headers=headers)  # type: ignore[attr-defined]
    timed(f"lock ({lock.get_json().get('record_count')} records)", results, lock.status_code == 201, start)
    for fmt in ("csv", "sav", "dta"):
        url = f"{base}/{lock.get_json()['id']}/export?format={fmt}&blinded=false"
        start = time.perf_counter()
        first = client.get(url, headers=headers).data  # type: ignore[attr-defined]
        timed(f"export {fmt} ({len(first) / 1e6:.1f} MB)", results, not verify_manifest(first), start)
        same = client.get(url, headers=headers).data == first  # type: ignore[attr-defined]
        results.append((f"export {fmt} again, same bytes", 0.0, same))
    for step, seconds, ok in results:
        print(f"{step:40s} {seconds:7.2f} s  {'ok' if ok else 'FAILED'}")
    return not all(ok for _, _, ok in results)


if __name__ == "__main__":
    sys.exit(main())
