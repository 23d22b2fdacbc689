"""The registry of built-in instruments, keyed by the code stored in the database, and the two
entry points every caller uses: ``validate`` and ``score``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from instruments.eq5d import EQ5D3L, EQ5D5L
from instruments.hads import HADS
from instruments.model import Instrument, InstrumentDefinitionError, Problem
from instruments.validation import clean_answers
from instruments.whodas import WHODAS12, WHODAS36

__all__ = ["codes", "get", "lookup", "score", "validate"]

_BUILT_IN: dict[str, Instrument] = {
    instrument.code: instrument for instrument in (HADS, EQ5D5L, EQ5D3L, WHODAS12, WHODAS36)
}


def codes() -> tuple[str, ...]:
    """The built-in instrument codes."""
    return tuple(_BUILT_IN)


def get(code: str) -> Instrument:
    """The built-in instrument with this code; KeyError naming it otherwise."""
    try:
        return _BUILT_IN[code]
    except KeyError:
        raise KeyError(f"unknown instrument {code!r} (built in: {', '.join(_BUILT_IN)})") from None


def lookup(extra: Iterable[Instrument] = ()) -> Callable[[str], Instrument]:
    """A ``get`` that also knows a trial's own instruments (for ``load_wording_packs``).

    A trial instrument may not reuse a built-in code or another's code: two definitions behind
    one stored code would make stored answers ambiguous.
    """
    known = dict(_BUILT_IN)
    for instrument in extra:
        if instrument.code in known:
            problem = Problem("code", f"instrument code {instrument.code!r} is already taken")
            raise InstrumentDefinitionError((problem,))
        known[instrument.code] = instrument

    def find(code: str) -> Instrument:
        try:
            return known[code]
        except KeyError:
            raise KeyError(f"unknown instrument {code!r} (known: {', '.join(known)})") from None

    return find


def resolve(code_or_instrument: str | Instrument) -> Instrument:
    if isinstance(code_or_instrument, Instrument):
        return code_or_instrument
    return get(code_or_instrument)


def validate(
    code_or_instrument: str | Instrument, answers: Mapping[str, object], *, complete: bool = False
) -> dict[str, object]:
    """The cleaned answers (answered items only, in printed order); AnswerError lists every problem.

    With ``complete=True`` every required item that its skip rule asks must be answered.
    """
    return clean_answers(resolve(code_or_instrument), answers, complete=complete)


def score(
    code_or_instrument: str | Instrument, answers: Mapping[str, object], **options: object
) -> dict[str, object]:
    """Validate the answers, then score them; returns exactly the keys in ``Instrument.scores``.

    Unanswered items follow each instrument's missing-data rule (a score is None rather than a
    guess). Options are instrument-specific (``value_set`` for EQ-5D, ``bands``/``max_missing``
    for HADS, ``household_flat_item``/``impute`` for WHODAS 36); an unknown option or value is a
    ValueError.
    """
    instrument = resolve(code_or_instrument)
    cleaned = clean_answers(instrument, answers, complete=False)
    return instrument.scorer(instrument, cleaned, options)
