"""Staff entry of paper questionnaires for a follow-up visit, with optional double data entry.

First entry: the answers as typed from the form (sealed in a PaperEntry). Without double entry it
is accepted at once and becomes the Response. With double entry it waits for a second, blind
entry by another person (as in REDCap's double data entry: the point is two independent readings
of the paper). Both are compared field by field, the completion date included; when they agree
the answers are accepted, when they differ the differing fields are shown to someone other than
the first enterer, who reads the paper again and settles them. Entries are kept as typed; the
Response holds the accepted answers, and the audit trail names the fields that were settled.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import select

from .. import audit, clock
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import PaperEntry, Participant, Response, Visit
from ..policy import Access
from ..protocol import Protocol
from ..questionnaires import score
from ..sealing import seal_json, unseal_json
from .responses import complete_if_all_recorded, store_response

Stage = Literal["recorded", "first", "second", "waiting", "resolve"]
CLOSED_VISITS = ("completed", "cancelled")


@dataclass(frozen=True)
class EntryState:
    """Where the entry of one instrument stands, and the entries so far."""

    stage: Stage
    first: PaperEntry | None = None
    second: PaperEntry | None = None

    def answers(self, number: int) -> dict[str, Any]:
        entry = self.first if number == 1 else self.second
        return dict(unseal_json(entry, "answers") or {}) if entry is not None else {}


def visit_of(participant: Participant, timepoint: str) -> Visit:
    visit = next((v for v in participant.visits if v.timepoint == timepoint), None)
    if visit is None:
        raise NotFound("no such visit for this participant")
    return visit


def entry_state(access: Access, participant: Participant, visit: Visit, code: str) -> EntryState:
    recorded = db.session.scalars(select(Response.id).where(
        Response.screening_id == participant.screening_id, Response.timepoint == visit.timepoint,
        Response.instrument == code)).first()
    if recorded is not None:
        return EntryState("recorded")
    entries = {e.entry_number: e for e in db.session.scalars(select(PaperEntry).where(
        PaperEntry.screening_id == participant.screening_id, PaperEntry.timepoint == visit.timepoint,
        PaperEntry.instrument == code))}
    first, second = entries.get(1), entries.get(2)
    if first is None:
        return EntryState("first")
    if second is None:
        return EntryState("waiting" if first.entered_by == access.actor else "second", first)
    return EntryState("resolve", first, second)


def enter(access: Access, p: Protocol, participant: Participant, visit: Visit, code: str,
          answers: dict[str, Any], completed_on: date, *, double_entry: bool) -> list[str]:
    """Record a first or second entry; returns the fields that differ from the first entry ([] if none)."""
    participant, visit = _locked(participant, visit)
    state = _open_state(access, p, participant, visit, code)
    instrument, cleaned, scores = _checked(access, p, participant, visit, code, answers, completed_on)
    if state.stage == "first":
        entry = _entry(access, participant, visit, code, 1, cleaned, completed_on,
                       "pending" if double_entry else "accepted")
        if not double_entry:
            _accept(access, p, participant, visit, instrument, cleaned, scores, completed_on)
        _audit(access, participant, visit, code, "paper_entry.first", {"double_entry": double_entry})
        return []
    if state.stage == "resolve":
        raise Conflict("the two entries differ: settle the differences instead")
    if state.stage != "second" or state.first is None:
        raise Forbidden("a colleague must make the second entry")
    differing = differences(state.answers(1), state.first.completed_on, cleaned, completed_on)
    entry = _entry(access, participant, visit, code, 2, cleaned, completed_on,
                   "mismatch" if differing else "accepted")
    state.first.status = entry.status
    if not differing:
        _accept(access, p, participant, visit, instrument, cleaned, scores, completed_on)
    _audit(access, participant, visit, code, "paper_entry.second", {"differing": differing})
    return differing


def resolve(access: Access, p: Protocol, participant: Participant, visit: Visit, code: str,
            answers: dict[str, Any], completed_on: date) -> None:
    """Accept the answers settled after a mismatch (by anyone but the first enterer)."""
    participant, visit = _locked(participant, visit)
    state = _open_state(access, p, participant, visit, code)
    if state.stage != "resolve" or state.first is None or state.second is None:
        raise Conflict("there is no mismatch to settle for this questionnaire")
    if state.first.entered_by == access.actor:
        raise Forbidden("the differences must be settled by someone other than the first enterer")
    instrument, cleaned, scores = _checked(access, p, participant, visit, code, answers, completed_on)
    settled = differences(state.answers(1), state.first.completed_on,
                          state.answers(2), state.second.completed_on)
    state.first.status = state.second.status = "accepted"
    _accept(access, p, participant, visit, instrument, cleaned, scores, completed_on)
    _audit(access, participant, visit, code, "paper_entry.resolved", {"settled": settled})


def differences(first: dict[str, Any], first_on: date, second: dict[str, Any], second_on: date) -> list[str]:
    """The fields two entries disagree on: item codes (in the first's then the second's order), and
    "completed_on". A value and a blank differ; True and 1 differ (they are different answers)."""
    codes = list(dict.fromkeys([*first, *second]))
    differing = [c for c in codes
                 if (type(first.get(c)), first.get(c)) != (type(second.get(c)), second.get(c))]
    return differing + (["completed_on"] if first_on != second_on else [])


def _open_state(access: Access, p: Protocol, participant: Participant, visit: Visit, code: str) -> EntryState:
    timepoint = p.timepoint(visit.timepoint)
    if timepoint is None or code not in timepoint.instruments:
        raise NotFound(f"{code!r} is not a questionnaire of this visit")
    # A visit cancelled by a departure still takes a form filled in before it (check_accepted).
    if visit.status == "completed":
        raise Conflict(f"the visit is {visit.status}", status_now=visit.status)
    state = entry_state(access, participant, visit, code)
    if state.stage == "recorded":
        raise Conflict("this questionnaire is already recorded for the visit")
    return state


def _locked(participant: Participant, visit: Visit) -> tuple[Participant, Visit]:
    # Imported here: trial.followups imports this package's links, so a module-level import is a cycle.
    from ..followups.responses import lock_for_response

    return lock_for_response(participant, visit.timepoint)


def _checked(access: Access, p: Protocol, participant: Participant, visit: Visit, code: str,
             answers: dict[str, Any], completed_on: date) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    from ..followups.responses import check_accepted  # a cycle, as in _locked

    if completed_on > clock.today(access.trial.timezone):
        raise InvalidInput("the completion date is in the future", errors={"completed_on": "after today"})
    try:
        check_accepted(participant, visit, completed_on)
    except Conflict as refused:     # shown on the form: the date typed is what is wrong
        raise InvalidInput(refused.detail, errors=refused.errors) from refused
    return score(p, code, answers)


def _entry(access: Access, participant: Participant, visit: Visit, code: str, number: int,
           answers: dict[str, Any], completed_on: date, status: str) -> PaperEntry:
    entry = PaperEntry(screening_id=participant.screening_id, timepoint=visit.timepoint, instrument=code,
                       entry_number=number, completed_on=completed_on, status=status, entered_by=access.actor,
                       entered_at=clock.now())
    seal_json(entry, "answers", answers)
    db.session.add(entry)
    db.session.flush()
    return entry


def _accept(access: Access, p: Protocol, participant: Participant, visit: Visit, instrument: Any,
            answers: dict[str, Any], scores: dict[str, Any], completed_on: date) -> None:
    store_response(participant, visit, instrument, answers, scores, mode="paper", completed_on=completed_on,
                   actor=access.actor)
    complete_if_all_recorded(p, visit, "paper")


def _audit(access: Access, participant: Participant, visit: Visit, code: str, action: str,
           details: dict[str, Any]) -> None:
    audit.record(db.session, actor=access.actor, action=action, trial_code=access.trial.code,
                 entity=f"participant:{participant.code}",
                 details={"timepoint": visit.timepoint, "instrument": code, **details})
