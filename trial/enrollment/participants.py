"""Reading participants as each role may see them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..masking import arm_masks
from ..models import Participant
from ..policy import Access, Permission
from ..schedule import visit_status
from .common import today, trial_secret

FINAL_VISIT_STATES = ("completed", "cancelled", "missed")


def participant_by_code(access: Access, code: str) -> Participant:
    participant = db.session.scalars(select(Participant).where(
        Participant.trial_id == access.trial.id, Participant.code == code)).one_or_none()
    if participant is None:
        raise NotFound("no such participant in this trial")
    allowed = access.site_ids()
    if allowed is not None and participant.site_id not in allowed:
        raise Forbidden("this participant belongs to a site you do not work at")
    return participant


CONCEALED = "concealed"


def shown_arm(access: Access, arm: str) -> str:
    """The arm's code for those who may see arms, "concealed" for site staff of a blinded trial, else
    its masked code."""
    if access.allows(Permission.SEE_ARMS):
        return arm
    if access.arms_hidden:
        return CONCEALED
    return arm_masks(trial_secret(access), tuple(a.code for a in access.trial.arms))[arm]


def participant_summary(access: Access, participant: Participant) -> dict[str, Any]:
    on = today(access)
    schedule = []
    for visit in participant.visits:
        status = visit.status if visit.status in FINAL_VISIT_STATES else \
            visit_status(visit, on, completed=False, stopped=False)
        schedule.append({"timepoint": visit.timepoint, "due_on": visit.due_on.isoformat(),
                         "opens_on": visit.opens_on.isoformat(), "closes_on": visit.closes_on.isoformat(),
                         "status": status})
    return {"participant_id": participant.code, "site": participant.site.code,
            "arm": shown_arm(access, participant.arm), "status": participant.status,
            "randomized_on": participant.randomized_on.isoformat(), "schedule": schedule}
