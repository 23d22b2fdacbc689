"""The screening log: referrals, eligibility and exclusions."""
from __future__ import annotations

from datetime import date

from .. import audit, clock
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import Screening
from ..policy import Access
from ..protocol.schema import EXCLUSION_CATEGORIES
from ..sealing import seal
from .common import OPEN_STATES, not_in_future, protocol, require_state, site_by_code, today

SEXES = ("female", "male", "other")
MAX_REASON = 500


def create_screening(access: Access, *, site: str, referred_on: date, sex: str | None = None,
                     birth_year: int | None = None, source: str | None = None) -> Screening:
    """Log a referral; every referral is logged, including those who will decline."""
    where = site_by_code(access, site)
    if not where.active:
        raise Conflict(f"site {where.code!r} is not recruiting")
    not_in_future(access, referred_on, "referred_on")
    if sex is not None and sex not in SEXES:
        raise InvalidInput("unknown sex", errors={"sex": f"one of {', '.join(SEXES)}"})
    if birth_year is not None and not 1900 <= birth_year <= today(access).year:
        raise InvalidInput("birth_year is out of range", errors={"birth_year": f"1900 to {today(access).year}"})
    screening = Screening(trial_id=access.trial.id, site_id=where.id, referred_on=referred_on, sex=sex,
                          birth_year=birth_year, source=source, status="screening", created_at=clock.now(),
                          created_by=access.actor)
    db.session.add(screening)
    db.session.flush()
    audit.record(db.session, actor=access.actor, action="screening.created", trial_code=access.trial.code,
                 entity=f"screening:{screening.uid}", details={"site": where.code})
    return screening


def record_eligibility(access: Access, screening: Screening, answers: dict[str, object]) -> list[str]:
    """Check the protocol's criteria; a failed criterion ends the screening as not eligible.

    Returns the codes of the failed criteria (empty when eligible)."""
    require_state(screening, "screening", "eligible", doing="record eligibility")
    criteria = protocol(access).eligibility
    codes = {c.code for c in criteria}
    errors = {code: "not a criterion of this trial" for code in answers if code not in codes}
    errors |= {c.code: "answer true or false" for c in criteria if not isinstance(answers.get(c.code), bool)}
    if errors:
        raise InvalidInput("eligibility answers must give true or false for every criterion", errors=errors)
    failed = [c.code for c in criteria if answers[c.code] is not c.required]
    screening.eligibility = {c.code: answers[c.code] for c in criteria}
    screening.failed_criteria = {"failed": failed} if failed else None
    if failed:
        texts = "; ".join(c.text.get("en", c.code) for c in criteria if c.code in failed)
        _end_as_excluded(screening, "not-eligible", f"Not eligible: {texts}", today(access))
    else:
        screening.status = "eligible"
    audit.record(db.session, actor=access.actor, action="screening.eligibility", trial_code=access.trial.code,
                 entity=f"screening:{screening.uid}", details={"eligible": not failed, "failed": failed})
    return failed


def exclude(access: Access, screening: Screening, category: str, reason: str) -> None:
    """End a screening without randomization (CONSORT's Excluded box), with its category and reason."""
    require_state(screening, *OPEN_STATES, doing="exclude")
    if category not in EXCLUSION_CATEGORIES:
        raise InvalidInput("unknown exclusion category",
                           errors={"category": f"one of {', '.join(EXCLUSION_CATEGORIES)}"})
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidInput("a reason is required", errors={"reason": f"1 to {MAX_REASON} characters"})
    _end_as_excluded(screening, category, reason.strip(), today(access))
    # The reason may be free text about a person; the audit entry names only the category.
    audit.record(db.session, actor=access.actor, action="screening.excluded", trial_code=access.trial.code,
                 entity=f"screening:{screening.uid}", details={"category": category})


def _end_as_excluded(screening: Screening, category: str, reason: str, on: date) -> None:
    screening.status, screening.exclusion_category, screening.ended_on = "excluded", category, on
    seal(screening, "exclusion_reason", reason)
