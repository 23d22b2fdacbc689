"""Instruments as a trial uses them: built-in or trial-specific, with the protocol's scoring options."""
from __future__ import annotations

from typing import Any

import instruments

from .errors import InvalidInput
from .protocol import Protocol


def instrument_for(p: Protocol, code: str) -> Any:
    if code in p.custom_instruments:
        return instruments.define(p.custom_instruments[code], code=code)
    return instruments.get(code)


def score(p: Protocol, code: str, answers: object) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Validate and score one instrument's answers: (instrument, cleaned answers, scores).

    Raises InvalidInput naming every item and its problem; never guesses a value."""
    if not isinstance(answers, dict):
        raise InvalidInput(f"{code}: answers must be an object of item code to answer", errors={code: "not an object"})
    instrument = instrument_for(p, code)
    options = dict(p.instrument_options.get(code, {}))
    try:
        cleaned = instruments.validate(instrument, answers)
        scores = instruments.score(instrument, cleaned, **options)
    except instruments.AnswerError as exc:
        raise InvalidInput(f"{code}: {len(exc.problems)} answer(s) cannot be accepted",
                           errors={f"{code}.{problem.item}": problem.message for problem in exc.problems}) from exc
    return instrument, dict(cleaned), dict(scores)
