"""Reading the second check (birth date, or birth year) from the link's check page.

A form that cannot be read as a date is sent back without counting it: only a real guess that
does not match counts towards the lock, so a typo in the format costs nothing.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from .. import clock
from ..models import QuestionnaireLink
from .links import birth_check, check_birth, checks_left

_NUMBER = re.compile(r"\d{1,4}")


@dataclass
class CheckAnswer:
    passed: bool = False
    locked: bool = False
    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    target: str = "birth-day"


def page(link: QuestionnaireLink) -> dict[str, Any]:
    """What the check page asks: the whole birth date, or only the year where no date is stored."""
    expected = birth_check(link.participant.screening)
    return {"year_only": expected is not None and expected.year_only}


def read(link: QuestionnaireLink, posted: Mapping[str, str]) -> CheckAnswer:
    year_only = page(link)["year_only"]
    values = {key: (posted.get(key) or "").strip() for key in ("day", "month", "year")}
    given = _given(values, year_only)
    if given is None:
        message = (_("Enter the year you were born, for example 1985.") if year_only else
                   _("Enter your date of birth as day, month and year, for example 27 3 1985."))
        return CheckAnswer(values=values, error=message, target=_first_wrong(values, year_only))
    if check_birth(link, given):
        return CheckAnswer(passed=True)
    if link.locked_until is not None and link.locked_until > clock.now():
        return CheckAnswer(locked=True)
    message = _("This does not match what the study has. Check it and try again. "
                "Wrong tries left before the link is locked for an hour: %(count)s.", count=checks_left(link))
    return CheckAnswer(values=values, error=message, target="birth-year" if year_only else "birth-day")


def _given(values: dict[str, str], year_only: bool) -> str | None:
    """The answer as ISO text ("1985-03-27", or "1985"), or None when it is not a date at all."""
    year = values["year"]
    if not _NUMBER.fullmatch(year) or len(year) != 4:
        return None
    if year_only:
        return year
    if not (_NUMBER.fullmatch(values["day"]) and _NUMBER.fullmatch(values["month"])):
        return None
    try:
        return date(int(year), int(values["month"]), int(values["day"])).isoformat()
    except ValueError:
        return None


def _first_wrong(values: dict[str, str], year_only: bool) -> str:
    if year_only:
        return "birth-year"
    for key in ("day", "month"):
        if not _NUMBER.fullmatch(values[key]):
            return f"birth-{key}"
    return "birth-year"
