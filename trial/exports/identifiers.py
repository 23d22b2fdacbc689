"""Defence in depth: an analysis export never carries names, identity numbers or contact details.

The adapter that builds a spec should never offer such variables; these checks refuse a spec or a
value that slipped through anyway. The linkage key (participant_id -> identity number) is a
separate writer (`linkage.py`) that an admin-only view calls.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import IdentifierRefused

if TYPE_CHECKING:
    from .dataset import Variable

# Words of a variable name (split on _ and digits) or label that name a direct identifier.
_WORDS = frozenset({
    "name", "names", "firstname", "surname", "lastname", "fullname", "navn", "fornavn", "etternavn",
    "email", "mail", "epost", "phone", "mobile", "telephone", "tel", "telefon", "mobil",
    "address", "adresse", "fnr", "dnr", "ssn", "nin", "fodselsnummer", "fødselsnummer",
    "personnummer", "dob",
})
# Phrases, matched on the words joined by single spaces.
_PHRASES = (
    "national id", "nationalid", "identity number", "id number", "personal number",
    "social security", "date of birth", "birth date", "e post", "e mail", "first name", "last name",
)
# An 11-digit Norwegian identity number (fødselsnummer or D-number), optionally as 6+5 digits;
# an e-mail address. Either in a text cell stops the export.
_IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{6}[ -]?\d{5}(?!\d)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]{2,}")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def suggests_identifier(text: str) -> bool:
    """True when a variable name or label reads like a direct identifier ("national_id", "Name")."""
    words = _words(text)
    joined = " ".join(words)
    return any(w in _WORDS for w in words) or any(f" {p} " in f" {joined} " for p in _PHRASES)


def refuse_direct_identifiers(variables: Iterable[Variable]) -> None:
    """Raise `IdentifierRefused` for a variable whose name or label suggests a direct identifier."""
    for variable in variables:
        for text in (variable.name, variable.label):
            if suggests_identifier(text):
                raise IdentifierRefused(
                    f"variable {variable.name!r} ({variable.label!r}) looks like a direct identifier; "
                    "names, identity numbers and contact details never go into an analysis export "
                    "(register linkage uses the separate linkage key)"
                )


def refuse_identifier_value(variable: str, value: str) -> None:
    """Raise `IdentifierRefused` when a text value holds an identity number or e-mail address."""
    if _IDENTITY_NUMBER.search(value) or _EMAIL.search(value):
        raise IdentifierRefused(
            f"a value of {variable!r} looks like an identity number or e-mail address; "
            "remove it from the locked data before exporting"
        )
