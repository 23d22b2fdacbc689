"""The coordinator's participant pages: the allocation just made, the list, and one participant."""
from __future__ import annotations

from flask import g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Participant
from ..pages import page_user
from ..policy import Permission, requires
from .common import protocol, today
from .forms import localized
from .participants import CONCEALED, participant_by_code, participant_summary, shown_arm
from .reconsent import newer_version
from .views import bp, my_sites


def _arm(arm: str) -> str:
    """The arm's label for roles that may see arms, else its masked code."""
    if g.access.allows(Permission.SEE_ARMS):
        spec = next((a for a in protocol(g.access).arms if a.code == arm), None)
        return localized(spec.label) if spec else arm
    shown = shown_arm(g.access, arm)
    return _("Concealed (blinded trial)") if shown == CONCEALED else shown


def _participant_page(template: str, code: str) -> ResponseReturnValue:
    person = participant_by_code(g.access, code)
    return render_template(template, person=person, s=person.screening, arm=_arm(person.arm),
                           summary=participant_summary(g.access, person), allocation=person.allocation,
                           reconsent=newer_version(protocol(g.access), person.screening, today(g.access)))


@bp.get("/participants/<code>/allocation")
@requires(Permission.ENROLL, page_user)
def allocation(trial: str, code: str) -> ResponseReturnValue:
    return _participant_page("enrollment/allocation.html", code)


@bp.get("/participants")
@requires(Permission.VIEW_PARTICIPANTS, page_user)
def participants(trial: str) -> ResponseReturnValue:
    rows = db.session.scalars(
        select(Participant).where(Participant.trial_id == g.access.trial.id,
                                  Participant.site_id.in_([s.id for s in my_sites()]))
        .order_by(Participant.randomized_on.desc(), Participant.code)
        .options(selectinload(Participant.site))).all()
    arms = {person.id: _arm(person.arm) for person in rows} if g.access.allows(Permission.SEE_ARMS) else None
    return render_template("enrollment/participants.html", rows=rows, arms=arms)


@bp.get("/participants/<code>")
@requires(Permission.VIEW_PARTICIPANTS, page_user)
def participant(trial: str, code: str) -> ResponseReturnValue:
    return _participant_page("enrollment/participant.html", code)
