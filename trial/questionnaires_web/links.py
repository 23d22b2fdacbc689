"""Personal questionnaire links: issuing a token for a visit, and deciding whether a token may be used.

A token is 32 random bytes (256 bits) in URL-safe base64; only its SHA-256 is stored, so a copy
of the database cannot be turned into working links. One link per visit: issuing again replaces
the hash, which kills the old link and any session verified with it. A link works only while the
visit's window is open (both ends included, in the trial's time zone), the visit is not done and
the participant is still followed up; and a second check (the birth date sealed on the screening,
or only the birth year where no date is stored) must pass before any question is shown. Five
wrong answers lock the link for an hour; the third such lock (fifteen wrong answers in all) lasts
until staff issue a new link, so the check cannot be worked through an hour at a time. Callers
flush nothing themselves: the request commits.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from .. import audit, clock
from ..extensions import db
from ..models import QuestionnaireLink, Screening, Visit
from ..sealing import unseal

__all__ = ["LOCKOUT", "MAX_FAILED_CHECKS", "MAX_LOCKOUTS", "BirthCheck", "birth_check", "check_birth", "find_link",
           "is_usable", "issue_link", "link_path", "locked_for_good", "token_sha256"]

TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_FAILED_CHECKS = 5                   # wrong answers in a row before each lock
LOCKOUT = timedelta(hours=1)
MAX_LOCKOUTS = 3                        # the last lock lasts until the link is issued again
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

    Re-issuing replaces the stored hash: the previous link stops working at once. It is how staff
    reopen a locked link, so it also clears the failed checks and the lock; a guesser holding the old
    link gains nothing, as only the new link (sent to the participant) can be checked."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = store_token(visit, token, clock.now())
    link.failed_checks, link.locked_until = 0, None
    db.session.flush()
    return token


def store_token(visit: Visit, token: str, created_at: datetime) -> QuestionnaireLink:
    """Make `token` the visit's one link (creating the row on first use), storing only its hash.

    Any previous token of the visit stops working. Flushed; the caller commits."""
    link = db.session.scalars(select(QuestionnaireLink).where(
        QuestionnaireLink.visit_id == visit.id)).one_or_none()
    if link is None:
        link = QuestionnaireLink(visit_id=visit.id, participant_id=visit.participant_id, failed_checks=0)
        db.session.add(link)
    link.token_sha256, link.created_at = token_sha256(token), created_at
    db.session.flush()
    return link


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
    if _locked(link):
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
    # Count on the row as committed, locked until the request commits: parallel wrong answers would
    # otherwise each read the same count and write the same count + 1 (read committed on PostgreSQL).
    db.session.scalars(select(QuestionnaireLink).where(QuestionnaireLink.id == link.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if _locked(link):  # locked by a parallel answer meanwhile: this one is refused anyway
        return False
    # The count runs on across locks (only a right answer or a new link resets it).
    link.failed_checks += 1
    if link.failed_checks % MAX_FAILED_CHECKS == 0:
        link.locked_until = clock.now() + LOCKOUT
        audit.record(db.session, actor="participant-link", action="questionnaire_link.locked",
                     trial_code=link.participant.trial.code, entity=f"participant:{link.participant.code}",
                     details={"timepoint": link.visit.timepoint, "failed_checks": link.failed_checks,
                              "until_reissued": locked_for_good(link)})
    db.session.flush()
    return False


def _locked(link: QuestionnaireLink) -> bool:
    return (link.locked_until is not None and link.locked_until > clock.now()) or locked_for_good(link)


def locked_for_good(link: QuestionnaireLink) -> bool:
    """After the last lock the link stays unusable until staff issue a new one for the visit."""
    return link.failed_checks >= MAX_FAILED_CHECKS * MAX_LOCKOUTS


def checks_left(link: QuestionnaireLink) -> int:
    """Wrong answers left before the next lock."""
    return MAX_FAILED_CHECKS - link.failed_checks % MAX_FAILED_CHECKS
