"""Answer validation: every problem is collected and reported by item; nothing is coerced.

Answers arrive from JSON, so a choice or integer answer must be a Python ``int`` (``bool`` is
refused although it is an ``int`` subclass, and so are ``3.0`` and ``"3"``): converting them
would be guessing what the respondent meant. An unanswered item is an absent key or ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from instruments.model import AnswerError, Instrument, Item, Problem

__all__ = ["check_answer", "clean_answers"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_answers(instrument: Instrument, answers: object, *, complete: bool) -> dict[str, object]:
    """The answered items in printed order, or AnswerError listing every problem in that order."""
    if not isinstance(answers, Mapping):
        problem = Problem("", f"answers must be a mapping of item code to answer, got {_kind(answers)}")
        raise AnswerError(instrument.code, (problem,))
    cleaned: dict[str, object] = {}
    problems: dict[str, Problem] = {}
    for item in instrument.items:
        value = answers.get(item.code)
        if value is None:
            continue
        try:
            cleaned[item.code] = check_answer(item, value)
        except ValueError as error:
            problems[item.code] = Problem(item.code, str(error))
    for item in instrument.items:
        if item.code not in problems:
            skipped = _skip_rule_problem(item, cleaned, complete=complete)
            if skipped is not None:
                problems[item.code] = skipped
    listed = [problems[code] for code in instrument.item_codes if code in problems]
    listed += _unknown_items(instrument, answers)
    if listed:
        raise AnswerError(instrument.code, tuple(listed))
    return cleaned


def _unknown_items(instrument: Instrument, answers: Mapping[object, object]) -> list[Problem]:
    known = set(instrument.item_codes)
    return [
        Problem(str(code), f"unknown item code for {instrument.code}")
        for code in answers
        if code not in known
    ]


def _skip_rule_problem(item: Item, cleaned: Mapping[str, object], *, complete: bool) -> Problem | None:
    """An answer its skip rule did not ask for, or (when complete) a required item left out."""
    asked = item.is_asked(cleaned)
    if asked is False and item.code in cleaned:
        rule = item.asked_if
        assert rule is not None  # is_asked is only False under a skip rule
        return Problem(
            item.code, f"not asked when {rule.item} is {cleaned[rule.item]!r}; leave it unanswered"
        )
    if complete and asked and item.required and item.code not in cleaned:
        return Problem(item.code, "required item is unanswered")
    return None


def check_answer(item: Item, value: object) -> object:
    """The cleaned value of one answer, or ValueError saying what is wrong with it."""
    if item.kind == "choice":
        return _check_choice(item, value)
    if item.kind == "integer":
        return _check_integer(item, value)
    if item.kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {_kind(value)}")
        return value
    if item.kind == "date":
        return _check_date(value)
    return _check_text(item, value)


def _check_choice(item: Item, value: object) -> int:
    listed = ", ".join(str(option) for option in item.options)
    if type(value) is not int:
        raise ValueError(f"expected a whole number, one of {listed}; got {_kind(value)}")
    if value not in item.options:
        raise ValueError(f"{value} is not one of the options {listed}")
    return value


def _check_integer(item: Item, value: object) -> int:
    if type(value) is not int:
        raise ValueError(f"expected a whole number from {item.minimum} to {item.maximum}; got {_kind(value)}")
    too_low = item.minimum is not None and value < item.minimum
    too_high = item.maximum is not None and value > item.maximum
    if too_low or too_high:
        raise ValueError(f"{value} is outside the range {item.minimum} to {item.maximum}")
    return value


def _check_date(value: object) -> str:
    # A date object is accepted as is; a string only in the one ISO form JSON clients send
    # (fromisoformat alone would also take "20240101" and week dates).
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {_kind(value)}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def _check_text(item: Item, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_kind(value)}")
    if not value.strip():
        raise ValueError("empty text; leave the item out (or send null) when it is unanswered")
    if item.max_length is not None and len(value) > item.max_length:
        raise ValueError(f"text is {len(value)} characters long; at most {item.max_length} are allowed")
    return value


def _kind(value: object) -> str:
    """Describe a rejected value without echoing long text back."""
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"
