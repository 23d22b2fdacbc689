"""What the follow-up pages show: counts per site and arm, contact history, who needs a phone call.

Honest numbers (reference: trial-domain.md): every count is n of N with N the participants
randomized in that site and arm (intention to treat), named in the answer, zeros included. A
visit's state is the stored final one (completed, missed, cancelled) or else what its window
says today, so the counts are right even before the dispatcher's next pass.
"""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select

from ..enrollment.common import protocol, today
from ..enrollment.participants import FINAL_VISIT_STATES, shown_arm
from ..extensions import db
from ..models import OutboxMessage, Participant, Visit
from ..policy import Access
from ..schedule import visit_status
from .rules import FOLLOWED_STATUSES

DENOMINATOR = "randomized"
COUNTS = ("due", "open", "overdue", "completed", "missed", "cancelled")


POOLED = "*"


def followup_overview(access: Access) -> dict[str, Any]:
    """Per site and arm and follow-up timepoint: visits due (window opened), open, overdue (open past
    the due date), completed, missed and cancelled, each as {"n", "N", "of": "randomized"}."""
    on = today(access)
    allowed = access.site_ids()
    sites = [s for s in access.trial.sites if allowed is None or s.id in allowed]
    timepoints = [t.code for t in protocol(access).timepoints if t.offset_months > 0]
    randomized: Counter[tuple[int, str]] = Counter()
    counts: Counter[tuple[int, str, str, str]] = Counter()
    rows = db.session.execute(select(Participant.id, Participant.site_id, Participant.arm, Visit)
                              .outerjoin(Visit, Visit.participant_id == Participant.id)
                              .where(Participant.trial_id == access.trial.id,
                                     Participant.site_id.in_([s.id for s in sites])))
    seen: set[int] = set()
    for participant_id, site_id, arm_code, visit in rows:
        if access.arms_hidden:
            arm_code = POOLED   # site staff of a blinded trial see the arms together
        if participant_id not in seen:
            seen.add(participant_id)
            randomized[site_id, arm_code] += 1
        if visit is not None:
            for name in _states(visit, on):
                counts[site_id, arm_code, visit.timepoint, name] += 1
    groups = []
    for site in sites:
        for arm_code in ([POOLED] if access.arms_hidden else [a.code for a in access.trial.arms]):
            key, n_of = (site.id, arm_code), randomized[site.id, arm_code]
            groups.append({"site": site.code, "site_name": site.name,
                           "arm": "all arms" if arm_code == POOLED else shown_arm(access, arm_code),
                           "randomized": n_of, "timepoints": {
                               tp: {name: {"n": counts[(*key, tp, name)], "N": n_of, "of": DENOMINATOR}
                                    for name in COUNTS} for tp in timepoints}})
    return {"as_of": on.isoformat(), "groups": groups,
            "denominator": "participants randomized in the site and arm (intention to treat)"}


def _states(visit: Visit, on: date) -> list[str]:
    status = visit.status if visit.status in FINAL_VISIT_STATES else \
        visit_status(visit, on, completed=False, stopped=False)
    states = [status] if status != "scheduled" else []
    if visit.opens_on <= on and status != "cancelled":
        states.append("due")
    if status == "open" and on > visit.due_on:
        states.append("overdue")
    return states


def contact_history(access: Access, participant: Participant) -> list[dict[str, Any]]:
    """Every message written for a participant, oldest first: what, when, and how it went; never the body."""
    rows = db.session.execute(
        select(OutboxMessage, Visit.timepoint).outerjoin(Visit, OutboxMessage.visit_id == Visit.id)
        .where(OutboxMessage.participant_id == participant.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id))
    return [{"timepoint": timepoint, "kind": m.kind, "sequence": m.sequence, "channel": m.channel,
             "status": m.status, "written_at": m.created_at.isoformat(),
             "sent_at": m.sent_at.isoformat() if m.sent_at else None, "attempts": m.attempts,
             "last_error": m.last_error} for m, timepoint in rows]


def needs_phone_call(access: Access) -> list[dict[str, Any]]:
    """Open visits whose invitation could not go by e-mail (no address, or refused): call these people."""
    on = today(access)
    rows = db.session.execute(
        select(Participant.code, Participant.site_id, Visit, OutboxMessage.status)
        .join(Visit, Visit.participant_id == Participant.id)
        .join(OutboxMessage, (OutboxMessage.visit_id == Visit.id) & (OutboxMessage.kind == "invitation"))
        .where(Participant.trial_id == access.trial.id, Participant.status.in_(FOLLOWED_STATUSES),
               OutboxMessage.status.in_(("no-address", "failed")), Visit.status.not_in(FINAL_VISIT_STATES),
               Visit.opens_on <= on, Visit.closes_on >= on)
        .order_by(Visit.closes_on, Participant.code))
    allowed = access.site_ids()
    return [{"participant_id": code, "timepoint": visit.timepoint, "closes_on": visit.closes_on.isoformat(),
             "why": "no e-mail address" if status == "no-address" else "the e-mail was refused"}
            for code, site_id, visit, status in rows if allowed is None or site_id in allowed]
