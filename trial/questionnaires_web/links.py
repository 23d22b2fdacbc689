"""Personal questionnaire links: issuing a token for a visit, and deciding whether a token may be used.

A token is 32 random bytes (256 bits) in URL-safe base64; only its SHA-256 is stored, so a copy
of the database cannot be turned into working links. One link per visit: issuing again replaces
the hash, which kills the old link and any session verified with it. A link works only while the
visit's window is open (both ends included, in the trial's time zone), the visit is not done and
the participant is still followed up; and a second check (the birth date sealed on the screening,
or only the birth year where no date is stored) must pass before any question is shown. Five
wrong answers lock the link for an hour. Callers flush nothing themselves: the request commits.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from .. import audit, clock
from ..extensions import db
from ..models import QuestionnaireLink, Screening, Visit
from ..sealing import unseal

__all__ = ["LOCKOUT", "MAX_FAILED_CHECKS", "BirthCheck", "birth_check", "check_birth", "find_link",
           "is_usable", "issue_link", "link_path", "token_sha256"]

TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_FAILED_CHECKS = 5
LOCKOUT = timedelta(hours=1)
# Participant statuses that end follow-up (interfaces section 6): their links are dead.
STOPPED = frozenset({"withdrawn-follow-up", "withdrawn-all", "died", "lost-to-follow-up"})
OPEN_VISIT_STATES = frozenset({"scheduled", "open"})


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link_path(token: str) -> str:
    """The path of a link on this site (the dispatcher prefixes the public base address)."""
    return f"/q/{token}"


def issue_link(visit: Visit) -> str:
    """A new plaintext token for the visit's personal link (shown once, never stored).

    Re-issuing replaces the stored hash: the previous link stops working at once. Failed checks
    and a lock are kept, so re-sending a link does not give a guesser five new tries."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = db.session.scalars(select(QuestionnaireLink).where(
        QuestionnaireLink.visit_id == visit.id)).one_or_none()
    if link is None:
        link = QuestionnaireLink(visit_id=visit.id, participant_id=visit.participant_id, failed_checks=0)
        db.session.add(link)
    link.token_sha256, link.created_at = token_sha256(token), clock.now()
    db.session.flush()
    return token


def find_link(token: str) -> QuestionnaireLink | None:
    """The usable link this token opens, or None (forged, replaced, spent, locked, closed, stopped)."""
    if not _TOKEN.fullmatch(token):
        return None
    link = db.session.scalars(select(QuestionnaireLink).where(
        QuestionnaireLink.token_sha256 == token_sha256(token))).one_or_none()
    return link if link is not None and is_usable(link) else None


def is_usable(link: QuestionnaireLink) -> bool:
    visit, participant = link.visit, link.participant
    if link.used_at is not None or visit.status not in OPEN_VISIT_STATES or participant.status in STOPPED:
        return False
    if link.locked_until is not None and link.locked_until > clock.now():
        return False
    today = clock.today(participant.trial.timezone)
    return visit.opens_on <= today <= visit.closes_on and birth_check(participant.screening) is not None


@dataclass(frozen=True)
class BirthCheck:
    """What the second check asks: the full birth date, or only the year where no date is stored."""

    year_only: bool
    expected: str            # "YYYY-MM-DD" or "YYYY"


def birth_check(screening: Screening) -> BirthCheck | None:
    """None when nothing is stored to check against: such a link cannot be opened safely."""
    sealed = unseal(screening, "birth_date")
    if sealed:
        return BirthCheck(False, date.fromisoformat(sealed).isoformat())
    if screening.birth_year is not None:
        return BirthCheck(True, f"{screening.birth_year:04d}")
    return None


def check_birth(link: QuestionnaireLink, given: str) -> bool:
    """Whether ``given`` (ISO date or year, as BirthCheck asks) matches; counts and locks failures."""
    expected = birth_check(link.participant.screening)
    if expected is not None and hmac.compare_digest(given.encode(), expected.expected.encode()):
        link.failed_checks, link.verified_at = 0, clock.now()
        db.session.flush()
        return True
    link.failed_checks += 1
    if link.failed_checks >= MAX_FAILED_CHECKS:
        link.failed_checks, link.locked_until = 0, clock.now() + LOCKOUT
        audit.record(db.session, actor="participant-link", action="questionnaire_link.locked",
                     trial_code=link.participant.trial.code, entity=f"participant:{link.participant.code}",
                     details={"timepoint": link.visit.timepoint, "failed_checks": MAX_FAILED_CHECKS})
    db.session.flush()
    return False


def checks_left(link: QuestionnaireLink) -> int:
    return MAX_FAILED_CHECKS - link.failed_checks
